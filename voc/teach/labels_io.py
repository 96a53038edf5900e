"""`voc labels import|export`: reviewers' labels as CSV or JSONL, matched to stored documents, bad rows counted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from voc.errors import InputError
from voc.insights.theme_map import display_map, label_and_canonical, theme_map_rows
from voc.schema import SENTIMENT_LABELS
from voc.store import Store

LABEL_FIELDS = ("sentiment", "causes", "theme")
ID_COLUMNS = ("doc_id", "id")


@dataclass
class ImportReport:
    """What an import did: rows read, labels appended, and each rejected row with its reason."""

    read: int = 0
    imported: int = 0
    rejected: list[dict] = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        """Rejected rows counted by reason."""
        out: dict[str, int] = {}
        for r in self.rejected:
            out[r["reason"]] = out.get(r["reason"], 0) + 1
        return out


def _read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Labels file {path} does not exist; give a CSV or JSONL file.")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}, line {n}: not valid JSON ({exc.msg}); one object per line."
                    ) from None
        frame = pd.DataFrame(rows)
        if "causes" in frame.columns:  # JSONL may give a list; normalise to the CSV form
            frame["causes"] = [";".join(v) if isinstance(v, list) else v for v in frame["causes"]]
        return frame.astype(object).where(frame.notna(), None)
    if suffix in (".csv", ".tsv", ".txt"):
        frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
        return frame.astype(object)
    raise InputError(f"Labels file {path}: unsupported extension {suffix!r}; use .csv, .tsv or .jsonl.")


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def import_labels(path: Path, store: Store, reviewer: str | None = None) -> ImportReport:
    """Append the file's labels to the store's `labels` table; unknown ids, labels or bad values are rejected by row.

    Themes are matched as the app shows them: a theme the edit log merged away counts as the theme it went
    into, for the label and for the model's theme it is compared with.
    """
    frame = _read(path)
    id_col = next((c for c in ID_COLUMNS if c in frame.columns), None)
    if id_col is None:
        raise InputError(
            f"Labels file {path} has no `doc_id` or `id` column; add one (as `voc labels export` writes)."
        )
    fields = [c for c in LABEL_FIELDS if c in frame.columns]
    if not fields:
        raise InputError(
            f"Labels file {path} has none of the columns {', '.join(LABEL_FIELDS)}; nothing to import."
        )
    docs = store.documents_with_predictions(
        columns=["doc_id", "source_id", "sentiment", "causes", "theme_id"], order_by=None
    )
    by_doc = {str(d): i for i, d in enumerate(docs["doc_id"])}
    by_source = {str(s): i for i, s in enumerate(docs["source_id"]) if s is not None}
    causes = set(store.label_set("causes"))
    themes = store.themes().drop(columns=["centroid"], errors="ignore")
    shown_labels, canonical = label_and_canonical(theme_map_rows(display_map(themes, store.edits())))
    theme_ids = set(shown_labels) | set(canonical)
    theme_names = {label.strip().lower(): tid for tid, label in shown_labels.items() if label.strip()}
    for r in themes.to_dict("records") if len(themes) else []:
        for key in ("user_label", "label"):
            if isinstance(r.get(key), str) and r[key].strip():
                tid = int(r["theme_id"])
                theme_names.setdefault(r[key].strip().lower(), canonical.get(tid, tid))
    report = ImportReport(read=len(frame))
    rows = []
    for n, rec in enumerate(frame.to_dict("records"), start=2 if path.suffix.lower() != ".jsonl" else 1):

        def reject(reason: str, detail: str, n: int = n) -> None:
            report.rejected.append({"row": n, "reason": reason, "detail": f"row {n}: {detail}"})

        key = "" if _blank(rec[id_col]) else str(rec[id_col]).strip()
        idx = by_doc.get(key) if id_col == "doc_id" else by_source.get(key, by_doc.get(key))
        if idx is None:
            reject("unknown id", f"{id_col} {key!r} is not in the store")
            continue
        out = {"doc_id": docs["doc_id"].iloc[idx], "reviewer": reviewer, "source": "import"}
        ok, any_value = True, False
        if "sentiment" in fields and not _blank(rec["sentiment"]):
            value = str(rec["sentiment"]).strip().lower()
            if value not in SENTIMENT_LABELS:
                reject(
                    "bad value", f"sentiment {rec['sentiment']!r} is not one of {', '.join(SENTIMENT_LABELS)}"
                )
                ok = False
            out["sentiment"], any_value = value, True
        if ok and "causes" in fields:
            given = (
                []
                if _blank(rec["causes"])
                else [c.strip() for c in str(rec["causes"]).split(";") if c.strip()]
            )
            unknown = [c for c in given if c not in causes]
            if unknown:
                reject(
                    "unknown label",
                    f"cause {unknown[0]!r} is not in the taxonomy ({', '.join(sorted(causes))})",
                )
                ok = False
            out["causes"], any_value = given, True
        if ok and "theme" in fields and not _blank(rec["theme"]):
            value = str(rec["theme"]).strip()
            tid = (
                canonical.get(int(value), int(value))
                if value.lstrip("-").isdigit() and int(value) in theme_ids
                else theme_names.get(value.lower())
            )
            if tid is None:
                reject("unknown label", f"theme {value!r} is neither a stored theme id nor a theme name")
                ok = False
            out["theme_id"], any_value = tid, True
        if not ok:
            continue
        if not any_value:
            reject("bad value", "no label given (sentiment and theme empty, no causes column)")
            continue
        out["model_sentiment"] = docs["sentiment"].iloc[idx]
        mc = docs["causes"].iloc[idx]
        out["model_causes"] = None if mc is None else list(mc)
        mt = docs["theme_id"].iloc[idx]
        out["model_theme_id"] = None if pd.isna(mt) else canonical.get(int(mt), int(mt))
        rows.append(out)
    report.imported = store.append_labels(rows)
    return report


def export_labels(store: Store, out: Path) -> int:
    """Write every labelled document's latest labels (doc_id, id, sentiment, causes, theme, reviewer, at); return rows."""
    latest = store.labels(latest=True)
    docs = store.documents_with_predictions(columns=["doc_id", "source_id", "text"], order_by=None)
    frame = latest.merge(docs, on="doc_id", how="left")
    frame = pd.DataFrame(
        {
            "doc_id": frame["doc_id"],
            "id": frame["source_id"],
            "sentiment": frame["sentiment"],
            "causes": [
                ";".join(list(c)) if isinstance(c, (list, tuple, np.ndarray)) else None for c in frame["causes"]
            ],
            "theme": frame["theme_id"].astype("Int64"),
            "reviewer": frame["reviewer"],
            "at": frame["at"].astype(str),
            "text": frame["text"],
        }
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for r in records:
            r["causes"] = None if r["causes"] is None else [c for c in r["causes"].split(";") if c]
        out.write_text("".join(json.dumps(r, default=str) + "\n" for r in records), encoding="utf-8")
    else:
        frame.to_csv(out, index=False)
    return len(frame)
