"""Read a hand-written dev set (JSON lines) into a frame, naming the file and line of a bad record."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from voc.errors import InputError


def read_dev_jsonl(path: Path, keys: tuple[str, ...], name: str = "Dev set") -> pd.DataFrame:
    """The records' `keys` as columns; an InputError names a missing file, or the line of a bad record."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{name} {path} is missing; it ships in the checkout's data/ folder.")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({k: row[k] for k in keys})
        except (json.JSONDecodeError, KeyError) as exc:
            raise InputError(f"{path} line {n}: not a valid record ({exc}); need {', '.join(keys)}.") from None
    return pd.DataFrame(rows, columns=list(keys))
