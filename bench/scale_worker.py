"""`voc run` with timers on the two transformer passes: `python -m bench.scale_worker OUT.json -- <voc args>`.

Exactly the `voc` console script (voc.cli.main) in this process, except that perf_counter timers wrap
voc.encode.encoder.Encoder._run (the shared MiniLM encoder: tokenise, ONNX run, pooling; only for texts the
cache does not hold) and voc.encode.onnx_export.OnnxTokenModel.run (the sentiment lens's own int8
transformer pass). The totals are written to OUT.json when the process exits. The timers cost a few
microseconds per batch.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import atexit
import functools
import json
import sys
from collections import defaultdict

TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TOTALS[name] += time.perf_counter() - start
            CALLS[name] += 1

    return wrapper


def install() -> None:
    """Wrap the shared encoder's model pass and the sentiment model's pass with timers."""
    from voc.encode import encoder, onnx_export

    encoder.Encoder._run = _timed("encoder", encoder.Encoder._run)
    onnx_export.OnnxTokenModel.run = _timed("sentiment_model", onnx_export.OnnxTokenModel.run)


def main() -> None:
    """Install the timers, then run voc's CLI with the arguments after `--`."""
    out, rest = sys.argv[1], sys.argv[sys.argv.index("--") + 1 :]

    def dump() -> None:
        payload = {"seconds": dict(TOTALS), "calls": dict(CALLS), "process_s": time.perf_counter() - T0}
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(payload, fh)

    atexit.register(dump)
    install()
    from voc.cli import main as voc_main

    sys.argv = ["voc", *rest]
    voc_main()


if __name__ == "__main__":
    main()
