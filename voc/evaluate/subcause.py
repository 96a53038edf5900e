"""`voc eval subcause`: sub-causes, blame and likely cause on the held-out part of the sub-cause dev set.

Data: data/rootcause/subcause_dev.jsonl, rows with split == heldout (never trained or tuned on). Beside the
model: the naive reading a blame-counting tool gives (likely cause = the first blamed capability), so the
gain on misattributed cases is visible. Also the predict throughput over already-encoded documents.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from voc.lenses.subcause_model import SubCauseModel
from voc.train.rootcause_corpus import encode_texts
from voc.train.subcause_corpus import load_subcause_dev, score_outputs


def throughput(model: SubCauseModel, enc, n: int = 20000, repeats: int = 3) -> float:
    """Docs/s of SubCauseModel.predict over n already-encoded documents (best of `repeats`)."""
    idx = np.arange(n) % len(enc.texts)
    args = (
        [enc.texts[i] for i in idx],
        [enc.spans[i] for i in idx],
        enc.doc_vecs[idx],
        [enc.sent_vecs[i] for i in idx],
    )
    model.predict(*(a[:200] for a in args))
    best = min(_timed(lambda: model.predict(*args)) for _ in range(repeats))
    return n / best


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def evaluate_subcause(
    out: Path | None = None, model_dir: Path | None = None, speed_docs: int = 20000
) -> pd.DataFrame:
    """Held-out figures of the sub-cause model and the blame-counting baseline; writes JSON to `out`."""
    model = SubCauseModel.load(model_dir)
    dev = load_subcause_dev(part="heldout")
    enc = encode_texts(dev["text"].tolist(), tag="sc-heldout")
    frame = model.predict(enc.texts, enc.spans, enc.doc_vecs, enc.sent_vecs)
    voc_scores = score_outputs(frame, dev, model.labels)
    naive = frame.copy()
    naive["likely_cause"] = [b[0] if len(b) else None for b in frame["blamed"]]
    naive_scores = score_outputs(naive, dev, model.labels)
    speed = throughput(model, enc, speed_docs) if speed_docs else None
    rows = [
        ("sub-cause macro-F1", voc_scores["subcause"]["macro_f1"], None, 0.70),
        ("sub-cause micro-F1", voc_scores["subcause"]["micro_f1"], None, None),
        ("blamed exact (all held-out)", voc_scores["blamed_exact"], None, 0.85),
        ("likely_cause accuracy (all)", voc_scores["likely_cause_acc"], naive_scores["likely_cause_acc"], None),
        ("likely_cause accuracy (misattributed)", voc_scores["misattributed_likely_cause_acc"],
         naive_scores["misattributed_likely_cause_acc"], 0.75),
        ("likely_subcause accuracy (misattributed)", voc_scores["misattributed_likely_subcause_acc"], None, None),
        ("predict docs/s over encoded docs", round(speed) if speed else None, None, 5000),
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=["metric", "voc", "blame_counting", "target"])
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps({"voc": voc_scores, "blame_counting": naive_scores, "docs_per_s": speed,
                                         "heldout_n": len(dev), "model": model.version}, indent=2), encoding="utf-8")  # fmt: skip
    return table
