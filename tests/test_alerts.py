"""Alert episodes: sequential tests on synthetic series with known answers, and on the analysed demo store."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from voc.errors import VocError
from voc.insights.episode_text import describe, episode_records
from voc.insights.episodes import detect_episodes
from voc.insights.spikes import benjamini_hochberg, rate_test

START = pd.Timestamp("2026-01-05")  # a Monday


def _series(weekly: dict[int, list[int]], neg_rate: dict[int, list[float]] | None = None, seed: int = 0):
    rng = np.random.default_rng(seed)
    rows = []
    for theme, counts in weekly.items():
        for week, n in enumerate(counts):
            rate = neg_rate[theme][week] if neg_rate else 0.3
            rows.append((theme, f"theme {theme}", START + pd.Timedelta(weeks=week), n, rng.binomial(n, rate)))
    return pd.DataFrame(rows, columns=["theme_id", "theme", "period", "volume", "negatives"])


def test_a_long_spike_is_one_ongoing_episode_and_stable_themes_are_quiet():
    rng = np.random.default_rng(1)
    weeks = 30
    weekly = {t: list(rng.poisson(40, weeks)) for t in range(8)}
    weekly[99] = list(rng.poisson(1, weeks - 4)) + [69, 44, 22, 16]  # the demo's login shape
    episodes = detect_episodes(_series(weekly))
    spike = episodes[episodes["theme_id"] == 99]
    assert len(spike) == 1, episodes
    ep = spike.iloc[0]
    assert ep["kind"] == "volume" and ep["ongoing"] and ep["periods"] == 4
    assert ep["start"] == START + pd.Timedelta(weeks=weeks - 4)
    assert ep["peak_ratio"] > 20 and ep["q_value"] < 1e-10
    assert set(episodes["theme_id"]) == {99}
    assert describe(ep).startswith(
        "theme 99: volume "
    ) and "since the week of 2026-07-06, ongoing" in describe(ep)


def test_a_theme_out_of_nowhere_is_new():
    weekly = {t: [30] * 20 for t in range(5)}
    weekly[7] = [0] * 17 + [12, 15, 14]
    episodes = detect_episodes(_series(weekly))
    assert list(zip(episodes["theme_id"], episodes["kind"])) == [(7, "new")]


def test_flat_noise_raises_almost_no_alarm():
    false_alarms = 0
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        weekly = {t: list(rng.poisson(rng.choice([3, 10, 40]), 26)) for t in range(20)}
        false_alarms += len(detect_episodes(_series(weekly, seed=seed)))
    assert false_alarms <= 2  # 20 runs x 20 themes x 22 tested weeks


def test_negative_share_rise_and_gradual_improvement():
    weeks = 30
    weekly = {t: [80] * weeks for t in range(4)}
    neg = {t: [0.2] * weeks for t in range(4)}
    neg[2] = [0.2] * (weeks - 2) + [0.7, 0.8]
    weekly[5] = [30] * 10 + list(np.linspace(30, 5, weeks - 10).round().astype(int))  # complaints fade
    neg[5] = [0.9] * weeks
    episodes = detect_episodes(_series(weekly, neg, seed=3))
    kinds = dict(zip(episodes["theme_id"], episodes["kind"]))
    assert kinds == {2: "negative_share", 5: "improvement"}, episodes
    better = episodes[episodes["theme_id"] == 5].iloc[0]
    assert better["ongoing"] and better["peak_ratio"] < 0.5
    assert describe(better).startswith("theme 5: improving, down ")


def test_one_spike_does_not_read_as_a_drop_everywhere_else():
    weekly = {t: [20] * 24 for t in range(6)}
    weekly[9] = [2] * 20 + [400, 380, 390, 400]  # one theme swamps the feedback for a month
    episodes = detect_episodes(_series(weekly))
    assert set(episodes["theme_id"]) == {9}


def test_rate_test_and_fdr():
    np.testing.assert_allclose(
        benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.005])), [0.02, 0.04, 0.04, 0.02]
    )
    assert np.isnan(benjamini_hochberg(np.array([np.nan, 0.2])))[0]
    # Equal rates are unremarkable both ways; a tenfold rate is not; over-dispersion weakens the evidence.
    assert (
        rate_test(10, 100, 100, 1000, upper=True) > 0.3 and rate_test(10, 100, 100, 1000, upper=False) > 0.3
    )
    strong, weak = rate_test(30, 100, 30, 1000), rate_test(30, 100, 30, 1000, phi=4.0)
    assert strong < 1e-10 < weak < 1e-2
    assert rate_test(0, 100, 300, 1000, upper=False) < 1e-6  # a drop to nothing


def test_episode_records_are_json_ready():
    weekly = {t: [30] * 12 for t in range(3)}
    weekly[4] = [1] * 10 + [25, 30]
    records = episode_records(detect_episodes(_series(weekly)))
    assert json.loads(json.dumps(records)) == records
    assert records[0]["start"] == "2026-03-16" and records[0]["ongoing"] is True


# On the analysed demo store (tests/conftest.py builds it once per session).


def _truth_by_theme(store) -> tuple[pd.Series, int]:
    from voc.insights.load import INSIGHT_COLUMNS, load_documents
    from voc.paths import PROJECT_ROOT

    docs = load_documents(store, columns=(*INSIGHT_COLUMNS, "source_id"))
    truth = pd.read_csv(PROJECT_ROOT / "data" / "demo" / "truth.csv", dtype=str)
    truth["primary"] = truth["themes"].fillna("").str.split(";").str[0]
    merged = docs.merge(
        truth[["file", "id", "primary"]], left_on=["source", "source_id"], right_on=["file", "id"]
    )
    majority = merged.groupby("theme_id")["primary"].agg(lambda s: s.value_counts().idxmax())
    login = int(merged.loc[merged["primary"] == "app_login", "theme_id"].value_counts().idxmax())
    return majority, login


def _churn_wave_themes(store) -> set[int]:
    """Themes holding at least 5 items of the planted churn wave (data/README.md, pattern 5)."""
    from voc.insights.load import INSIGHT_COLUMNS, load_documents
    from voc.paths import PROJECT_ROOT

    docs = load_documents(store, columns=(*INSIGHT_COLUMNS, "source_id"))
    truth = pd.read_csv(PROJECT_ROOT / "data" / "demo" / "truth.csv", dtype=str)
    wave = truth[truth["planted"] == "price_churn"]
    hits = docs.merge(wave[["file", "id"]], left_on=["source", "source_id"], right_on=["file", "id"])
    counts = hits["theme_id"].value_counts()
    return set(counts[counts >= 5].index.astype(int))


def test_demo_login_spike_is_one_ongoing_episode_hold_times_improve_and_no_false_alarm(demo_store):
    from voc.alerts import store_episodes

    episodes = store_episodes(demo_store)
    majority, login = _truth_by_theme(demo_store)
    mine = episodes[episodes["theme_id"] == login]
    assert len(mine) == 1, episodes
    ep = mine.iloc[0]
    assert ep["kind"] in ("volume", "new") and ep["start"] == pd.Timestamp("2026-10-05") and ep["ongoing"]
    assert ep["peak_ratio"] >= 10 and ep["q_value"] < 1e-10
    truth = episodes["theme_id"].map(majority)
    assert ((truth == "hold_times") & (episodes["kind"] == "improvement")).any(), episodes
    planted = ((truth == "app_login") & episodes["kind"].isin(["volume", "new"])) | (truth == "hold_times")
    wave = episodes["theme_id"].isin(_churn_wave_themes(demo_store)) & episodes["kind"].isin(["volume", "new"])
    planted |= wave & (episodes["start"] >= pd.Timestamp("2026-09-14"))  # the churn wave after the price rise
    false_alarms = episodes[~planted]
    assert false_alarms.empty, false_alarms  # over all themes and weeks


def test_voc_alerts_json_and_since(demo_store):
    from voc.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["alerts", "--store", str(demo_store), "--format", "json"])
    assert out.exit_code == 0, out.output
    records = json.loads(out.stdout)
    assert records and {
        "theme_id",
        "theme",
        "kind",
        "start",
        "last",
        "ongoing",
        "peak_ratio",
        "q_value",
    } <= set(records[0])
    assert all(r["kind"] in ("volume", "negative_share", "drop", "improvement", "new") for r in records)
    assert any(r["start"] == "2026-10-05" and r["ongoing"] for r in records)
    late = json.loads(
        runner.invoke(
            app, ["alerts", "--store", str(demo_store), "--format", "json", "--since", "2026-10-20"]
        ).stdout
    )
    assert all(r["last"] >= "2026-10-20" for r in late)
    table = runner.invoke(app, ["alerts", "--store", str(demo_store)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "since the week of 2026-10-05, ongoing" in table.stdout
    bad = runner.invoke(app, ["alerts", "--store", str(demo_store), "--format", "xml"])
    assert bad.exit_code != 0


def test_webhook_sends_each_new_episode_once(tmp_path):
    """voc alerts --notify against a local HTTP server: Slack-shaped JSON, one POST per new episode, never twice."""
    import http.server
    import threading

    from voc.alerts import notify, notify_after_run
    from voc.config import PipelineConfig
    from voc.store import Store
    from voc.store.alerts_sent import sent

    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"type": self.headers["Content-Type"], "body": json.loads(body)})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    store = tmp_path / "s.duckdb"
    _store_with_spike(store)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        first = notify(store, url)
        assert [r["kind"] for r in first] == ["volume"] and len(received) == 1
        assert received[0]["type"] == "application/json"
        assert set(received[0]["body"]) == {"text"} and "since the week of" in received[0]["body"]["text"]
        assert notify(store, url) == [] and len(received) == 1  # the same episode is never sent again
        with Store(store).writer() as session:
            log = sent(session.con)
        assert len(log) == 1 and log["target"].iloc[0] == url
        from voc.cli import app

        again = CliRunner().invoke(app, ["alerts", "--store", str(store), "--notify", "--webhook", url])
        assert again.exit_code == 0 and "Sent 0 new episode(s)" in again.stdout and len(received) == 1
        after_run = tmp_path / "after_run.duckdb"
        _store_with_spike(after_run)
        cfg = PipelineConfig(alerts={"webhook": url})
        assert len(notify_after_run(cfg, after_run)) == 1 and len(received) == 2  # the `voc run` hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    fresh = tmp_path / "fresh.duckdb"
    _store_with_spike(fresh)
    assert notify_after_run(PipelineConfig(alerts={"webhook": url}), fresh) == []  # after a run it only warns
    with pytest.raises(VocError, match="webhook"):
        notify(fresh, url)  # the server is gone: a clear error naming the webhook, nothing recorded
    with Store(fresh).writer() as session:
        assert sent(session.con).empty


def _store_with_spike(path):
    """A small store: 6 themes, 20 weeks, theme 3 spiking over the last two weeks."""
    from voc.store import Store

    rng = np.random.default_rng(5)
    docs, preds = [], []
    for week in range(20):
        for theme in range(6):
            n = 40 if (theme == 3 and week >= 18) else int(rng.poisson(12))
            for i in range(n):
                doc_id = f"d{week}-{theme}-{i}"
                date = START.tz_localize("UTC") + pd.Timedelta(days=7 * week + i % 7, hours=10)
                docs.append(
                    {"doc_id": doc_id, "source": "t.csv", "row_number": len(docs), "text": "x", "date": date}
                )
                preds.append({"doc_id": doc_id, "sentiment": "negative", "theme_id": theme})
    store = Store(path)
    store.write_documents(pd.DataFrame(docs), run_id="r1")
    store.write_predictions(pd.DataFrame(preds), run_id="r1")
    store.write_themes(pd.DataFrame({"theme_id": range(6), "label": [f"Theme {t}" for t in range(6)]}))
