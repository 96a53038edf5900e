"""Value parsing: dates in many formats to UTC, ratings to numbers and to [0, 1] on their scale."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from voc.schema import RATING_RANGES

DATE_DTYPE = "datetime64[ns, UTC]"
_MISSING = {"", "nan", "nat", "none", "null", "na", "n/a", "-"}
_EPOCH = r"^\d{9,13}(?:\.\d+)?$"
# helpdesk good/bad satisfaction (Zendesk): the ends of a 1-5 scale, so CSAT (share of 4-5) = good / (good + bad)
_LABELS = {"good": 5.0, "bad": 1.0, "good with comment": 5.0, "bad with comment": 1.0}
_UNRATED = {"offered", "unoffered"}  # a survey sent but not answered: no rating
_FORMATS_MDY = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter API: Tue Feb 24 11:35:52 -0800 2015
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
)
_FORMATS_DMY = tuple(f.replace("%m/%d", "%d/%m") for f in _FORMATS_MDY)
_FORMATS_COMMON = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%Y%m%d",
    "%B %Y",
    "%b %Y",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
)


def as_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Values as stripped strings, and a mask of the ones present (not null, empty or 'NaN'-like)."""
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.astype("str").str.strip()
    else:
        text = values.astype("str")
    present = text.notna() & ~text.str.lower().isin(_MISSING)
    return text, present


def parse_dates(
    values: pd.Series, date_format: str | None = None, dayfirst: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Parse to UTC datetimes (naive times are taken as UTC); returns (dates, mask of present-but-unparseable)."""
    out = pd.Series(pd.NaT, index=values.index, dtype=DATE_DTYPE)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = values if getattr(values.dt, "tz", None) is not None else values.dt.tz_localize("UTC")
        return _to_utc_ns(dates), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numeric = pd.to_numeric(values, errors="coerce")
        present = numeric.notna()
        out[present] = _from_epoch(numeric[present])
        return out, present & out.isna()
    text, present = as_text(values)
    todo = present.copy()
    if values.dtype == object:
        datetimes = values.map(lambda v: isinstance(v, np.datetime64) or hasattr(v, "year")).astype(bool)
    else:
        datetimes = pd.Series(False, index=values.index)
    todo &= ~datetimes
    if datetimes.any():
        out[datetimes] = _to_utc_ns(
            pd.to_datetime(values[datetimes].astype(object), utc=True, errors="coerce")
        )
    if date_format:
        out[todo] = _coerce(text[todo], date_format)
        return out, present & out.isna()
    epoch = todo & text.str.match(_EPOCH, na=False)
    if epoch.any():
        out[epoch] = _from_epoch(pd.to_numeric(text[epoch], errors="coerce"))
        todo &= ~epoch
    if todo.any():
        out[todo] = _coerce(text[todo], "ISO8601")
        todo &= out.isna()
    for fmt in (
        (_FORMATS_DMY if dayfirst else _FORMATS_MDY)
        + (_FORMATS_MDY if dayfirst else _FORMATS_DMY)
        + _FORMATS_COMMON
    ):
        if not todo.any():
            break
        out[todo] = _coerce(text[todo], fmt)
        todo &= out.isna()
    if todo.any():  # last resort, per value: only strings with enough digits to be a full date
        plausible = todo & (text.str.count(r"\d+") >= 3)
        if plausible.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[plausible] = _coerce(text[plausible], "mixed", dayfirst=dayfirst)
    return out, present & out.isna()


def _coerce(text: pd.Series, fmt: str, dayfirst: bool = False) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(text, format=fmt, utc=True, errors="coerce", dayfirst=dayfirst)
        except (ValueError, OverflowError, TypeError):
            parsed = pd.Series(pd.NaT, index=text.index, dtype=DATE_DTYPE)
    return _to_utc_ns(parsed)


def _to_utc_ns(dates: pd.Series) -> pd.Series:
    try:
        return dates.dt.tz_convert("UTC").astype(DATE_DTYPE)
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        low, high = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
        dates = dates.dt.tz_convert("UTC").where((dates > low) & (dates < high))
        return dates.astype(DATE_DTYPE)


def _from_epoch(numbers: pd.Series) -> pd.Series:
    millis = numbers.abs() > 1e11
    seconds = numbers.where(~millis, numbers / 1000.0)
    ok = seconds.between(0, 4.1e9)  # 1970 .. 2099
    out = pd.to_datetime(seconds.where(ok), unit="s", utc=True, errors="coerce")
    return out.astype(DATE_DTYPE)


def sniff_dayfirst(values: pd.Series) -> bool:
    """True when slash dates in the sample are day-first (some first part > 12, no second part > 12)."""
    text, present = as_text(values)
    parts = text[present].str.extract(r"^(\d{1,2})/(\d{1,2})/\d{2,4}")
    parts = parts.dropna().astype(int)
    if parts.empty:
        return False
    return bool((parts[0] > 12).any() and not (parts[1] > 12).any())


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from numeric or text values ('4', '4,5', '4/5', '5 stars'); returns (numbers, present mask)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        return numbers, numbers.notna()
    text, present = as_text(values)
    lower = text.str.lower()
    present &= ~lower.isin(_UNRATED)
    numbers = pd.to_numeric(text.where(present), errors="coerce").astype(float)
    labelled = present & lower.isin(_LABELS)
    if labelled.any():
        numbers[labelled] = lower[labelled].map(_LABELS)
    retry = present & numbers.isna()
    if retry.any():
        lead = text[retry].str.extract(r"^([-+]?\d+(?:[.,]\d+)?)(?:\s*(?:/\s*\d+|stars?|points?|pts)?\s*)$")[
            0
        ]
        numbers[retry] = pd.to_numeric(lead.str.replace(",", ".", regex=False), errors="coerce")
    return numbers, present


def normalise_rating(numbers: pd.Series, scale: str) -> pd.Series:
    """Ratings mapped to [0, 1] on their scale (CES inverted: low effort is good); NaN outside the range."""
    lo, hi = RATING_RANGES[scale]
    norm = (numbers - lo) / (hi - lo)
    norm = norm.where((numbers >= lo) & (numbers <= hi))
    return 1.0 - norm if scale == "ces" else norm


def infer_scale_from_values(numbers: pd.Series) -> str | None:
    """The scale a sample of ratings must be on when unambiguous: 1-5 -> stars, 0..10 with 0 or >7 -> nps."""
    sample = numbers.dropna()
    if sample.empty or not np.allclose(sample, sample.round()):
        if not sample.empty and sample.min() >= 1 and sample.max() <= 5:
            return "stars"
        return None
    lo, hi = float(sample.min()), float(sample.max())
    if lo >= 1 and hi <= 5:
        return "stars"
    if lo >= 0 and hi <= 10 and (lo == 0 or hi > 7):
        return "nps"
    return None


def fits_scale(numbers: pd.Series, scale: str) -> bool:
    """Whether every sampled rating lies inside the scale's range."""
    lo, hi = RATING_RANGES[scale]
    sample = numbers.dropna()
    return bool(sample.empty or ((sample >= lo) & (sample <= hi)).all())
