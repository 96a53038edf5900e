"""Tell the user what was read: format, encoding, sheet or records path, mapping with reasons, scale, samples."""

from __future__ import annotations

from collections.abc import Callable

from voc.config import ColumnMap
from voc.ingest.source import Source
from voc.ingest.values import as_text
from voc.ingest.workbook import PROBE_ROWS
from voc.schema import RATING_RANGES


def _exact(source: Source, estimate: int | None) -> bool:
    """Whether the row count is known rather than estimated (the sample held every row, or the format says)."""
    if source.format in ("json", "parquet", "dataframe"):
        return True
    return (
        estimate is not None
        and source.sample_complete
        and (source.format != "xlsx" or estimate <= PROBE_ROWS)
    )


def sample_texts(source: Source, n: int = 3, width: int = 100) -> list[str]:
    """The first n non-empty texts of the source's sample, cut to `width` characters."""
    col = source.mapping.text
    if col is None or col not in source.sample:
        return []
    text, present = as_text(source.sample[col])
    texts = [t for t in text[present].tolist() if t][:n]
    return [t if len(t) <= width else t[: width - 1] + "…" for t in (" ".join(x.split()) for x in texts)]


def report(source: Source, redact: Callable[[str], str] | None = None) -> list[str]:
    """Lines describing what `source` will read, without reading past its sample."""
    enc = f", encoding {source.encoding}" if source.encoding else ""
    lines = [f"{source.name}", f"  format      {source.format}{enc}"]
    for note in source.notes:
        lines.append(f"  read        {note}")
    if source.preset:
        lines.append(f"  preset      {source.preset.name} (channel {source.preset.channel})")
    lines.append("  columns")
    m = source.mapping
    for fld in ColumnMap.model_fields:
        value = getattr(m, fld)
        optional = fld not in ("text", "date", "rating", "id", "channel", "segments")
        if not value and optional and not (fld == "role" and source.role_equals):
            continue
        shown = ", ".join(value) if isinstance(value, list) else value
        if fld == "role" and source.role_equals:
            shown = f"{source.role_equals[0]} = {source.role_equals[1]}"
        reason = source.reasons.get(fld, "")
        lines.append(f"    {fld:<9} {shown or '—'}" + (f"  ({reason})" if shown and reason else ""))
    if m.rating and source.rating_scale:
        lo, hi = RATING_RANGES[source.rating_scale]
        lines.append(f"  rating      {source.rating_scale} {lo:g}-{hi:g} ({source.scale_note})")
    elif m.rating:
        lines.append(f"  rating      scale unknown ({source.scale_note})")
    else:
        lines.append("  rating      none")
    estimate = source.row_estimate
    exact = _exact(source, estimate)
    if estimate is not None:
        lines.append(f"  rows        {'' if exact else 'about '}{estimate:,}")
    texts = sample_texts(source)
    if texts:
        lines.append("  samples" + (" (PII redacted)" if redact else ""))
        for i, t in enumerate(texts, 1):
            lines.append(f"    {i}. {redact(t) if redact else t}")
    return lines
