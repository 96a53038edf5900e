"""Blamed vs likely cause per theme: who customers blame, what the evidence points to, and whom to route to.

A confirmed theme cause (set by an editor, see voc.store.cause_map) wins over the documents' likely-cause mix,
which is only a suggestion and labelled as such.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

BLAME_COLUMNS = ("blamed", "likely_cause", "likely_subcause")
OWNERS = {"people": "CX / training", "process": "Operations", "technology": "Product / engineering"}


def _as_list(value) -> list[str]:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return [str(v) for v in list(value)]
    return []


def theme_blame(members: pd.DataFrame, confirmed: dict | None = None) -> dict | None:
    """Blame shares, likely-cause mix, the top likely sub-cause, a report line and the owner for one theme.

    Without the sub-cause lens's columns, only a confirmed cause gives a line (None when there is none)."""
    lens = "blamed" in members and "likely_cause" in members
    blamed = (
        [_as_list(b) for b in members["blamed"] if isinstance(b, (list, tuple)) or hasattr(b, "tolist")]
        if lens
        else []
    )
    if not blamed and not (confirmed and confirmed.get("cause")):
        return None
    with_blame = [b for b in blamed if b]
    blame_share = {c: sum(c in b for b in with_blame) / len(with_blame) for c in OWNERS} if with_blame else {}
    likely = [c for c in members["likely_cause"] if isinstance(c, str)] if blamed else []
    likely_mix = {c: n / len(likely) for c, n in Counter(likely).most_common()} if likely else {}
    subs = Counter(s for s in members.get("likely_subcause", pd.Series(dtype=object)) if isinstance(s, str))
    top_sub = subs.most_common(1)[0][0] if subs else None
    parts = []
    if blame_share:
        top_blame = max(blame_share, key=blame_share.get)
        parts.append(f"customers blame {top_blame} in {100 * blame_share[top_blame]:.0f}% of mentions")
    if confirmed and confirmed.get("cause"):
        sub = confirmed.get("subcause")
        carried = f" ({confirmed['merge_note']})" if confirmed.get("merge_note") else ""
        parts.append(
            f"confirmed root cause: {confirmed['cause']}"
            + (f", {sub.replace('_', ' ')}" if sub else "")
            + carried
        )
        route = confirmed["cause"]
    elif likely_mix:
        mix = ", ".join(f"{c} {100 * v:.0f}%" for c, v in likely_mix.items())
        parts.append(
            f"likely cause (suggestion, not confirmed): {mix}"
            + (f"; top failure point {top_sub.replace('_', ' ')}" if top_sub else "")
        )
        route = next(iter(likely_mix))
    else:
        route = None
    return {
        "blame_share": blame_share,
        "likely_mix": likely_mix,
        "likely_subcause": top_sub,
        "confirmed": confirmed or None,
        "line": "; ".join(parts),
        "owner": OWNERS.get(route, f"Owner of {route}") if route else None,
    }
