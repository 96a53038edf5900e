"""Generate the Nimbus Mobile demo corpus (seeded, deterministic).

Run: python data/generate.py [--out data/demo] [--seed 2026] [--stats]
Writes reviews.csv, tickets.jsonl, social.csv, survey.csv and the hidden truth.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nimbus_schedule import END, MONTHS, PLANTED, SEED, churn_wave, optout_schedule, schedule
from nimbus_text import Composer, load_fragments

log = logging.getLogger("nimbus")
AGENT_REPLY_P, FOLLOWUP_P = 0.13, 0.6
PLATFORMS, PLATFORM_W = ["x", "facebook", "instagram", "reddit", "tiktok"], [45, 22, 13, 14, 6]
EMPTY_SURVEY_COMMENTS = 12


def _stars(rng: random.Random, sentiment: str) -> int:
    if rng.random() < 0.03:
        return rng.randint(1, 5)
    w = {
        "negative": [60, 28, 9, 2, 1],
        "mixed": [10, 30, 40, 18, 2],
        "neutral": [5, 10, 40, 35, 10],
        "positive": [1, 1, 5, 28, 65],
    }[sentiment]
    return rng.choices([1, 2, 3, 4, 5], weights=w)[0]


def _nps(rng: random.Random, sentiment: str) -> int:
    w = {
        "negative": [14, 12, 12, 12, 11, 10, 9, 7, 6, 4, 3],
        "mixed": [2, 2, 3, 5, 7, 12, 16, 18, 16, 10, 9],
        "neutral": [1, 1, 1, 2, 4, 8, 14, 22, 24, 13, 10],
        "positive": [0, 0, 0, 1, 1, 2, 3, 6, 17, 30, 40],
    }
    return rng.choices(range(11), weights=w[sentiment])[0]


def _handle(rng: random.Random, slots: dict) -> str:
    return "@" + rng.choice(slots["handle_first"]) + rng.choice(slots["handle_second"])


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """Build every file's rows (plus truth rows) in memory."""
    # Separate streams: editing a fragment changes texts only, never the schedule or the counts.
    rng = random.Random(seed)
    text_rng = random.Random(seed * 7919 + 1)
    themes, common = load_fragments()
    comp = Composer(themes, common)
    seen: set[str] = set()

    def text_for(item: dict[str, Any]) -> str:
        for _ in range(40):
            text = comp.compose(item, text_rng)
            if text not in seen:
                seen.add(text)
                return text
        raise RuntimeError(f"could not compose a distinct text for theme {item['theme']}")

    def reply(theme: str) -> str:
        return comp.agent_reply(theme, text_rng)

    out: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("reviews", "tickets", "social", "survey", "truth")
    }
    handles = [_handle(rng, common["slots"]) for _ in range(420)]
    ticket_no = 10_000

    def truth(file: str, rid: str, it: dict[str, Any] | None, role: str, when: datetime) -> None:
        if it and it["followup"] and it["sentiment"] == "positive":
            it = dict(it, theme="", phase="followup")  # a plain "thanks, it works" carries no theme
        names = [n for n in ([it["theme"], *it["secondary"]] if it else []) if n]
        causes = sorted({c for n in names for c in themes[n]["cause"]})
        out["truth"].append(
            {
                "file": file,
                "id": rid,
                "role": role,
                "date": when.strftime("%Y-%m-%d"),
                "region": it["region"] if it else "",
                "themes": ";".join(names),
                "causes": ";".join(causes),
                "sentiment": it["sentiment"] if it else "",
                "language": it["language"] if it else "",
                "planted": it["theme"] if it and it["theme"] in PLANTED else "",
                "phase": it["phase"] if it else "",
            }
        )

    story = optout_schedule(themes, seed)
    wave_rng = random.Random(seed * 31 + 17)  # its own stream: the wave leaves every other row as it was
    wave = churn_wave(wave_rng, themes)
    for it in [*schedule(rng, themes), None, *story, "wave", *wave]:
        if it is None:  # the empty survey comments are drawn before the opt-out story's rows are added
            _empty_comments(rng, out, truth)
            continue
        if it == "wave":  # the churn wave is appended after everything else, from its own stream
            rng = wave_rng
            continue
        ch = it["channel"]
        n = len(out[ch]) + 1
        if ch == "reviews":
            rid = f"RV-{n:05d}"
            out[ch].append(
                {
                    "id": rid,
                    "date": it["when"].strftime("%Y-%m-%d"),
                    "text": text_for(it),
                    "stars": _stars(rng, it["sentiment"]),
                    "product": it["product"],
                    "region": it["region"],
                    "plan": it["plan"],
                }
            )
            truth("reviews.csv", rid, it, "customer", it["when"])
        elif ch == "social":
            secs = int((it["when"] - datetime(1970, 1, 1)).total_seconds())
            rid = str(1_700_000_000_000_000_000 + secs * 1000 + n)
            out[ch].append(
                {
                    "post_id": rid,
                    "posted_at": _iso(it["when"]),
                    "handle": rng.choice(handles),
                    "text": text_for(it),
                    "platform": rng.choices(PLATFORMS, weights=PLATFORM_W)[0],
                    "region": it["region"],
                }
            )
            truth("social.csv", rid, it, "customer", it["when"])
        elif ch == "survey":
            rid = f"NPS-{n:05d}"
            out[ch].append(
                {
                    "response_id": rid,
                    "submitted": it["when"].strftime("%Y-%m-%d"),
                    "nps": _nps(rng, it["sentiment"]),
                    "comment": text_for(it),
                    "product": it["product"],
                    "region": it["region"],
                    "plan": it["plan"],
                }
            )
            truth("survey.csv", rid, it, "customer", it["when"])
        else:
            ticket_no += rng.randint(1, 3)
            _ticket(rng, reply, it, f"T-{ticket_no}", text_for, out, truth)
    return out


def _ticket(rng, reply, it, ticket, text_for, out, truth) -> None:
    """One support thread: a customer turn, maybe an agent reply and a customer follow-up."""
    turns: list[tuple[str, dict | None, datetime]] = [("customer", it, it["when"])]
    when = it["when"]
    if rng.random() < AGENT_REPLY_P:
        when = when + timedelta(hours=rng.randint(1, 60))
        turns.append(("agent", None, when))
        if rng.random() < FOLLOWUP_P:
            fu = dict(it, followup=True, secondary=[], language="en")
            fu["sentiment"] = (
                "positive" if rng.random() < 0.35 and it["sentiment"] != "positive" else it["sentiment"]
            )
            if it["sentiment"] == "positive":
                fu["sentiment"] = "positive"
            when = when + timedelta(hours=rng.randint(2, 96))
            turns.append(("customer", fu, when))
    end = datetime(END.year, END.month, END.day, 23, 59, 59)
    recent = (end - it["when"]).days < 7
    status = rng.choices(["open", "pending", "solved"], weights=[45, 35, 20] if recent else [5, 10, 85])[0]
    resolved = None
    if status == "solved":
        resolved = min(end, when + timedelta(hours=rng.randint(1, 200)))
    csat_row = rng.random() < 0.45 and status == "solved"
    for k, (role, turn, ts) in enumerate(turns, start=1):
        rid = f"{ticket}-{k}"
        ts = min(ts, end)
        text = text_for(turn) if turn else reply(it["theme"])
        csat = None
        if csat_row and k == 1:
            last = turns[-1][1] or it
            csat = _stars(rng, last["sentiment"])
        out["tickets"].append(
            {
                "ticket_id": rid,
                "ticket": ticket,
                "created": _iso(ts),
                "resolved": _iso(resolved) if resolved else None,
                "status": status,
                "role": role,
                "text": text,
                "csat": csat,
                "product": it["product"],
                "region": it["region"],
                "plan": it["plan"],
            }
        )
        truth("tickets.jsonl", rid, turn, role, ts)


def _empty_comments(rng, out, truth) -> None:
    """A few NPS responses without a comment (the pipeline should reject them as empty_text)."""
    rows = out["survey"]
    for k in sorted(rng.sample(range(len(rows)), EMPTY_SURVEY_COMMENTS)):
        rows[k]["comment"] = ""
        t = next(r for r in out["truth"] if r["id"] == rows[k]["response_id"])
        t.update(role="empty", themes="", causes="", sentiment="", language="", planted="", phase="")


COLUMNS = {
    "reviews": ["id", "date", "text", "stars", "product", "region", "plan"],
    "tickets": [
        "ticket_id",
        "ticket",
        "created",
        "resolved",
        "status",
        "role",
        "text",
        "csat",
        "product",
        "region",
        "plan",
    ],
    "social": ["post_id", "posted_at", "handle", "text", "platform", "region"],
    "survey": ["response_id", "submitted", "nps", "comment", "product", "region", "plan"],
    "truth": [
        "file",
        "id",
        "role",
        "date",
        "region",
        "themes",
        "causes",
        "sentiment",
        "language",
        "planted",
        "phase",
    ],
}


def write(out_dir: Path, seed: int = SEED) -> dict[str, int]:
    """Generate the corpus into out_dir; return rows per file."""
    data = build(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("reviews", "social", "survey", "truth"):
        with open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS[name], lineterminator="\n")
            w.writeheader()
            w.writerows(data[name])
    with open(out_dir / "tickets.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(
            json.dumps({k: row[k] for k in COLUMNS["tickets"]}, ensure_ascii=False) + "\n"
            for row in data["tickets"]
        )
    return {k: len(v) for k, v in data.items()}


def stats(out_dir: Path) -> str:
    """Markdown tables of the planted patterns, read back from truth.csv."""
    with open(out_dir / "truth.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["role"] == "customer"]
    lines = [
        "| month | items | app_login | hold_times (complaints) | hold_times (better) | store_staff"
        + " | store_staff in South | billing_error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, m in MONTHS:
        rs = [r for r in rows if int(r["date"][5:7]) == m]

        def has(t: str, rows=rs) -> list[dict]:
            return [r for r in rows if t in r["themes"].split(";")]

        hold = has("hold_times")
        store = has("store_staff")
        lines.append(
            f"| 2026-{m:02d} | {len(rs)} | {len(has('app_login'))} | "
            f"{sum(r['sentiment'] != 'positive' for r in hold)} | "
            f"{sum(r['sentiment'] == 'positive' for r in hold)} | {len(store)} | "
            f"{sum(r['region'] == 'South' for r in store)} | {len(has('billing_error'))} |"
        )
    lines += ["", "| week (Mon) | app_login | hold_times | billing_error |", "|---|---|---|---|"]
    weeks: Counter = Counter()
    for r in rows:
        d = date.fromisoformat(r["date"])
        wk = (d - timedelta(days=d.weekday())).isoformat()
        for t in r["themes"].split(";"):
            weeks[(wk, t)] += 1
    for wk in sorted({w for w, _ in weeks}):
        lines.append(
            f"| {wk} | {weeks[(wk, 'app_login')]} | {weeks[(wk, 'hold_times')]} | "
            f"{weeks[(wk, 'billing_error')]} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "demo")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--stats", action="store_true", help="print markdown tables of the planted patterns")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    counts = write(args.out, args.seed)
    log.info("wrote %s to %s", counts, args.out)
    if args.stats:
        sys.stdout.write(stats(args.out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
