"""The churn signal frontier: out-of-fold F1 of signal variants over several fold splits of the train part.

Run: python -m bench.churn_signal [--seeds 13,7,21,99,1,2,3,4] [--windows ",2,2+3"] [--dev DEV.jsonl]
For each context-window setting (voc.lenses.churn_context; "" = sentences only, the shipped head) and each
fold seed, the churn head is trained (`voc train churn`'s recipe, into a temporary folder) and its
out-of-fold sentence logits give the document scores of each aggregation:
- max: the maximum over sentences (and windows), as shipped;
- lse: a soft maximum minus T*log(n sentences), T = 0.25 (does not grow with the number of sentences).
Each (windows, aggregation) is scored by the unchanged decision rule without the demo ceiling (best F1 with
<= 5% of train hard negatives flagged; the demo ceiling needs a full head per split and is checked with
bench.churn_decision for a variant worth shipping). The held-out part is never read. The fold split moves
the figure by about +-0.007, so only a gain over most seeds counts.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from voc.paths import PROJECT_ROOT
from voc.train.churn_decision import Scores, choose, decision_table

RESULTS = PROJECT_ROOT / "bench" / "results" / "churn_signal.json"
LSE_T = 0.25


def aggregate(z: np.ndarray, offsets: np.ndarray, how: str) -> np.ndarray:
    """Document logits from sentence logits (one column): max, or lse = soft max minus T*log(n)."""
    if how == "max":
        return np.maximum.reduceat(z, offsets[:-1])
    out = np.empty(len(offsets) - 1)
    for d in range(len(out)):
        v = z[offsets[d] : offsets[d + 1]] / LSE_T
        m = v.max()
        out[d] = LSE_T * (m + np.log(np.exp(v - m).sum()) - np.log(len(v)))
    return out


def rule_f1(oof: dict, labels: list[str], gold: np.ndarray, hard: np.ndarray, how: str) -> dict:
    """The decision rule's choice over the out-of-fold scores of one aggregation."""
    z, offsets = np.asarray(oof["sentence_logits"]), np.asarray(oof["offsets"])
    c, s = labels.index("churn"), labels.index("staying")
    p = [1.0 / (1.0 + np.exp(-aggregate(z[:, j], offsets, how))) for j in (c, s)]
    best = choose(decision_table(Scores(p[0], p[1]), gold, hard))
    return {k: round(float(best[k]), 4) for k in ("f1", "precision", "recall", "hard_flagged", "threshold",
                                                   "staying_weight")}  # fmt: skip


def main() -> None:
    """Print the out-of-fold F1 of each signal variant per fold seed, with means, as JSON."""
    from voc.train.journey import churn_dev, train_churn

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", default="13,7,21,99,1,2,3,4")
    parser.add_argument("--windows", default=",2,2+3", help="comma-separated settings; sizes joined by +")
    parser.add_argument("--dev", type=Path, default=None, help="default data/churn/dev.jsonl")
    args = parser.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    settings = [tuple(int(k) for k in w.split("+") if k) for w in args.windows.split(",")]
    dev = churn_dev(args.dev).set_index("id")
    table: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for windows in settings:
            for seed in seeds:
                res = train_churn(
                    out_dir=Path(tmp) / "head", dev_path=args.dev, context_windows=windows, cv_seed=seed
                )
                oof = res["oof_dev_train"]
                rows = dev.loc[oof["ids"]]
                gold, hard = rows["churn"].to_numpy(bool), rows["hard_negative"].to_numpy(bool)
                for how in ("max", "lse"):
                    name = f"windows={'+'.join(map(str, windows)) or 'none'} agg={how}"
                    run = rule_f1(oof, res["labels"], gold, hard, how) | {"seed": seed}
                    table.setdefault(name, []).append(run)
    base = [r["f1"] for r in table["windows=none agg=max"]] if () in settings else None
    report = {"train_docs": len(gold), "seeds": seeds, "variants": {}}
    for name, runs in table.items():
        f1s = [r["f1"] for r in runs]
        entry = {"mean_f1": round(float(np.mean(f1s)), 4), "f1_by_seed": f1s, "runs": runs}
        if base is not None:
            diff = np.array(f1s) - np.array(base)
            entry["vs_sentences_max"] = {"mean": round(float(diff.mean()), 4),
                                         "wins": int((diff > 1e-9).sum()),
                                         "losses": int((diff < -1e-9).sum())}  # fmt: skip
        report["variants"][name] = entry
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    summary = {k: {kk: v[kk] for kk in v if kk != "runs"} for k, v in report["variants"].items()}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
