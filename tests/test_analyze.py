"""voc.analyze: the public one-call API on lists, DataFrames and files."""

import pandas as pd
import pytest

import voc
from voc.errors import InputError

EXPECTED = {
    "doc_id", "text", "sentiment", "sentiment_score", "p_negative", "p_neutral", "p_positive",
    "theme_id", "theme_label", "causes", "cause_scores", "cause_evidence", "reject_reason",
}  # fmt: skip


def test_single_string_list_gives_one_row_with_every_column():
    out = voc.analyze(["The app crashes every time I log in and nobody at support cares."])
    assert len(out) == 1
    assert EXPECTED <= set(out.columns)
    row = out.iloc[0]
    assert row["sentiment"] == "negative"
    assert -1 <= row["sentiment_score"] < 0
    assert abs(row["p_negative"] + row["p_neutral"] + row["p_positive"] - 1) < 1e-4
    assert "technology" in row["causes"]
    start, end = row["cause_evidence"]["technology"]
    assert 0 <= start < end <= len(row["text"])


def test_dataframe_rows_keep_input_order_and_rejects_are_reported():
    df = pd.DataFrame(
        {
            "comment": [
                "Loved the quick delivery, thanks!",
                "",
                "Email me at jane.doe@example.com, the refund never arrived.",
                "   ",
                "Terrible hold music and a 2 hour wait.",
            ]
        }
    )
    out = voc.analyze(df, text="comment")
    assert len(out) == len(df)
    assert out["reject_reason"].tolist()[1] == "empty_text"
    assert out["reject_reason"].tolist()[3] == "empty_text"
    assert out["sentiment"].isna().tolist() == [False, True, False, True, False]
    assert "[EMAIL]" in out["text"].iloc[2] and "jane.doe" not in out["text"].iloc[2]
    assert out["sentiment"].iloc[0] == "positive"


def test_missing_text_column_is_a_clear_error():
    with pytest.raises(InputError, match="review"):
        voc.analyze(pd.DataFrame({"body": ["x"]}), text="review")


def test_file_path_input(tmp_path):
    path = tmp_path / "fb.csv"
    pd.DataFrame({"id": [1, 2], "text": ["Great staff at the store.", "Checkout page froze twice."]}).to_csv(path, index=False)
    out = voc.analyze(str(path))
    assert out["sentiment"].tolist()[0] == "positive"
    assert len(out) == 2


def test_themes_come_with_each_documents_secondary_span_themes():
    login = ["The app will not let me log in after the update.", "Login fails every morning with an error code.",
             "I cannot sign in to my account on the app since Monday.", "Password reset link never logs me in."]
    refund = ["My refund still has not arrived after three weeks.", "Still waiting for the refund you promised.",
              "The refund for my returned parcel never came.", "Where is my money back for the cancelled order?"]
    delivery = ["The parcel arrived four days late.", "Courier left my delivery in the rain.",
                "My order was delivered to the wrong address.", "Delivery was late again this week."]  # fmt: skip
    single = [f"{t} Case {i}." for i in range(12) for t in (*login, *refund, *delivery)][:120]
    mixed = [f"{login[i % 4]} Also, {refund[i % 4].lower()}" for i in range(24)]
    out = voc.analyze(single + mixed)
    assert "theme_secondary" in out.columns
    themed = out["theme_id"].notna()
    assert themed.all()
    ids = set(out["theme_id"])
    for primary, more in zip(out["theme_id"], out["theme_secondary"]):
        assert isinstance(more, list) and primary not in more and set(more) <= ids
    share = out["theme_secondary"].map(bool)
    assert share.iloc[len(single):].mean() > 2 * share.iloc[: len(single)].mean()  # two-issue documents get one
