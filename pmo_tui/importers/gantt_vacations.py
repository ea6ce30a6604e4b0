"""GanttProject vacations, read from the ``.gan`` XML because MPXJ does not read them.

MPXJ 16 reads GanttProject resources with unique id = the file's resource id
+ 1 and does not turn ``<vacation start end resourceid>`` elements into
calendar exceptions, so they are read here as whole days off (end inclusive).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from pmo_tui.importers.mpxj_calendars import leave_row
from pmo_tui.importers.mpxj_context import Person, ProjectContext

__all__ = ["gantt_vacation_rows"]


def gantt_vacation_rows(
    context: ProjectContext, person_of_uid: dict[int, Person]
) -> list[dict[str, Any]]:
    """``leave`` rows (reason "vacation") of a GanttProject file; empty for other files.

    Vacations of unknown resources, with unreadable dates, or outside the
    holiday/leave window are left out; an unreadable file gives no rows.
    """
    if context.application != "GanttProject":
        return []
    try:
        root = ET.parse(context.path).getroot()
    except (ET.ParseError, OSError):
        return []
    rows = []
    for vacation in root.iter("vacation"):
        try:
            person = person_of_uid.get(int(vacation.get("resourceid", "")) + 1)
            first = dt.date.fromisoformat(vacation.get("start", ""))
            last = dt.date.fromisoformat(vacation.get("end", ""))
        except ValueError:
            continue
        span = context.in_window(first, max(first, last))
        if person is None or span is None:
            continue
        rows.append(leave_row(person.id, span[0], span[1], None, "vacation"))
    return rows
