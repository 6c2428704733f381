"""Dates as the corpus stores them: 'YYYY-MM-DD', or 'YYYY-MM-DDTHH:MM:SS[+HH:MM]' when a time is known.

Owns the one reading of a date string, shared by the crawl process (feed and sitemap hints) and the
extraction workers (page metadata): ISO 8601 and its near forms (JSON-LD, meta tags, Atom, sitemaps),
RFC 822 (RSS), and a few forms pages write by hand. Pure and stdlib-only, so the crawl process can
import it without the extractor. Years outside 1990-2100 and impossible days are no date.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

ISO_LIKE_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
HAND_WRITTEN_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")
YEARS = range(1990, 2101)


def normalize_date(value: str | None) -> str | None:
    """The stored form of a date string; None when it is no readable date."""
    if not value or not isinstance(value, str):
        return None
    match = ISO_LIKE_RE.match(value)
    if match:
        return _iso(*match.groups())
    value = value.strip()
    try:
        stamp = parsedate_to_datetime(value)  # RFC 822: "Tue, 28 Jan 2025 10:00:00 +0100"
    except (TypeError, ValueError, IndexError):
        stamp = None
    if stamp is not None:
        return stamp.isoformat() if stamp.year in YEARS else None
    for fmt in HAND_WRITTEN_FORMATS:
        try:
            day = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return day.isoformat() if day.year in YEARS else None
    return None


def _iso(year, month, day, hour, minute, second, zone) -> str | None:
    try:
        day_value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if day_value.year not in YEARS:
        return None
    if hour is None:
        return day_value.isoformat()
    try:
        stamp = datetime(day_value.year, day_value.month, day_value.day, int(hour), int(minute), int(second or 0))
    except ValueError:
        return day_value.isoformat()
    text = stamp.isoformat()
    if zone:
        text += "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    return text
