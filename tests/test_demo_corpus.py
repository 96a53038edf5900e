"""The Nimbus Mobile demo corpus: deterministic generator, documented shape and the planted patterns."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
DEMO = DATA / "demo"
FILES = ("reviews.csv", "tickets.jsonl", "social.csv", "survey.csv", "truth.csv")
COLUMNS = {
    "reviews.csv": ["id", "date", "text", "stars", "product", "region", "plan"],
    "tickets.jsonl": [
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
    "social.csv": ["post_id", "posted_at", "handle", "text", "platform", "region"],
    "survey.csv": ["response_id", "submitted", "nps", "comment", "product", "region", "plan"],
    "truth.csv": [
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
TEXT_COL = {"reviews.csv": "text", "tickets.jsonl": "text", "social.csv": "text", "survey.csv": "comment"}
ID_COL = {
    "reviews.csv": "id",
    "tickets.jsonl": "ticket_id",
    "social.csv": "post_id",
    "survey.csv": "response_id",
}
DATE_COL = {
    "reviews.csv": "date",
    "tickets.jsonl": "created",
    "social.csv": "posted_at",
    "survey.csv": "submitted",
}


def _read(name: str) -> pd.DataFrame:
    path = DEMO / name
    if name.endswith(".jsonl"):
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: _read(name) for name in FILES}


@pytest.fixture(scope="module")
def truth(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    t = frames["truth.csv"].copy()
    t["month"] = t["date"].str[:7]
    t["theme_list"] = t["themes"].str.split(";")
    return t


@pytest.fixture(scope="module")
def items(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every customer item with a non-empty text (what the pipeline should analyse)."""
    rows = []
    for name, col in TEXT_COL.items():
        df = frames[name]
        if "role" in df:
            df = df[df["role"] == "customer"]
        df = df[df[col].astype(str).str.strip() != ""]
        rows.append(pd.DataFrame({"file": name, "id": df[ID_COL[name]].astype(str), "text": df[col]}))
    return pd.concat(rows, ignore_index=True)


def _run(out: Path, seed: int = 2026, *extra: str) -> str:
    done = subprocess.run(
        [sys.executable, str(DATA / "generate.py"), "--out", str(out), "--seed", str(seed), *extra],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def test_generator_is_deterministic_and_matches_committed(tmp_path: Path) -> None:
    tables = _run(tmp_path / "a", 2026, "--stats")
    _run(tmp_path / "b")
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for line in tables.splitlines():
        if line.startswith("| 2026-"):
            assert line in readme, f"data/README.md is out of date: missing {line!r}; run --stats"
    for name in FILES:
        a = (tmp_path / "a" / name).read_bytes()
        assert a == (tmp_path / "b" / name).read_bytes(), f"{name} differs between two runs"
        assert a == (DEMO / name).read_bytes(), f"{name} differs from the committed data/demo/{name}"


def test_other_seed_changes_the_corpus(tmp_path: Path) -> None:
    _run(tmp_path / "c", seed=7)
    assert (tmp_path / "c" / "reviews.csv").read_bytes() != (DEMO / "reviews.csv").read_bytes()


def test_columns_counts_and_span(frames: dict[str, pd.DataFrame], items: pd.DataFrame) -> None:
    for name, cols in COLUMNS.items():
        assert list(frames[name].columns) == cols, name
    assert len(items) >= 2400
    dates = pd.concat([pd.to_datetime(frames[n][c], utc=True, format="ISO8601") for n, c in DATE_COL.items()])
    assert dates.min() <= pd.Timestamp("2026-04-02", tz="UTC")
    assert (dates.max() - dates.min()).days >= 180
    assert dates.max() < pd.Timestamp("2026-11-01", tz="UTC")
    for name in ("reviews.csv", "survey.csv", "tickets.jsonl"):
        df = frames[name]
        assert set(df["region"]) == {"North", "South", "East", "West", "Metro"}
        assert set(df["product"]) == {"Mobile", "Broadband", "TV"}
        assert set(df["plan"]) == {"Prepaid", "Essential", "Unlimited", "Business"}
    for name in FILES[:4]:
        ids = frames[name][ID_COL.get(name, "id")].astype(str)
        assert ids.is_unique, f"{name} has duplicate ids"


def test_ratings_and_ticket_fields(frames: dict[str, pd.DataFrame]) -> None:
    assert set(frames["reviews.csv"]["stars"].astype(int)) == {1, 2, 3, 4, 5}
    assert frames["survey.csv"]["nps"].astype(int).between(0, 10).all()
    t = frames["tickets.jsonl"]
    assert set(t["status"]) == {"open", "pending", "solved"}
    agent_share = (t["role"] == "agent").mean()
    assert 0.07 <= agent_share <= 0.15
    assert t.loc[t["status"] != "solved", "resolved"].isna().all()
    assert t.loc[t["status"] == "solved", "resolved"].notna().all()
    csat = t["csat"].dropna()
    assert len(csat) > 50 and csat.astype(int).between(1, 5).all()
    assert set(t.loc[t["csat"].notna(), "status"]) == {"solved"}
    assert (t["ticket_id"].str.rsplit("-", n=1).str[0] == t["ticket"]).all()


def test_truth_covers_every_row(frames: dict[str, pd.DataFrame], truth: pd.DataFrame) -> None:
    n_rows = sum(len(frames[n]) for n in FILES[:4])
    assert len(truth) == n_rows
    for name in FILES[:4]:
        ids = set(frames[name][ID_COL[name]].astype(str))
        assert ids == set(truth.loc[truth["file"] == name, "id"])
    cust = truth[truth["role"] == "customer"]
    themes = Counter(t for ts in cust["theme_list"] for t in ts if t)
    assert len(themes) >= 18
    assert set(";".join(cust["causes"]).split(";")) - {""} == {"people", "process", "technology"}
    assert (cust["language"] == "es").sum() >= 20


def _monthly(truth: pd.DataFrame, theme: str, extra: pd.Series | None = None) -> pd.Series:
    t = truth[truth["role"] == "customer"]
    mask = t["theme_list"].apply(lambda ts: theme in ts)
    if extra is not None:
        mask &= extra.loc[t.index]
    return t[mask].groupby("month").size().reindex([f"2026-{m:02d}" for m in range(4, 11)], fill_value=0)


def test_emerging_login_issue_spikes_in_october(truth: pd.DataFrame) -> None:
    monthly = _monthly(truth, "app_login")
    before = monthly.iloc[:-1]
    assert monthly["2026-10"] >= 5 * max(before.mean(), 1)
    assert before.max() <= 5
    oct_login = truth[(truth["planted"] == "app_login") & (truth["month"] == "2026-10")]
    assert set(oct_login["file"]) == {"reviews.csv", "social.csv", "tickets.jsonl", "survey.csv"}
    release_days = pd.to_datetime(oct_login.loc[oct_login["phase"] == "release", "date"])
    assert release_days.min() >= pd.Timestamp("2026-10-06")


def test_login_spike_is_in_the_text(frames: dict[str, pd.DataFrame], items: pd.DataFrame) -> None:
    words = re.compile(r"log ?in|sign in|2fa|verification|c[oó]digo|iniciar ses", re.IGNORECASE)
    merged = items.merge(_read("truth.csv")[["file", "id", "date"]], on=["file", "id"])
    hits = merged[merged["text"].str.contains(words)]
    per_month = hits.groupby(hits["date"].str[:7]).size()
    assert per_month["2026-10"] >= 4 * per_month.drop("2026-10").mean()


def test_hold_times_improve(truth: pd.DataFrame) -> None:
    complaints = _monthly(truth, "hold_times", truth["sentiment"].isin(["negative", "mixed"]))
    assert complaints["2026-10"] <= complaints["2026-04"] / 3
    assert complaints.is_monotonic_decreasing or (complaints.diff().dropna() <= 5).all()
    assert complaints["2026-04"] >= 60


def test_rude_store_staff_concentrated_in_south(truth: pd.DataFrame) -> None:
    t = truth[(truth["role"] == "customer") & truth["theme_list"].apply(lambda ts: "store_staff" in ts)]
    assert len(t) >= 100
    assert (t["region"] == "South").mean() >= 0.70
    others = truth[(truth["role"] == "customer") & ~truth["theme_list"].apply(lambda ts: "store_staff" in ts)]
    assert (others["region"] == "South").mean() <= 0.25


def test_stable_themes_do_not_spike(truth: pd.DataFrame) -> None:
    for theme in ("billing_error", "network_coverage", "praise", "app_crash"):
        monthly = _monthly(truth, theme)
        assert monthly.max() <= 2 * monthly.mean(), theme
        assert monthly.min() >= 0.4 * monthly.mean(), theme


def test_texts_are_diverse(items: pd.DataFrame) -> None:
    assert items["text"].nunique() >= 0.97 * len(items)
    sentences: Counter = Counter()
    for text in items["text"]:
        norm = {re.sub(r"[^a-z0-9 ]", "", s.lower()).strip() for s in re.split(r"[.!?\n]+", text)}
        sentences.update(s for s in norm if len(s.split()) >= 3)
    top, count = sentences.most_common(1)[0]
    assert count <= 0.03 * len(items), f"{top!r} appears in {count} items"
    lengths = items["text"].str.split().str.len()
    assert lengths.min() <= 3 and lengths.max() >= 80
    assert (items["text"].str.contains("\n\n")).sum() >= 40


def test_realistic_noise_is_present(items: pd.DataFrame) -> None:
    text = items["text"]
    assert text.str.contains(r"[\U0001F300-\U0001FAFF]").sum() >= 200  # emoji
    assert text.str.contains(r"@example\.(?:com|org|net)").sum() >= 20  # fake e-mails
    assert text.str.contains(r"555[- ]0\d{3}").sum() >= 20  # fake phone numbers
    assert text.str.contains(r"\?").sum() >= 300  # questions
    assert (
        text.str.contains(r"\b(?:dont|cant|pls|u|im|ngl|tbh|lol|lmao|smh|fr|idk|bruh|istg)\b").sum() >= 150
    )  # slang, txt-speak


def test_ticket_jsonl_is_one_object_per_line() -> None:
    for i, line in enumerate((DEMO / "tickets.jsonl").read_text(encoding="utf-8").splitlines(), start=1):
        assert isinstance(json.loads(line), dict), f"line {i}"
