"""Filters shared by the app, the CLI and the exports: one object, rendered as SQL for the store."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Filter(BaseModel):
    """A view of the feedback: date range, channels, sources, languages, segments, rating band, sentiment, cause."""

    date_from: date | None = None
    date_to: date | None = None
    channels: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)  # ISO 639-1 codes, or "und"
    segments: dict[str, list[str]] = Field(default_factory=dict)
    rating_min: float | None = None
    rating_max: float | None = None
    sentiments: list[str] = Field(default_factory=list)
    causes: list[str] = Field(default_factory=list)
    theme_ids: list[int] = Field(default_factory=list)
    columns: dict[str, list[bool | str]] = Field(default_factory=dict)  # a lens's boolean/label column: values
    list_columns: dict[str, list[str]] = Field(default_factory=dict)  # a lens's label-list column: any of

    def to_sql(self) -> tuple[str, list]:
        """A WHERE clause over the joined documents view ('TRUE' when empty) and its parameters."""
        clauses: list[str] = []
        params: list = []

        def among(column: str, values: list) -> None:
            if values:
                clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)

        if self.date_from:
            clauses.append("date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("date < ?::DATE + INTERVAL 1 DAY")
            params.append(self.date_to)
        among("channel", self.channels)
        among("source", self.sources)
        among("language", self.languages)
        for key, values in self.segments.items():
            if values:
                clauses.append(f"json_extract_string(segments, ?) IN ({', '.join('?' for _ in values)})")
                params.extend([f"$.{key}", *values])
        if self.rating_min is not None:
            clauses.append("rating >= ?")
            params.append(self.rating_min)
        if self.rating_max is not None:
            clauses.append("rating <= ?")
            params.append(self.rating_max)
        among("sentiment", self.sentiments)
        if self.causes:
            clauses.append("list_has_any(causes, ?::VARCHAR[])")
            params.append(self.causes)
        among("theme_id", self.theme_ids)
        for column, values in self.columns.items():
            among(_identifier(column), values)
        for column, values in self.list_columns.items():
            if values:
                clauses.append(f"list_has_any({_identifier(column)}, ?::VARCHAR[])")
                params.append(values)
        return (" AND ".join(clauses) or "TRUE"), params


def _identifier(column: str) -> str:
    """A lens column name, double-quoted for SQL (a name that is not a plain identifier is refused)."""
    if not column.isidentifier():
        raise ValueError(f"filter column {column!r} is not a plain identifier; name a lens output column")
    return f'"{column}"'
