"""Calendar-aligned UTC windows for quotas and budgets: where the current one started and when it resets."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta


class Window(enum.StrEnum):
    """A fixed calendar period in UTC; weeks start on Monday (as OpenRouter's weekly budgets do)."""

    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @property
    def is_quota(self) -> bool:
        """True for day and longer: a refusal then reads as a quota (``daily_quota``), not a rate limit."""
        return self in (Window.DAY, Window.WEEK, Window.MONTH)

    @property
    def adjective(self) -> str:
        return {"second": "per-second", "minute": "per-minute", "hour": "hourly", "day": "daily",
                "week": "weekly", "month": "monthly"}[self.value]


def _start(window: Window, moment: datetime) -> datetime:
    if window is Window.SECOND:
        return moment.replace(microsecond=0)
    if window is Window.MINUTE:
        return moment.replace(second=0, microsecond=0)
    if window is Window.HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if window is Window.DAY:
        return day
    if window is Window.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next(window: Window, start: datetime) -> datetime:
    steps = {Window.SECOND: timedelta(seconds=1), Window.MINUTE: timedelta(minutes=1),
             Window.HOUR: timedelta(hours=1), Window.DAY: timedelta(days=1), Window.WEEK: timedelta(weeks=1)}
    if window in steps:
        return start + steps[window]
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


def window_start(window: Window, now: float) -> float:
    """Epoch seconds at which the window containing ``now`` began (UTC calendar boundaries)."""
    return _start(window, datetime.fromtimestamp(now, UTC)).timestamp()


def reset_at(window: Window, now: float) -> float:
    """Epoch seconds at which the window containing ``now`` ends and its counts start again from zero."""
    return _next(window, _start(window, datetime.fromtimestamp(now, UTC))).timestamp()


def iso_utc(moment: float) -> str:
    """``2026-12-01T00:00:00Z``: the form every ``reset_at`` is shown in."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
