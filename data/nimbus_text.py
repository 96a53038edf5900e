"""Compose the text of one Nimbus Mobile demo item from the hand-written fragments in data/fragments/."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path
from typing import Any

import yaml

FRAGMENTS = Path(__file__).resolve().parent / "fragments"
THEME_FILES = ("themes_tech.yaml", "themes_process.yaml", "themes_people.yaml", "optout_blame.yaml", "churn_wave.yaml")
_SLOT = re.compile(r"\{([a-z_]+)\}")
_ORDINAL = {2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th"}

# Per channel: probabilities of the optional parts of an item.
_STYLE_KEYS = (
    "short",
    "opener",
    "detail",
    "question",
    "pii",
    "closer",
    "emoji",
    "hashtag",
    "slang",
    "noisy",
    "paragraphs",
)
STYLE: dict[str, dict[str, float]] = {
    "reviews": dict(
        zip(_STYLE_KEYS, (0.1, 0.35, 0.3, 0.2, 0.03, 0.45, 0.25, 0.0, 0.05, 0.35, 0.5), strict=True)
    ),
    "tickets": dict(
        zip(_STYLE_KEYS, (0.03, 0.8, 0.5, 0.3, 0.28, 0.35, 0.04, 0.0, 0.0, 0.15, 0.6), strict=True)
    ),
    "social": dict(
        zip(_STYLE_KEYS, (0.22, 0.4, 0.1, 0.25, 0.03, 0.3, 0.55, 0.3, 0.3, 0.6, 0.0), strict=True)
    ),
    "survey": dict(
        zip(_STYLE_KEYS, (0.22, 0.15, 0.25, 0.08, 0.02, 0.3, 0.08, 0.0, 0.02, 0.3, 0.2), strict=True)
    ),
}


def load_fragments() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Return (themes by name, common fragments) read from the YAML files."""
    themes: dict[str, dict[str, Any]] = {}
    for name in THEME_FILES:
        themes.update(yaml.safe_load((FRAGMENTS / name).read_text(encoding="utf-8")))
    common = yaml.safe_load((FRAGMENTS / "common.yaml").read_text(encoding="utf-8"))
    return themes, common


class Composer:
    """Builds item texts with a caller-supplied seeded random generator."""

    def __init__(self, themes: dict[str, dict[str, Any]], common: dict[str, Any]) -> None:
        self.themes = themes
        self.c = common

    # ----- slots -------------------------------------------------------------------------------
    def fill(self, text: str, rng: random.Random, ctx: dict[str, Any]) -> str:
        """Replace {slot} markers with seeded values (ctx values win)."""
        slots = self.c["slots"]
        speed_paid = rng.choice([300, 500, 900])

        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in ctx:
                return str(ctx[key])
            if key in slots:
                return str(rng.choice(slots[key]))
            simple = {
                "n": lambda: rng.randint(3, 9),
                "nth": lambda: _ORDINAL[rng.randint(2, 6)],
                "days": lambda: rng.randint(2, 12),
                "weeks": lambda: rng.randint(2, 6),
                "hours": lambda: rng.choice([2, 2, 3, 3, 4]),
                "mins": lambda: rng.randint(35, 140),
                "short_mins": lambda: rng.randint(3, 12),
                "late_mins": lambda: rng.randint(15, 30),
                "years": lambda: rng.randint(2, 15),
                "amount": lambda: f"${rng.randint(5, 240)}.{rng.choice(['00', '99', '50', '49', '18'])}",
                "paid": lambda: speed_paid,
                "speed": lambda: rng.randint(4, max(5, speed_paid // 12)),
                "email": lambda: f"{rng.choice(slots['email_user'])}@{rng.choice(slots['email_domain'])}",
                "phone": lambda: _phone(rng),
                "account": lambda: (
                    f"{rng.choice(['NM-', 'NM', 'ACC ', ''])}{rng.randint(10_000_000, 99_999_999)}"
                ),
                "card": lambda: rng.choice(
                    ["4111 1111 1111 1111", "5555 5555 5555 4444", "4012 8888 8888 1881"]
                ),
                "ref": lambda: f"CAS-{rng.randint(100_000, 999_999)}",
            }
            return str(simple[key]()) if key in simple else match.group(0)

        return _SLOT.sub(value, text)

    # ----- pieces ------------------------------------------------------------------------------
    def issue_sentences(self, theme: str, k: int, rng: random.Random, phase: str) -> list[str]:
        """Up to k distinct issue sentences of a theme for a phase (base, release, late, better)."""
        t = self.themes[theme]
        pool = list(t["sentences"])
        if phase == "release":
            pool = list(t["release"])
        elif phase == "late":
            pool = list(t["late"]) + list(t["late"]) + rng.sample(t["sentences"], 3)
        elif phase == "better":
            pool = list(t["better"])
        picked: list[str] = []
        for s in rng.sample(pool, len(pool)):
            if s not in picked:
                picked.append(s)
            if len(picked) == k:
                break
        return picked

    def compose(self, item: dict[str, Any], rng: random.Random) -> str:
        """The text of one customer item (see generate.py for the item fields)."""
        st = STYLE[item["channel"]]
        slots = self.c["slots"]
        ctx = {"plan": item["plan"] or "Unlimited"}  # one agent, store, country ... per item
        for key in ("agent", "store", "country", "version", "weekday", "area"):
            ctx[key] = rng.choice(slots[key])
        if item["language"] == "es":
            return self.fill(self._spanish(item, rng), rng, ctx)
        if item.get("followup"):
            text = self._followup(item, rng)
        elif rng.random() < st["short"] and _short_ok(item) and not item["secondary"]:
            text = self._short(item, rng)
        else:
            text = self._full(item, rng, st)
        text = self.fill(text, rng, ctx)
        if rng.random() < st["noisy"]:
            text = add_noise(text, rng, heavy=item["channel"] == "social")
        return text

    def _tone(self, item: dict[str, Any]) -> str:
        s = item["sentiment"]
        return "negative" if s in ("negative", "mixed") else s

    def _short(self, item: dict[str, Any], rng: random.Random) -> str:
        text = rng.choice(self.themes[item["theme"]]["short"])
        if item["phase"] == "release" and rng.random() < 0.5:
            text += rng.choice([" (5.2)", " since 5.2", " after the update", " on the new version"])
        tone = self._tone(item)
        if rng.random() < 0.5:
            text += " " + "".join(rng.choice(self.c["emoji"][tone]) for _ in range(rng.randint(1, 3)))
        if item["channel"] == "social" and rng.random() < 0.4:
            text = rng.choice(["@NimbusMobile ", "@NimbusHelp ", ""]) + text
        if rng.random() < 0.3:
            text += " " + rng.choice(self.c["hashtags"][tone])
        return text

    def _full(self, item: dict[str, Any], rng: random.Random, st: dict[str, float]) -> str:
        tone = self._tone(item)
        first = (
            "positive"
            if self.themes[item["theme"]]["sentiment"] == "positive" or item["phase"] == "better"
            else tone
        )
        channel = item["channel"]
        parts: list[str] = []
        if rng.random() < st["opener"]:
            ops = self.c["openers"][channel]
            parts.append(rng.choice(ops["any"] + (ops["negative"] if first == "negative" else [])))
        long = channel in ("reviews", "tickets") and rng.random() < 0.12
        k = rng.randint(3, 5) if long else rng.choices([1, 2, 3, 4], weights=[50, 33, 13, 4])[0]
        issues = self.issue_sentences(item["theme"], k, rng, item["phase"])
        parts.extend(issues[:2])
        details = self.c["details"] if first == "negative" else self.c["details_positive"]
        if first == "negative" and "technology" in self.themes[item["theme"]]["cause"]:
            details = details + self.c["details_tech"]
        for _ in range(2 if long else 1):
            if long or rng.random() < st["detail"]:
                parts.append(rng.choice(details))
        parts.extend(issues[2:])
        for second in item["secondary"]:
            s_sent = self.themes[second]["sentiment"]
            if tone == "negative" and s_sent == "positive":
                link = rng.choice(self.c["links"]["positive"])
            elif tone != "negative" and s_sent == "negative":
                link = rng.choice(self.c["links"]["contrast"])
            else:
                link = rng.choice(self.c["links"]["negative"]) if s_sent == "negative" else ""
            sent = self.issue_sentences(second, 1, rng, "base")[0]
            if link and not link.endswith(":") and not sent.startswith("{"):
                sent = sent[0].lower() + sent[1:] if not sent[:2].isupper() else sent
            parts.append(f"{link} {sent}".strip())
        if rng.random() < st["question"] and tone != "positive":
            parts.append(rng.choice(self.c["questions"]))
        if rng.random() < st["pii"]:
            parts.append(rng.choice(self.c["pii"]))
        if rng.random() < st["slang"]:
            i = rng.randrange(len(parts))
            parts[i] = f"{rng.choice(self.c['slang'])} {parts[i][0].lower()}{parts[i][1:]}"
        if rng.random() < st["closer"]:
            parts.append(rng.choice(self.c["closers"][tone]))
        text = self._join(parts, rng, st, channel)
        if channel == "tickets" and rng.random() < 0.3:
            text += (
                "\n\n"
                + rng.choice(self.c["closers"]["tickets"])
                + "\n"
                + rng.choice(self.c["slots"]["customer"])
            )
        if rng.random() < st["emoji"]:
            text += " " + "".join(rng.choice(self.c["emoji"][tone]) for _ in range(rng.randint(1, 3)))
        if rng.random() < st["hashtag"]:
            text += " " + " ".join(rng.sample(self.c["hashtags"][tone], rng.randint(1, 2)))
        return text

    def _join(self, parts: list[str], rng: random.Random, st: dict[str, float], channel: str) -> str:
        if len(parts) >= 5 and rng.random() < st["paragraphs"]:
            sep = "\n" if channel == "reviews" and rng.random() < 0.3 else "\n\n"
            cuts = sorted(rng.sample(range(2, len(parts) - 1), 2 if len(parts) >= 7 else 1))
            bounds = [0, *cuts, len(parts)]
            return sep.join(" ".join(parts[a:b]) for a, b in itertools.pairwise(bounds))
        if channel == "tickets" and parts and parts[0].endswith(",") and rng.random() < 0.6:
            return parts[0] + "\n\n" + " ".join(parts[1:])
        return " ".join(parts)

    def _followup(self, item: dict[str, Any], rng: random.Random) -> str:
        tone = "positive" if item["sentiment"] == "positive" else "negative"
        parts = [rng.choice(self.c["followups"][tone])]
        if tone == "negative":
            parts += self.issue_sentences(item["theme"], rng.randint(1, 2), rng, item["phase"])
            if rng.random() < 0.4:
                parts.append(rng.choice(self.c["closers"]["negative"]))
        elif rng.random() < 0.6:
            parts.append(rng.choice(self.c["closers"]["positive"]))
        text = " ".join(parts)
        if rng.random() < 0.5:
            text += (
                "\n\n"
                + rng.choice(self.c["closers"]["tickets"])
                + "\n"
                + rng.choice(self.c["slots"]["customer"])
            )
        return text

    def _spanish(self, item: dict[str, Any], rng: random.Random) -> str:
        es = self.c["es"]
        tone = self._tone(item)
        pool = list(self.themes[item["theme"]]["es"])
        parts = []
        if rng.random() < 0.5:
            parts.append(rng.choice(es["openers"]))
        parts += rng.sample(pool, rng.randint(1, min(2, len(pool))))
        if rng.random() < 0.6:
            parts.append(rng.choice(es["closers"][tone]))
        if rng.random() < 0.3:
            parts.append(rng.choice(self.c["emoji"][tone]))
        return " ".join(parts)

    def agent_reply(self, theme: str, rng: random.Random) -> str:
        """An agent turn of a ticket thread about a theme (the pipeline must skip these)."""
        a = self.c["agent_replies"]
        body = rng.sample(a["bodies"], rng.randint(0, 2))
        for cause in self.themes[theme]["cause"]:
            body.insert(rng.randint(0, len(body)), rng.choice(a["by_cause"][cause]))
        if not body:
            body = [rng.choice(a["bodies"])]
        text = rng.choice(a["openers"]) + "\n\n" + " ".join(body) + "\n\n" + rng.choice(a["closers"])
        return self.fill(text, rng, {})


def _short_ok(item: dict[str, Any]) -> bool:
    """Short forms only where they fit the phase (login ones mention the update)."""
    if item["phase"] == "release":
        return True
    return item["phase"] == "base" and item["theme"] != "app_login"


def _phone(rng: random.Random) -> str:
    area = rng.choice([202, 312, 415, 646, 713])
    last = rng.randint(100, 199)
    fmt = rng.choice(["+1 {a} 555 0{l}", "({a}) 555-0{l}", "{a}-555-0{l}", "+1-{a}-555-0{l}"])
    return fmt.format(a=area, l=last)


_SWAPS = [
    (r"\byou\b", "u"),
    (r"\bplease\b", "pls"),
    (r"\bbecause\b", "cuz"),
    (r"\bthough\b", "tho"),
    (r"\bdon't\b", "dont"),
    (r"\bcan't\b", "cant"),
    (r"\bI'm\b", "im"),
    (r"\bit's\b", "its"),
    (r"\bdoesn't\b", "doesnt"),
    (r"\bwon't\b", "wont"),
    (r"\bI've\b", "ive"),
    (r"\bare\b", "r"),
]


def add_noise(text: str, rng: random.Random, heavy: bool = False) -> str:
    """Seeded typos, txt-speak, casing and punctuation quirks."""
    for pattern, repl in _SWAPS:
        if rng.random() < (0.35 if heavy else 0.15):
            text = re.sub(pattern, repl, text)
    words = text.split(" ")
    for _ in range(rng.randint(1, 3 if heavy else 2)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) < 4 or not w.isalpha():
            continue
        j = rng.randrange(1, len(w) - 1)
        op = rng.choice(["swap", "drop", "double"])
        if op == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        elif op == "drop":
            w = w[:j] + w[j + 1 :]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
    text = " ".join(words)
    r = rng.random()
    if r < (0.45 if heavy else 0.15):
        text = text.lower()
    elif r < 0.55 and heavy:
        text = text.rstrip(".")
    if rng.random() < 0.12:
        text = re.sub(r"\.(\s|$)", r"!!\1", text, count=1)
    if rng.random() < 0.08:
        text = text.replace(". ", ".. ", 1)
    return text
