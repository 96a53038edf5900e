"""Real-data floor for the themes lens: BANKING77 test queries against their 77 gold intents (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from voc import datasets

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not datasets.available("banking77"), reason="shared banking77 data folder absent")
def test_banking77_nmi_and_coverage_floor():
    from sklearn.metrics import normalized_mutual_info_score

    from voc.config import ThemesConfig
    from voc.evaluate.themes import encode_phrases_cached, load_corpus, outliers_as_singletons
    from voc.lenses.themes import OTHER_ID, ThemeModel

    texts, gold, emb = load_corpus("banking77")
    model = ThemeModel.fit(texts, emb, ThemesConfig(), encode_phrases_cached())
    lab = outliers_as_singletons(np.where(model.labels_ == OTHER_ID, -1, model.labels_), -1)
    assert normalized_mutual_info_score(gold, lab) >= 0.81  # BERTopic defaults: about 0.80 here
    assert model.coverage(model.labels_) >= 0.95
    labels = model.themes["label"].str.lower()
    assert labels.is_unique
