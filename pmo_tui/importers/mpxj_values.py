"""Plain Python values from MPXJ's Java ones, ids from names, and rows as bundle frames.

Helpers shared by the modules that map an MPXJ ``ProjectFile`` onto a
:class:`~pmo_tui.importers.bundle.Bundle`. None of them starts the JVM: they only call
methods on Java objects they are given.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

import polars as pl

from pmo_tui.importers.bundle import conform, empty_frame

__all__ = [
    "bundle_frame",
    "finish_day",
    "java_message",
    "monday_of",
    "name_slug",
    "project_slug",
    "python_date",
    "python_datetime",
    "python_number",
    "python_text",
    "round_hours",
]


#: Java exceptions by which a thread learns it was interrupted (Ctrl-C during a Java call).
JAVA_INTERRUPTS = (
    "java.lang.InterruptedException",
    "java.io.InterruptedIOException",
    "java.nio.channels.ClosedByInterruptException",
)


def raise_if_interrupted(exc: Any) -> None:
    """Raise KeyboardInterrupt when the Java exception ``exc`` (or one of its causes) says its
    thread was interrupted: Ctrl-C that reached a Java call that way is the user's Ctrl-C
    (the CLI: "Interrupted: nothing was written", exit 130), not a file MPXJ cannot read.
    Which way Ctrl-C arrives (KeyboardInterrupt or the thread's interrupt) depends on where
    the JVM is when the signal comes."""
    cause, seen = exc, 0
    while cause is not None and seen < 10:
        try:
            name = str(cause.getClass().getName())
            cause = cause.getCause()
        except Exception:
            return
        if name in JAVA_INTERRUPTS:
            raise KeyboardInterrupt
        seen += 1


def java_message(exc: Any) -> str:
    """The first line (at most 200 characters) of a Java exception's message, or its class name."""
    try:
        message = exc.getMessage()
    except Exception:
        message = None
    text = str(message).strip() if message is not None else ""
    if not text:
        text = type(exc).__name__
    return text.splitlines()[0][:200]


def python_text(value: Any) -> str | None:
    """A Java or Python string, stripped; ``None`` when missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def python_number(value: Any) -> float | None:
    """A Java or Python number as a float; ``None`` when missing."""
    if value is None:
        return None
    try:
        return float(value)
    except TypeError:
        return float(value.doubleValue())


def python_date(value: Any) -> dt.date | None:
    """A Java ``LocalDate``/``LocalDateTime`` as a Python date; ``None`` when missing."""
    if value is None:
        return None
    return dt.date(int(value.getYear()), int(value.getMonthValue()), int(value.getDayOfMonth()))


def python_datetime(value: Any) -> dt.datetime | None:
    """A Java ``LocalDateTime`` as a naive Python datetime, to the second; ``None`` if missing."""
    if value is None:
        return None
    return dt.datetime(
        int(value.getYear()),
        int(value.getMonthValue()),
        int(value.getDayOfMonth()),
        int(value.getHour()),
        int(value.getMinute()),
        int(value.getSecond()),
    )


def finish_day(value: Any, *, date_only: bool = False) -> dt.date | None:
    """The last day of something that finishes at ``value`` (a Java date-time); None if missing.

    A finish at midnight (00:00 of the next day) is the end of the day before: a task
    that ends "2024-01-06T00:00" ends on 5 January. In files whose dates carry no time
    of day (``date_only``: MPX, GanttProject) midnight means the day itself.
    """
    finish = python_datetime(value) if hasattr(value, "getHour") else None
    if finish is None:
        return python_date(value)
    if not date_only and finish.time() == dt.time(0, 0):
        return finish.date() - dt.timedelta(days=1)
    return finish.date()


def monday_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week (the key of a week in the store)."""
    return day - dt.timedelta(days=day.weekday())


def round_hours(hours: float) -> float:
    """Hours rounded half-up to 0.1 (``29.25`` -> ``29.3``)."""
    return math.floor(hours * 10.0 + 0.5 + 1e-9) / 10.0


def _ascii(text: str) -> str:
    """``text`` with accents removed and other non-ASCII characters dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def project_slug(stem: str) -> str:
    """A project id from a file stem: letters, digits and '-', case kept.

    ``HouseBuildingSample`` stays ``HouseBuildingSample``; ``my plan (v2)`` becomes ``my-plan-v2``.
    """
    return re.sub(r"[^A-Za-z0-9]+", "-", _ascii(stem)).strip("-") or "project"


def name_slug(name: str) -> str:
    """A lowercase id from a name: ``Jack House`` -> ``jack-house``; empty if nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-")


def bundle_frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows (dicts with some of part ``name``'s columns) as that bundle part's frame."""
    if not rows:
        return empty_frame(name)
    schema = empty_frame(name).schema
    return conform(name, pl.DataFrame(rows, schema={column: schema[column] for column in rows[0]}))
