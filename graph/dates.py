"""Normalise the date phrases news text uses ("on Monday", "last week") against a publication date."""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
_PARTS_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"


class DateError(ValueError):
    """A date phrase that cannot be read."""


def normalise(value, published: dt.date) -> dt.date:
    """Return the calendar date a phrase or ISO date stands for, relative to ``published`` (see ``_normalise``)."""
    try:
        return _normalise(value, published)
    except DateError:
        raise
    except (OverflowError, ValueError) as exc:  # "yesterday" or "in February" before the year 1
        raise DateError(f"{value!r} falls outside the calendar (years 1 to 9999): {exc}") from None


def _normalise(value, published: dt.date) -> dt.date:
    """Return the calendar date a phrase or ISO date stands for, relative to ``published``.

    >>> normalise("on Monday", dt.date(2025, 2, 5))
    datetime.date(2025, 2, 3)
    >>> normalise("Tuesday", dt.date(2025, 2, 5))
    datetime.date(2025, 2, 4)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError(f"expected a date or a date phrase, got {type(value).__name__} {value!r}")
    text = " ".join(value.strip().lower().split())
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    text = re.sub(r"^(on|this|earlier this|late|early)\s+", "", text)
    if text in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return published
    if text in ("yesterday", "last night") or re.fullmatch(r"yesterday" + _PARTS_OF_DAY, text):
        return published - dt.timedelta(days=1)
    if text == "last week":
        return published - dt.timedelta(days=7)
    match = re.fullmatch(r"(last\s+)?(" + "|".join(WEEKDAYS) + r")" + _PARTS_OF_DAY, text)
    if match:
        back = (published.weekday() - WEEKDAYS.index(match.group(2))) % 7
        if match.group(1) and back == 0:
            back = 7
        return published - dt.timedelta(days=back)
    match = re.fullmatch(r"(?:in\s+)?(" + "|".join(MONTHS) + r")(?:\s+(\d{1,2}))?(?:,?\s+(\d{4}))?", text)
    if match:
        month = MONTHS.index(match.group(1)) + 1
        day = int(match.group(2) or 1)
        year = int(match.group(3) or published.year)
        try:
            candidate = dt.date(year, month, day)
        except ValueError as exc:
            raise DateError(f"{value!r} is not a calendar date: {exc}") from None
        if not match.group(3) and candidate > published:
            candidate = candidate.replace(year=year - 1)
        return candidate
    raise DateError(
        f"cannot read the date {value!r}: give an ISO date (2025-02-03) or a phrase such as "
        "'on Monday', 'yesterday', 'last week', 'in January'"
    )
