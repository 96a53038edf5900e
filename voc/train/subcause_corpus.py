"""The sub-cause dev set (data/rootcause/subcause_dev.jsonl): loading, its fixed held-out part, and scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from voc.paths import SHIPPED
from voc.train.dev_jsonl import read_dev_jsonl

SUBCAUSE_DEV = SHIPPED / "data" / "rootcause" / "subcause_dev.jsonl"
FIELDS = ("id", "text", "channel", "industry", "subcauses", "blamed", "likely_cause", "likely_subcause",
          "misattributed", "split")  # fmt: skip


def load_subcause_dev(path: Path | None = None, part: str = "all") -> pd.DataFrame:
    """The hand-written sub-cause dev set; part is all, train or heldout (the fixed held-out part)."""
    path = Path(path) if path is not None else SUBCAUSE_DEV
    df = read_dev_jsonl(path, FIELDS, "Sub-cause dev set")
    for col in ("likely_cause", "likely_subcause"):
        df[col] = df[col].astype(object).where(df[col].map(lambda v: isinstance(v, str)), None)
    if part in ("train", "heldout"):
        df = df[df["split"] == part]
    elif part != "all":
        raise ValueError(f"part must be all, train or heldout, got {part!r}")
    return df.reset_index(drop=True)


def multilabel_f1(pred: list[list[str]], gold: list[list[str]], labels: list[str]) -> dict:
    """Macro and micro F1 with per-label P/R/F1 and support over label lists."""
    out: dict = {"per_label": {}}
    f1s, tp_all, p_all, g_all = [], 0, 0, 0
    for lab in labels:
        p = np.array([lab in x for x in pred])
        g = np.array([lab in x for x in gold])
        tp = int((p & g).sum())
        prec, rec = tp / max(p.sum(), 1), tp / max(g.sum(), 1)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out["per_label"][lab] = {"precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3),
                                 "support": int(g.sum())}  # fmt: skip
        if g.sum():
            f1s.append(f1)
        tp_all, p_all, g_all = tp_all + tp, p_all + int(p.sum()), g_all + int(g.sum())
    out["macro_f1"] = round(float(np.mean(f1s)) if f1s else 0.0, 4)
    out["micro_f1"] = round(2 * tp_all / max(p_all + g_all, 1), 4)
    return out


def score_outputs(frame: pd.DataFrame, dev: pd.DataFrame, labels: list[str]) -> dict:
    """The issue's figures for predictions against dev labels (same order): sub-cause F1, blame, likely cause."""
    pred_sub = [list(x) for x in frame["subcauses"]]
    gold_sub = [list(x) for x in dev["subcauses"]]
    blamed_ok = np.array([sorted(p) == sorted(g) for p, g in zip(frame["blamed"], dev["blamed"])])
    likely_ok = np.array([(p or None) == g for p, g in zip(frame["likely_cause"], dev["likely_cause"])])
    likely_sub_ok = np.array(
        [(p or None) == g for p, g in zip(frame["likely_subcause"], dev["likely_subcause"])]
    )
    mis = dev["misattributed"].to_numpy(bool)
    per_cause = {}
    for cause in ("people", "process", "technology"):
        p = np.array([cause in x for x in frame["blamed"]])
        g = np.array([cause in x for x in dev["blamed"]])
        tp = int((p & g).sum())
        per_cause[cause] = round(2 * tp / max(int(p.sum() + g.sum()), 1), 3)
    return {
        "n": len(dev),
        "subcause": multilabel_f1(pred_sub, gold_sub, labels),
        "blamed_exact": round(float(blamed_ok.mean()), 4),
        "blamed_f1_per_cause": per_cause,
        "likely_cause_acc": round(float(likely_ok.mean()), 4),
        "likely_subcause_acc": round(float(likely_sub_ok.mean()), 4),
        "misattributed_n": int(mis.sum()),
        "misattributed_likely_cause_acc": round(float(likely_ok[mis].mean()), 4) if mis.any() else None,
        "misattributed_likely_subcause_acc": round(float(likely_sub_ok[mis].mean()), 4)
        if mis.any()
        else None,
    }
