"""How far a head over the sentiment model's pooled states can go with many in-domain labels:
`python -m bench.teach_ceiling`.

On the learning-curve corpora of bench.teach_curve (women's clothing: a 1,500-row sample of the train split as
the labelling pool, 1,500 eval rows scored; Amazon Alexa: its own position split), every pool row is labelled
and three heads are scored by 3-class macro-F1:
- the shipped head (0 labels);
- the fast adaptation of `voc train sentiment --from-store` (mix + labels, anchored; label share chosen by
  5-fold CV on the labels), with all pool labels;
- a logistic regression on the pool's pooled states alone (no mix, no anchor), balanced or not, C chosen by
  5-fold CV on the pool: the in-domain ceiling of a linear head over these features.
Choices use pool (train) rows only. If the in-domain ceiling sits within a few points of the shipped head, the
encoder's features, not the head, bound what labels can add (clothing is in the shipped model's training mix).
"""

from __future__ import annotations

import argparse
import json

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from bench.teach_curve import LABEL_ID, _pooled, corpora, macro_f1
from voc.lenses.sentiment import default_model_dir
from voc.paths import results_dir
from voc.teach import sentiment_adapt as sa


def _f1(y, pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="macro", labels=[0, 1, 2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=1500)
    parser.add_argument("--score", type=int, default=1500)
    args = parser.parse_args()
    pooler = sa.Pooler(default_model_dir())
    mix = sa.mix_sample(pooler)
    out = {}
    for name, parts in corpora(args.pool, args.score).items():
        Xp = _pooled(pooler, f"{name}-pool", parts["pool"]["text"].tolist())
        yp = parts["pool"]["sentiment"].map(LABEL_ID).to_numpy()
        Xs = _pooled(pooler, f"{name}-score", parts["score"]["text"].tolist())
        ys = parts["score"]["sentiment"].map(LABEL_ID).to_numpy()
        row = {
            "pool_labels": len(yp),
            "shipped": macro_f1(pooler.runner.weight, pooler.runner.bias, Xs, ys),
        }
        share, _ = sa.choose_share(pooler, Xp, yp, mix=mix)
        W, b = sa.adapt(pooler, Xp, yp, None, mix, label_share=share)
        row.update(fast_adapt=macro_f1(W, b, Xs, ys), fast_adapt_share=share)
        best = None
        for weight in (None, "balanced"):
            for C in (0.1, 0.3, 1.0, 3.0, 10.0, 30.0):
                clf = LogisticRegression(C=C, max_iter=3000, class_weight=weight)
                oof = _f1(yp, cross_val_predict(clf, Xp, yp, cv=5))
                if best is None or oof > best[0]:
                    best = (oof, C, weight)
        clf = LogisticRegression(C=best[1], max_iter=3000, class_weight=best[2]).fit(Xp, yp)
        row.update(in_domain_lr=_f1(ys, clf.predict(Xs)), in_domain_lr_C=best[1], in_domain_lr_weight=best[2],
                   in_domain_lr_cv_on_pool=best[0])  # fmt: skip
        out[name] = {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}
        print(name, out[name], flush=True)
    path = results_dir() / "teach_ceiling.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"JSON: {path}")


if __name__ == "__main__":
    main()
