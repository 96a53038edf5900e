"""The per-run view a page renders: store path, data version, theme map, filter and reporting window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from voc.app.sql import ThemeMap
from voc.insights.filters import Filter
from voc.lenses.themes.languages import LANGUAGE_ID_BASE

PERIOD_DAYS = {"7 days": 7, "30 days": 30, "90 days": 90}


@dataclass(frozen=True)
class Ctx:
    """Everything a page needs to query: pass `ctx.args` first to every voc.app.data function."""

    path: str
    ver: str  # documents + predictions version (see store_access.content_version)
    tmap: ThemeMap
    flt: Filter
    opts: dict
    themes: pd.DataFrame = field(repr=False)
    period_days: int = 30
    file_ver: str = ""

    @property
    def fkey(self) -> str:
        """The filter as JSON (the cache key)."""
        return self.flt.model_dump_json()

    @property
    def args(self) -> tuple:
        """(path, ver, tmap, fkey): the leading arguments of the cached queries."""
        return self.path, self.ver, self.tmap, self.fkey

    def window(self) -> tuple[datetime, datetime, datetime]:
        """(previous start, current start, current end): the last `period_days` of the filtered range and the span before."""
        last = self.opts.get("date_max")
        if self.flt.date_to and (last is None or self.flt.date_to < last):
            last = self.flt.date_to
        end = pd.Timestamp(last or pd.Timestamp.now(tz="UTC").date()) + pd.Timedelta(days=1)  # naive UTC
        end = end.to_pydatetime()
        cur = end - timedelta(days=self.period_days)
        return cur - timedelta(days=self.period_days), cur, end

    def label(self, theme_id: int) -> str:
        """A theme's display label."""
        if theme_id is None or LANGUAGE_ID_BASE <= theme_id < 0:
            return "Unthemed"
        for tid, canon, label, _ in self.tmap:
            if tid == theme_id:
                return label
        return f"Theme {theme_id}"
