"""JSON and JSONL readers: find the records list at any depth, flatten nested objects, explode one list."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from voc.errors import InputError
from voc.ingest.mapping import NOT_TEXT, TEXT_WORDS, tokens
from voc.ingest.readers import ESCAPED, RawChunk, repair, rows_frame
from voc.ingest.sniff import DECODE_ERRORS

log = logging.getLogger(__name__)

JSON_MAX_BYTES = 1 << 30


def flatten(obj: dict[str, Any], prefix: str = "", lists: set[str] | None = None) -> dict[str, Any]:
    """Nested objects as dotted keys; lists of scalars ';'-joined; lists of objects left out (named in `lists`)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + ".", lists))
        elif isinstance(value, list):
            if any(isinstance(v, dict) for v in value):
                if lists is not None:
                    lists.add(name)
                continue
            items = [v for v in value if v is not None]
            out[name] = ";".join(json.dumps(v) if isinstance(v, list) else str(v) for v in items) or None
        else:
            out[name] = value
    return out


def _get(obj: Any, path: str) -> Any:
    for part in path.split(".") if path else []:
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def explode_record(
    record: dict[str, Any], path: str | None, lists: set[str] | None = None
) -> list[dict[str, Any]]:
    """One flat row per object in the list at `path` (parent fields kept on each); the record itself if none.

    Each element's row gets `row_id` = "<parent id>:<element id or position>", so the parent's id is kept.
    """
    if not path:
        return [flatten(record, lists=lists)]
    items = _get(record, path)
    parent = flatten(record, lists=lists)
    if lists is not None:
        lists.discard(path)
    if not isinstance(items, list) or not items:
        return [parent]
    rows = []
    parent_id = record.get("id", "")
    for pos, item in enumerate(items, 1):
        child = flatten(item, path + ".", lists) if isinstance(item, dict) else {path: item}
        own = item.get("id", pos) if isinstance(item, dict) else pos
        rows.append({"row_id": f"{parent_id}:{own}", **parent, **child})
    return rows


def list_candidates(data: Any, path: str = "") -> list[tuple[str, int]]:
    """Every (dotted path, length) of a list holding objects, found through nested objects (not inside lists)."""
    found: list[tuple[str, int]] = []
    if isinstance(data, list):
        if any(isinstance(v, dict) for v in data[:1000]):
            found.append((path, len(data)))
        return found
    if isinstance(data, dict):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(value, (dict, list)):
                found.extend(list_candidates(value, sub))
    return found


def find_records(data: Any, records_path: str | None, where: Path) -> tuple[list[Any], str, list[str]]:
    """The records list (given path, else the largest list of objects, shallowest first) and a note on the choice."""
    if records_path:
        found = _get(data, records_path)
        if not isinstance(found, list):
            others = ", ".join(p for p, _ in list_candidates(data)) or "none"
            raise InputError(
                f"{where}: records_path '{records_path}' is not a list in this JSON; lists of objects found: "
                f"{others}. Pass one of them with --records-path."
            )
        return found, records_path, []
    if isinstance(data, list):
        return data, "", []
    cands = list_candidates(data)
    if not cands:
        keys = ", ".join(list(map(str, data))[:10]) if isinstance(data, dict) else type(data).__name__
        raise InputError(
            f"{where}: JSON holds no list of records (keys: {keys}); give an array of records [{{...}}, ...], "
            'an object holding one (e.g. {"tickets": [...]}), or name it with --records-path a.b.'
        )
    best = max(cands, key=lambda c: (_texty(_get(data, c[0])), c[1], -c[0].count(".")))
    others = [f"{p} ({n})" for p, n in cands if p != best[0]]
    return data if best[0] == "" else _get(data, best[0]), best[0], others


def _texty(items: Any) -> bool:
    """Whether the first objects of a list have a text-like field (a side-loaded list of users has none)."""
    for item in (items or [])[:20]:
        if isinstance(item, dict):
            for key in flatten(item):
                words = set(tokens(key))
                if words & TEXT_WORDS and not words & NOT_TEXT:
                    return True
    return False


class JsonReader:
    """A JSON file loaded whole: its records list (found at any depth), flattened, optionally exploded."""

    def __init__(
        self,
        path: Path,
        encoding: str,
        chunk_size: int,
        records_path: str | None = None,
        explode: str | None = None,
    ) -> None:
        self.path, self.chunk_size, self.explode = path, chunk_size, explode
        size = path.stat().st_size
        if size > JSON_MAX_BYTES:
            raise InputError(
                f"{path}: JSON file is {size / 2**30:.1f} GB; a JSON array must be loaded whole, so files over "
                f"{JSON_MAX_BYTES / 2**30:.0f} GB are refused. Convert it to JSONL (one object per line, e.g. "
                "`jq -c '.[]' in.json > out.jsonl`), which is streamed."
            )
        text = path.read_bytes().decode(encoding, errors=DECODE_ERRORS)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                "if it holds one object per line, name it .jsonl or pass --format jsonl."
            ) from None
        if not isinstance(data, (dict, list)):
            raise InputError(
                f"{path}: JSON holds a {type(data).__name__}, not records; give an array of objects."
            )
        records, self.records_path, others = find_records(data, records_path, path)
        if records and not any(isinstance(item, dict) for item in records[:1000]):
            raise InputError(
                f"{path}: JSON array holds {type(records[0]).__name__} values, not records; give objects such as "
                '[{"text": "..."}, ...].'
            )
        self.notes: list[str] = []
        if self.records_path:
            self.notes.append(f"records from '{self.records_path}' ({len(records)} items)")
        if others:
            self.notes.append(f"other lists of objects: {', '.join(others)} (choose one with --records-path)")
        self.records = records
        self.repaired_any = bool(ESCAPED.search(text))
        self.object_lists: set[str] = set()
        sample = [r for item in records[:chunk_size] if isinstance(item, dict)
                  for r in explode_record(item, explode, self.object_lists)]  # fmt: skip
        self.columns = _columns_of(sample)
        _note_lists(self.notes, self.object_lists, explode)
        self.row_estimate = len(records) if not explode else sum(_rows_of(r, explode) for r in records)

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size rows."""
        rows: list[dict[str, Any]] = []
        nums: list[int] = []
        bad: list[tuple[int, str]] = []
        repaired = row = 0
        for i, item in enumerate(self.records, start=1):
            if not isinstance(item, dict):
                row += 1
                bad.append((row, f"record {i} is a JSON {type(item).__name__}, not an object"))
                flats: list[dict[str, Any]] = []
            else:
                flats = explode_record(item, self.explode)
            for flat in flats:
                row += 1
                if self.repaired_any and any(isinstance(v, str) and ESCAPED.search(v) for v in flat.values()):
                    flat = {k: _repair_value(v) for k, v in flat.items()}
                    repaired += 1
                rows.append(flat)
                nums.append(row)
                if len(rows) + len(bad) >= self.chunk_size:  # an exploded record may span chunks
                    yield _chunk(rows, nums, bad, self.columns, keep, repaired)
                    rows, nums, bad, repaired = [], [], [], 0
            if bad and len(rows) + len(bad) >= self.chunk_size:
                yield _chunk(rows, nums, bad, self.columns, keep, repaired)
                rows, nums, bad, repaired = [], [], [], 0
        if rows or bad:
            yield _chunk(rows, nums, bad, self.columns, keep, repaired)


class JsonLinesReader:
    """JSONL read line by line; a bad line is one malformed row. records_path unwraps each line (API pages)."""

    def __init__(
        self,
        path: Path,
        encoding: str,
        chunk_size: int,
        records_path: str | None = None,
        explode: str | None = None,
    ) -> None:
        self.path, self.encoding, self.chunk_size = path, encoding, chunk_size
        self.records_path, self.explode = records_path or self._page_records(), explode
        self.notes: list[str] = []
        self.object_lists: set[str] = set()
        self.columns: list[str] = []
        self._sampling = True
        first = next(self.chunks(None), None)
        self._sampling = False
        if first is not None:
            self.columns = _columns_of(first.frame.to_dict("records")) if len(first.frame) else []
        if not self.columns and first is not None and first.malformed and not len(first.frame):
            raise InputError(
                f"{path}: no line of the first {first.read} is a JSON object; JSONL needs one "
                '{"column": value, ...} object per line.'
            )
        if self.records_path:
            how = "" if records_path else " (each line is an API page)"
            self.notes.append(f"records from '{self.records_path}' in each line{how}")
        _note_lists(self.notes, self.object_lists, explode)

    def _page_records(self) -> str | None:
        """The records path when the first object line is an API page: a list of objects beside only paging fields."""
        with open(self.path, encoding=self.encoding, errors=DECODE_ERRORS, newline="\n") as fh:
            for line in fh:
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError:
                        return None
                    break
            else:
                return None
        cands = [c for c in list_candidates(obj) if c[0]] if isinstance(obj, dict) else []
        if not cands:
            return None
        best = max(cands, key=lambda c: (_texty(_get(obj, c[0])), c[1], -c[0].count(".")))[0]
        rest = {k: v for k, v in flatten(obj).items() if not k.startswith(best + ".")}
        prose = any(isinstance(v, str) and " " in v.strip() for v in rest.values())  # records carry text
        return None if prose else best

    def _rows(self, obj: Any, lineno: int) -> tuple[list[dict[str, Any]], str | None]:
        if self.records_path:
            obj = _get(obj, self.records_path)
            if obj is None:
                return [], f"line {lineno}: no '{self.records_path}' in this line"
            items = obj if isinstance(obj, list) else [obj]
        else:
            items = [obj]
        rows: list[dict[str, Any]] = []
        for item in items:
            if not isinstance(item, dict):
                return rows, f"line {lineno}: a JSON {type(item).__name__}, not an object"
            rows.extend(explode_record(item, self.explode, self.object_lists if self._sampling else None))
        return rows, None

    def chunks(self, keep: list[str] | None = None) -> Iterator[RawChunk]:
        """Yield RawChunks of up to chunk_size rows (blank lines are not rows)."""
        numbered = bool(self.records_path or self.explode)  # rows numbered in order, else by line number
        with open(self.path, encoding=self.encoding, errors=DECODE_ERRORS, newline="\n") as fh:
            recs: list[dict[str, Any]] = []
            nums: list[int] = []
            bad: list[tuple[int, str]] = []
            repaired = row = 0
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    rows, error = self._rows(json.loads(line), lineno)
                except json.JSONDecodeError as exc:
                    rows, error = [], f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})"
                escaped = bool(rows) and ESCAPED.search(line) is not None
                items: list[dict[str, Any] | str] = [*rows, *([error] if error else [])]
                for item in items:  # one line may hold many rows (an API page): chunks stay within chunk_size
                    row += 1
                    if isinstance(item, str):
                        bad.append((row if numbered else lineno, item))
                    else:
                        recs.append({k: _repair_value(v) for k, v in item.items()} if escaped else item)
                        repaired += escaped
                        nums.append(row if numbered else lineno)
                    if len(recs) + len(bad) >= self.chunk_size:
                        yield _chunk(recs, nums, bad, self.columns or _columns_of(recs), keep, repaired)
                        if self._sampling:
                            return
                        recs, nums, bad, repaired = [], [], [], 0
            if recs or bad or self._sampling:
                yield _chunk(recs, nums, bad, self.columns or _columns_of(recs), keep, repaired)


def _rows_of(record: Any, path: str) -> int:
    items = _get(record, path) if isinstance(record, dict) else None
    return max(1, len(items)) if isinstance(items, list) else 1


def _chunk(rows, nums, bad, columns, keep, repaired) -> RawChunk:  # type: ignore[no-untyped-def]
    values = [[rec.get(c) for c in columns] for rec in rows]
    return RawChunk(rows_frame(columns, keep, values), np.asarray(nums, dtype=np.int64), bad, repaired)


def _columns_of(records: list[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for rec in records:
        if isinstance(rec, dict):
            for key in rec:
                seen.setdefault(str(key), None)
    return list(seen)


def _note_lists(notes: list[str], lists: set[str], explode: str | None) -> None:
    if lists:
        names = ", ".join(sorted(lists))
        hint = "" if explode else " (--explode NAME reads one as a row per element)"
        notes.append(f"lists of objects not read as columns: {names}{hint}")


def _repair_value(value: Any) -> Any:
    return repair(value) if isinstance(value, str) else value
