"""A Streamlit session without a browser: one websocket to /_stcore/stream, one script run, timed.

It speaks the browser's protocol (the protobufs shipped in `streamlit.proto`): open the stream with the
"streamlit" subprotocol, send a BackMsg `rerun_script` carrying the page's query string, then read ForwardMsgs
(new_session, deltas, page_info_changed, ...) until `script_finished`. A run counts as rendered when it
finished successfully and drew the app's end-of-render marker; an Exception element among its deltas, a
compile error, a closed socket or the timeout is an error. The server does all its work for the page (queries,
chart specs, Arrow frames) and sends every byte; what is not measured is the browser drawing it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = "/_stcore/stream"
FINISHED_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
FINISHED_SUCCESSFULLY = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


@dataclass
class Render:
    """One session's script run: seconds to script_finished, the error if any, messages and bytes received."""

    seconds: float
    error: str | None
    messages: int = 0
    bytes: int = 0


def stream_url(url: str) -> str:
    """ws://host:port/_stcore/stream for an app served at http://host:port."""
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{STREAM_PATH}"


def rerun_message(query_string: str, url: str) -> bytes:
    """The BackMsg a browser sends when it opens `url?query_string`: run the main script with no widget state."""
    context = ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", url=url, color_scheme="light")
    state = ClientState(query_string=query_string, page_script_hash="", context_info=context)
    return BackMsg(rerun_script=state).SerializeToString()


def _exception_text(msg: ForwardMsg) -> str | None:
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    if element.WhichOneof("type") != "exception":
        return None
    return f"{element.exception.type}: {element.exception.message}"[:300]


def _has_marker(msg: ForwardMsg, marker: str) -> bool:
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return False
    element = msg.delta.new_element
    return element.WhichOneof("type") == "markdown" and marker in element.markdown.body


async def _run(url: str, query_string: str, marker: str | None, out: Render, t0: float) -> None:
    # no open timeout or keep-alive pings of the library's own: a slow handshake is part of the page's time,
    # and the one overall timeout in render_page decides when a page has failed
    connect = websockets.connect(
        stream_url(url), subprotocols=["streamlit"], max_size=None, open_timeout=None, ping_interval=None
    )
    async with connect as ws:
        await ws.send(rerun_message(query_string, f"{url}/?{query_string}"))
        seen_marker = marker is None
        async for frame in ws:
            out.messages += 1
            out.bytes += len(frame)
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            out.error = out.error or _exception_text(msg)
            seen_marker = seen_marker or _has_marker(msg, marker)
            if msg.WhichOneof("type") != "script_finished":
                continue
            if msg.script_finished == FINISHED_EARLY_FOR_RERUN:
                continue  # the app asked for a rerun: wait for that run's end
            out.seconds = time.perf_counter() - t0
            if msg.script_finished != FINISHED_SUCCESSFULLY:
                out.error = out.error or f"script finished with status {msg.script_finished}"
            elif not seen_marker:
                out.error = out.error or "finished without the end-of-render marker"
            return
        out.error = out.error or "the server closed the stream before the script finished"


async def render_page(url: str, query_string: str, marker: str | None = None, timeout: float = 120) -> Render:
    """Open a new session on the app at `url`, run it for `query_string`, return the time to script_finished."""
    t0 = time.perf_counter()
    out = Render(seconds=float("nan"), error=None)
    try:
        await asyncio.wait_for(_run(url, query_string, marker, out, t0), timeout)
    except TimeoutError:
        out.error = f"no script_finished within {timeout:.0f} s"
    except (OSError, websockets.WebSocketException) as exc:
        out.error = f"{type(exc).__name__}: {exc}"[:300]
    if out.seconds != out.seconds:  # nan: the run never finished
        out.seconds = time.perf_counter() - t0
    return out
