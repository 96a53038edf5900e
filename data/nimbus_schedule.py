"""When, where and on what theme each Nimbus demo item happens: the planted patterns live here."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

SEED = 2026
START, END = date(2026, 4, 1), date(2026, 10, 31)
RELEASE = date(2026, 10, 6)  # Nimbus app 5.2 ships: login breaks
MONTHS = [(2026, m) for m in range(4, 11)]
REGIONS = ["North", "South", "East", "West", "Metro"]
REGION_W = [20, 18, 20, 20, 22]
PLANS, PLAN_W = ["Prepaid", "Essential", "Unlimited", "Business"], [25, 35, 30, 10]
PRODUCT_W = {"Mobile": 55, "Broadband": 33, "TV": 12}

# Customer items per channel (ticket threads for tickets; follow-ups come on top).
CHANNEL_SIZE = {"reviews": 800, "tickets": 580, "social": 620, "survey": 500}

# Planted pattern 1: app login (technology). Items per month before the release, then the spike.
LOGIN_BEFORE = {4: 3, 5: 2, 6: 3, 7: 2, 8: 3, 9: 2, 10: 1}
LOGIN_SPIKE = 150
LOGIN_CHANNELS = {"reviews": 38, "social": 32, "tickets": 22, "survey": 8}
# Planted pattern 2: hold times (process), complaints falling month by month, a few "it got better".
HOLD_MONTHLY = {4: 95, 5: 85, 6: 65, 7: 50, 8: 38, 9: 27, 10: 18}
HOLD_LATE_SHARE = {4: 0.0, 5: 0.0, 6: 0.1, 7: 0.25, 8: 0.4, 9: 0.55, 10: 0.65}
HOLD_BETTER = {9: 5, 10: 8}
HOLD_CHANNELS = {"tickets": 35, "survey": 30, "reviews": 20, "social": 15}
# Planted pattern 3: rude store staff (people), concentrated in South.
STORE_TOTAL, STORE_SOUTH_P = 150, 0.78
STORE_CHANNELS = {"reviews": 35, "survey": 30, "social": 25, "tickets": 10}
# Planted pattern 4: calls and e-mails after opting out, blamed on staff (cause: CRM). Its own random stream,
# emitted after every other item, so the other patterns' rows are unchanged.
OPTOUT_TOTAL, OPTOUT_SEED = 90, 16
OPTOUT_CHANNELS = {"reviews": 35, "social": 35, "tickets": 30}
# Planted pattern 5: a churn wave after the price rise of 2026-09-15 (drawn after everything else, from its
# own random stream, so the items above and their texts do not move; see churn_wave below).
PRICE_RISE = date(2026, 9, 15)
CHURN_WAVE = {"reviews": 14, "social": 16, "survey": 10}
PLANTED = ("app_login", "hold_times", "store_staff", "optout_staff", "price_churn")

# Stable themes: base weight, and per-channel multipliers.
STABLE_W = {
    "app_crash": 6,
    "billing_error": 9,
    "refund_delay": 5,
    "cancellation": 5,
    "roaming_charges": 4,
    "network_coverage": 8,
    "broadband_outage": 7,
    "slow_speed": 7,
    "installation_missed": 5,
    "rude_agent": 4,
    "helpful_agent": 10,
    "chatbot": 5,
    "marketing_optout": 3,
    "sim_activation": 4,
    "delivery_delay": 4,
    "price_increase": 5,
    "praise": 22,
    "question": 6,
}
CHANNEL_MULT = {
    "reviews": {"app_crash": 1.8, "chatbot": 1.2},
    "tickets": {"praise": 0.3, "helpful_agent": 0.5, "question": 1.6, "sim_activation": 1.4},
    "social": {"question": 1.2, "broadband_outage": 1.3, "network_coverage": 1.3},
    "survey": {"praise": 1.6, "helpful_agent": 1.2, "question": 0.3},
}
SECONDARY_P = {"reviews": 0.30, "tickets": 0.25, "social": 0.12, "survey": 0.25}


def _day_in_month(rng: random.Random, year: int, month: int) -> date:
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return first + timedelta(days=rng.randrange((min(nxt, END + timedelta(days=1)) - first).days))


def _time(rng: random.Random, day: date) -> datetime:
    hour = rng.choices(
        range(24), weights=[1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 8, 6, 4, 2]
    )[0]
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _item(
    rng: random.Random,
    themes: dict,
    channel: str,
    theme: str,
    day: date,
    phase: str = "base",
    region: str | None = None,
) -> dict[str, Any]:
    t = themes[theme]
    products = {p: w for p, w in PRODUCT_W.items() if p in t["products"]}
    product = _pick(rng, products)
    plan = rng.choices(PLANS, weights=PLAN_W)[0]
    if product != "Mobile" and plan == "Prepaid":
        plan = "Essential"
    sentiment = "positive" if phase == "better" else t["sentiment"]
    item = {
        "channel": channel,
        "theme": theme,
        "phase": phase,
        "when": _time(rng, day),
        "region": region or rng.choices(REGIONS, weights=REGION_W)[0],
        "product": product,
        "plan": plan,
        "secondary": [],
        "sentiment": sentiment,
        "language": "en",
        "followup": False,
    }
    if rng.random() < SECONDARY_P[channel] and phase != "better":
        n = 2 if rng.random() < 0.15 else 1
        pool = [s for s in STABLE_W if s != theme and product in themes[s]["products"] and s != "question"]
        item["secondary"] = rng.sample(pool, n)
    polar = {themes[s]["sentiment"] for s in item["secondary"]} | {sentiment}
    if {"positive", "negative"} <= polar:
        item["sentiment"] = "mixed"
    spanish_ok = phase in ("base", "release") and (theme != "app_login" or phase == "release")
    if spanish_ok and not item["secondary"] and rng.random() < 0.03:
        item["language"] = "es"
    return item


def schedule(rng: random.Random, themes: dict) -> list[dict[str, Any]]:
    """All customer items (first turns) with channel, theme, phase, time and segments."""
    items: list[dict[str, Any]] = []
    for month, count in LOGIN_BEFORE.items():
        for _ in range(count):
            day = _day_in_month(rng, 2026, month)
            if month == 10:
                day = date(2026, 10, rng.randint(1, 5))
            items.append(_item(rng, themes, _pick(rng, LOGIN_CHANNELS), "app_login", day))
    span = (END - RELEASE).days + 1
    day_w = [min(1.0, (d + 1) / 2) * math.exp(-d / 25) for d in range(span)]
    for _ in range(LOGIN_SPIKE):
        day = RELEASE + timedelta(days=rng.choices(range(span), weights=day_w)[0])
        items.append(_item(rng, themes, _pick(rng, LOGIN_CHANNELS), "app_login", day, "release"))
    for month, count in HOLD_MONTHLY.items():
        for _ in range(count):
            phase = "late" if rng.random() < HOLD_LATE_SHARE[month] else "base"
            day = _day_in_month(rng, 2026, month)
            items.append(_item(rng, themes, _pick(rng, HOLD_CHANNELS), "hold_times", day, phase))
        for _ in range(HOLD_BETTER.get(month, 0)):
            day = _day_in_month(rng, 2026, month)
            items.append(_item(rng, themes, _pick(rng, HOLD_CHANNELS), "hold_times", day, "better"))
    for k in range(STORE_TOTAL):  # spread evenly over the months: concentrated in space, not in time
        region = "South" if rng.random() < STORE_SOUTH_P else rng.choice([r for r in REGIONS if r != "South"])
        day = _day_in_month(rng, 2026, MONTHS[k % len(MONTHS)][1])
        items.append(_item(rng, themes, _pick(rng, STORE_CHANNELS), "store_staff", day, region=region))
    for channel, size in CHANNEL_SIZE.items():
        have = sum(1 for it in items if it["channel"] == channel)
        weights = {k: w * CHANNEL_MULT[channel].get(k, 1.0) for k, w in STABLE_W.items()}
        for _ in range(size - have):
            day = START + timedelta(days=rng.randrange((END - START).days + 1))
            items.append(_item(rng, themes, channel, _pick(rng, weights), day))
    items.sort(key=lambda it: (it["when"], it["channel"], it["theme"]))
    return items


def churn_wave(rng: random.Random, themes: dict) -> list[dict[str, Any]]:
    """Customers saying they leave after the price rise: CHURN_WAVE items per channel, from PRICE_RISE to END."""
    span = (END - PRICE_RISE).days + 1
    day_w = [math.exp(-d / 20) for d in range(span)]  # most in the weeks right after the rise
    items = []
    for channel, count in CHURN_WAVE.items():
        for _ in range(count):
            day = PRICE_RISE + timedelta(days=rng.choices(range(span), weights=day_w)[0])
            item = _item(rng, themes, channel, "price_churn", day)
            item.update(secondary=[], sentiment="negative", language="en")
            items.append(item)
    items.sort(key=lambda it: (it["when"], it["channel"]))
    return items


def optout_schedule(themes: dict, seed: int = SEED) -> list[dict[str, Any]]:
    """Planted pattern 4: customers contacted after opting out who blame the staff (no survey: keeps its rows)."""
    rng = random.Random(seed * 101 + OPTOUT_SEED)
    items = []
    for k in range(OPTOUT_TOTAL):
        day = _day_in_month(rng, 2026, MONTHS[k % len(MONTHS)][1])
        items.append(_item(rng, themes, _pick(rng, OPTOUT_CHANNELS), "optout_staff", day))
    items.sort(key=lambda it: (it["when"], it["channel"]))
    return items
