"""Sniff a file before reading it: its format, its text encoding, and whether it is binary."""

from __future__ import annotations

import codecs
import csv
import logging
import re
from pathlib import Path

from voc.errors import InputError

log = logging.getLogger(__name__)

SAMPLE_BYTES = 1 << 20
DECODE_ERRORS = "voc_escape"  # codec error handler: invalid bytes become U+DC80..U+DCFF, repaired later
_ESCAPED = re.compile("[\udc80-\udcff]")


ESCAPES = [0]  # how many times the handler ran (process-wide): readers scan rows only once it has moved


def _escape_handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    ESCAPES[0] += 1
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(0xDC00 + b) if b >= 0x80 else "\ufffd" for b in bad), exc.end


codecs.register_error(DECODE_ERRORS, _escape_handler)
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
SUPPORTED = (
    "CSV (.csv), TSV (.tsv), JSON (.json), JSONL (.jsonl/.ndjson), Parquet (.parquet) and XLSX (.xlsx)"
)
TEXT_FORMATS = ("csv", "tsv", "json", "jsonl")
MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)", "xlsx"),
    (b"PAR1", "a Parquet file", "parquet"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.xls/.doc)", None),
    (b"%PDF", "a PDF document", None),
    (b"\x89PNG", "a PNG image", None),
    (b"\xff\xd8\xff", "a JPEG image", None),
    (b"GIF8", "a GIF image", None),
    (b"\x1f\x8b", "a gzip archive", None),
    (b"SQLite format 3", "an SQLite database", None),
    (b"\x7fELF", "an executable", None),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_format(path: Path, forced: str | None) -> str:
    """The reader to use: the forced format, else the one the file extension names."""
    if forced:
        return forced
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    hint = " (.xls is not supported: save it as .xlsx)" if suffix == ".xls" else ""
    raise InputError(
        f"{path}: unsupported file extension '{suffix or '(none)'}'{hint}. Supported formats are {SUPPORTED}; "
        "if the file is one of these under another name, force the format with --format csv|tsv|json|jsonl|"
        "parquet|xlsx (or `format:` in the pipeline YAML)."
    )


def check_file(path: Path, fmt: str) -> bytes:
    """Fail clearly on a missing, empty or binary-looking file; return the first bytes of it."""
    if not path.exists():
        raise InputError(
            f"{path}: file does not exist; check the path (relative paths start from {Path.cwd()})."
        )
    if not path.is_file():
        raise InputError(f"{path}: is not a regular file (a directory?); pass a single data file.")
    if path.stat().st_size == 0:
        raise InputError(
            f"{path}: file is empty (0 bytes); export the data again or remove it from the inputs."
        )
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if fmt in TEXT_FORMATS:
        for magic, what, fmt_hint in MAGIC:
            if head.startswith(magic):
                fix = (
                    f" pass --format {fmt_hint} or rename the file" if fmt_hint else " export it as CSV/XLSX"
                )
                raise InputError(
                    f"{path}: this is {what}, not {fmt.upper()} text; read as {fmt} it would be garbage;{fix}."
                )
        if not head.strip(b" \t\r\n\x00"):
            raise InputError(f"{path}: file holds only whitespace; there are no rows to read.")
    elif fmt == "xlsx" and not head.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{path}: not an XLSX workbook (no ZIP signature); check the file or pass --format csv."
        )
    elif fmt == "parquet" and not head.startswith(b"PAR1"):
        raise InputError(f"{path}: not a Parquet file (no PAR1 signature); check the file or pass --format.")
    return head


def _bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    sample = head[:65536]
    controls = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13, 27))
    return sample.count(0) > 0.05 * len(sample) or controls > 0.15 * len(sample)


def detect_encoding(path: Path, head: bytes, forced: str | None) -> str:
    """The text encoding: forced, else a BOM, else UTF-8 if the sample decodes, else charset-normalizer."""
    if forced:
        try:
            codecs.lookup(forced)
        except LookupError:
            raise InputError(
                f"{path}: unknown encoding '{forced}'; use a Python codec name such as utf-8, utf-16, cp1252 or latin-1."
            ) from None
        return forced
    bom = _bom_encoding(head)
    if bom:
        return bom
    no_bom = _utf16_without_bom(head)
    if no_bom:
        return no_bom
    if _looks_binary(head):
        raise InputError(
            f"{path}: looks like a binary file (NUL or control bytes in the first {len(head[:65536])} bytes), "
            "not delimited text; check that it is the export you meant, or pass --format for its real format."
        )
    text = codecs.getincrementaldecoder("utf-8")(errors=DECODE_ERRORS).decode(head, final=False)
    invalid = len(_ESCAPED.findall(text))
    if invalid == 0:
        return "utf-8"
    multibyte = sum(1 for c in text if c > "\x7f") - invalid
    if multibyte >= invalid:  # mostly UTF-8 with a few stray single-byte characters: keep UTF-8, repair those
        log.warning("%s: UTF-8 with %d invalid bytes in the first %d bytes; they will be read as cp1252",
                    path, invalid, len(head))  # fmt: skip
        return "utf-8"
    from charset_normalizer import from_bytes

    sample = head[:262144]
    best = from_bytes(sample).best()
    if best is None:
        raise InputError(
            f"{path}: cannot work out the text encoding (the bytes look binary); pass the encoding explicitly "
            "(`encoding:` in the pipeline YAML, e.g. cp1252) or check the file."
        )
    name = codecs.lookup(best.encoding).name
    if (
        name != "cp1252"
    ):  # Western text is far more common than the narrow code pages a small sample can suggest
        western = from_bytes(sample, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos + 0.1:
            name = "cp1252"
    log.info("%s: detected encoding %s", path, name)
    return name


def sniff_delimiter(first_line: str, fmt: str) -> str:
    """The field delimiter: tab for TSV; for CSV the most frequent of , ; | tab in the header line."""
    if fmt == "tsv":
        return "\t"
    counts = {d: _count_outside_quotes(first_line, d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _count_outside_quotes(line: str, delim: str) -> int:
    try:
        return max(len(next(csv.reader([line], delimiter=delim))) - 1, 0)
    except (csv.Error, StopIteration):
        return line.count(delim)


COUNT_EXACT_BYTES = 64 << 20  # files up to this size have their lines counted; larger ones are extrapolated
_PROBE_BYTES = 4 << 20


def estimate_rows(path: Path) -> int:
    """Lines in a text file: counted up to COUNT_EXACT_BYTES, else extrapolated from its first bytes."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(size if size <= COUNT_EXACT_BYTES else _PROBE_BYTES)
    lines = head.count(b"\n") + (1 if head and not head.endswith(b"\n") else 0)
    return int(lines * size / len(head)) if head and size > len(head) else lines
