"""The cause map per theme: root causes confirmed by editors, read from the theme edit log (op `cause`).

A confirmed cause follows its theme through merges and splits (voc.insights.theme_settings): each entry says
its `source` (set / merged / inherited), the theme it was confirmed on (`origin`) and any `conflicts` with
other merged themes' causes, and reports show them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from voc.errors import InputError
from voc.insights.theme_settings import Setting, describe, resolve

CAUSES = ("people", "process", "technology")


def cause_payload(theme_id: int, cause: str, subcause: str | None = None, note: str = "") -> dict:
    """A checked `cause` edit payload: the theme's confirmed root cause, optional sub-cause and a note."""
    if cause not in CAUSES:
        raise InputError(f"Confirmed cause {cause!r} is not one of {', '.join(CAUSES)}.")
    return {"theme_id": int(theme_id), "cause": cause, "subcause": subcause or None, "note": note.strip()}


def _show(value: tuple) -> str:
    return value[0] + (f", {value[1].replace('_', ' ')}" if value[1] else "")


def confirmed_causes(edits: pd.DataFrame) -> dict[int, dict]:
    """theme_id -> the confirmed {cause, subcause, note, actor, at, source, origin, conflicts, merge_note}
    (the latest per theme; carried through merges and splits; replayed each run)."""
    read = lambda p: (
        (p.get("cause"), p.get("subcause") or None, p.get("note") or "") if p.get("cause") else None
    )
    settings = resolve(edits, "cause", read, key=lambda v: v[:2])
    return {tid: _entry(s) for tid, s in settings.items()}


def _entry(s: Setting) -> dict:
    cause, subcause, note = s.value
    conflicts = [(t, _show(v)) for t, v in s.conflicts]
    return {"cause": cause, "subcause": subcause, "note": note, "actor": s.actor, "at": s.at, "source": s.source,
            "origin": s.origin, "conflicts": conflicts, "merge_note": describe(s, _show), "retired": s.retired}  # fmt: skip


def store_confirmed_causes(store_path: str | Path) -> dict[int, dict]:
    """The confirmed causes of a store's themes."""
    from voc.store import Store

    return confirmed_causes(Store(store_path, read_only=True).edits())


def _walk(entries):
    for entry in entries or []:
        if isinstance(entry, dict):
            yield entry
            yield from _walk(entry.get("children"))


def add_causes_to_yaml(yaml_text: str, confirmed: dict[int, dict]) -> str:
    """The taxonomy YAML (`voc themes export`) with each confirmed theme's `root_cause: {cause, subcause, note}`
    (plus `merge_note` when it was carried over from a merged or split theme; import ignores that key)."""
    import yaml

    doc = yaml.safe_load(yaml_text) or {}
    for entry in _walk(doc.get("themes")):
        c = confirmed.get(int(entry.get("id", -1)))
        if c:
            entry["root_cause"] = {
                k: c.get(k) for k in ("cause", "subcause", "note", "merge_note") if c.get(k)
            }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def cause_edits_from_yaml(yaml_text: str, confirmed: dict[int, dict]) -> list[dict]:
    """`cause` edit payloads for the YAML's `root_cause` entries that differ from the confirmed ones."""
    import yaml

    out = []
    for i, entry in enumerate(_walk((yaml.safe_load(yaml_text) or {}).get("themes"))):
        rc = entry.get("root_cause")
        if not rc:
            continue
        if not isinstance(rc, dict) or "id" not in entry:
            raise InputError(
                f"Taxonomy YAML theme #{i + 1}: `root_cause` needs a theme `id` and a mapping {{cause, subcause, note}}."
            )
        payload = cause_payload(
            int(entry["id"]), str(rc.get("cause")), rc.get("subcause"), str(rc.get("note") or "")
        )
        now = confirmed.get(payload["theme_id"]) or {}
        if (
            any(now.get(k) != payload[k] for k in ("cause", "subcause"))
            or (now.get("note") or "") != payload["note"]
        ):
            out.append(payload)
    return out
