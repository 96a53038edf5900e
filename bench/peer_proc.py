"""Helpers shared by bench.peer and bench.scale: measured child processes, a fresh voc cache, machine facts."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# What a fresh voc cache may get from ~/.cache/voc: the one-off ONNX export of the shared encoder and numba's
# compiled-code cache. The embedding cache (embeddings/) is never copied, so every text is really encoded.
WARM_CACHE_PARTS = ("onnx", "numba")


# A tiny launcher (python -S, stdlib only) forks the measured child. Linux keeps the high-water RSS of the
# address space a process forked from, so a child forked straight from this (large) process would report
# at least our own RSS; forked from the ~10 MB launcher it reports its own peak.
_LAUNCHER = """import json, os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
json.dump({"wall_s": wall, "maxrss_kb": ru.ru_maxrss, "cpu_s": ru.ru_utime + ru.ru_stime,
           "returncode": os.waitstatus_to_exitcode(status)}, open(out, "w"))
"""


def run_measured(cmd: list[str], env: dict[str, str] | None = None, log_path: Path | None = None) -> dict:
    """Run cmd as a fresh process; wall seconds from fork to exit and that process's own peak RSS (wait4)."""
    full_env = {**os.environ, **(env or {})}
    log = open(log_path, "w", encoding="utf-8") if log_path else subprocess.DEVNULL  # noqa: SIM115
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats.json"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(stats), *cmd]
        try:
            subprocess.run(
                launcher, env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, check=False
            )
        finally:
            if log_path:
                log.close()
        if not stats.is_file():
            return {"cmd": " ".join(cmd), "wall_s": None, "peak_rss_mb": None, "returncode": -1}
        got = json.loads(stats.read_text())
    return {
        "cmd": " ".join(cmd),
        "wall_s": round(got["wall_s"], 2),
        "peak_rss_mb": round(got["maxrss_kb"] / 1024, 1),
        "cpu_s": round(got["cpu_s"], 1),
        "returncode": got["returncode"],
    }


def check_ok(result: dict, log_path: Path | None) -> None:
    """Exit with the child's log tail when it failed."""
    if result["returncode"] != 0:
        tail = Path(log_path).read_text(encoding="utf-8", errors="replace")[-3000:] if log_path else ""
        sys.exit(f"child failed ({result['returncode']}): {result['cmd']}\n{tail}")


def fresh_voc_cache(target: Path, source: Path | None = None) -> dict:
    """An empty VOC_CACHE_DIR at target, with only the ONNX export and numba cache copied; says what was warm."""
    source = source or Path(os.environ.get("VOC_CACHE_DIR") or Path.home() / ".cache" / "voc")
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for part in WARM_CACHE_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
            copied.append(part)
    return {
        "voc_cache_dir": str(target),
        "copied_from": str(source),
        "warm": copied,
        "cold": "embeddings (empty: every text is encoded), everything else",
    }


def machine_info() -> dict:
    """CPU count, model, memory, load average and the competing processes' CPU use, for the report."""
    info: dict = {
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "time_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["mem_gb"] = round(int(mem) / 1024**2, 1)
    except OSError:
        pass
    try:
        out = subprocess.run(
            ["ps", "-eo", "pcpu,args", "--sort=-pcpu"], check=False, capture_output=True, text=True, timeout=5
        )
        busy = [ln.strip()[:100] for ln in out.stdout.splitlines()[1:4] if float(ln.split()[0]) > 20]
        info["busy_processes"] = busy
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    return info


def describe_machine(info: dict) -> str:
    """One paragraph about the machine for the printed report."""
    text = (
        f"machine: {info.get('cpu_model', info['machine'])}, {info['cpus']} cores, {info.get('mem_gb', '?')} GB RAM,"
        f" Python {info['python']}; load average {info['loadavg']} at {info['time_utc']} UTC"
    )
    if info.get("busy_processes"):
        text += "\n  other busy processes at the start (timings are pessimistic): " + "; ".join(
            info["busy_processes"]
        )
    return text


def read_runs(store_path: Path) -> list[dict]:
    """The store's runs table (timings and model_versions decoded), oldest first."""
    import voc  # noqa: F401 - sets HF_HUB_OFFLINE
    from voc.store import Store

    df = Store(store_path, read_only=True).runs()
    rows = json.loads(df.to_json(orient="records", date_format="iso"))
    for row in rows:
        for key in ("timings", "model_versions", "inputs", "config"):
            if isinstance(row.get(key), str):
                try:
                    row[key] = json.loads(row[key])
                except ValueError:
                    pass
    return rows


def write_json(path: Path, payload: dict) -> None:
    """Write the JSON result, creating bench/results/ if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
