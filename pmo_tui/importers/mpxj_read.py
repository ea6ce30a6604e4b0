"""Open a project file with MPXJ: the right reader, the MPX locale, and errors a user can fix.

:func:`read_with_mpxj` hands every file to MPXJ's ``UniversalProjectReader``,
which recognises the format from the content, not the extension
(:data:`SUPPORTED_FORMATS`), except MPX files: their dates, numbers, yes/no and
field names are written in the language of the MS Project that saved them, and
the universal reader only reads English ones (a German file fails "at line 21").
An MPX file is read with ``MPXReader`` in its locale: the one the user gives
(``--locale de``), else the one its field-name records (40 and 60) are written
in, trying the others MPXJ knows when that fails.

A directory is reported as a directory: MPXJ would pick one file it recognises
inside it, silently. Records MPXJ
could not read and skipped are returned as notes, so a user sees what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError
from pmo_tui.importers.mpxj_values import java_message, raise_if_interrupted

__all__ = ["SUPPORTED_FORMATS", "SUPPORTED_TEXT", "ReadPlan", "read_with_mpxj"]

#: What MPXJ's universal reader recognises (MPXJ's documentation, "file formats"): name and
#: the usual file name endings. The format is found from the content, not the ending.
SUPPORTED_FORMATS: tuple[tuple[str, str], ...] = (
    ("Microsoft Project 98 to 2021", ".mpp, .mpt"),
    ("Microsoft Project XML", ".xml"),
    ("MPX in any locale MPXJ knows", ".mpx"),
    ("Microsoft Project database", ".mpd"),
    ("Primavera P6", ".xer, PMXML .xml"),
    ("Primavera P3 and SureTrak", ".prx, .stx"),
    ("Asta Powerproject and Easyplan", ".pp"),
    ("Phoenix Project Manager", ".ppx"),
    ("FastTrack Schedule", ".fts"),
    ("GanttProject", ".gan"),
    ("GNOME Planner", ".planner"),
    ("TurboProject", ".pep"),
    ("ConceptDraw PROJECT", ".cdpx, .cdpz, .cdptz"),
    ("Synchro Scheduler", ".sp"),
    ("Gantt Designer", ".gnt"),
    ("SDEF", ".sdef"),
    ("Sage 100 Contractor Schedule Grid", ".schedule_grid"),
    ("Project Commander", ".pc"),
    ("Deltek Open Plan", ".bk3"),
)
SUPPORTED_TEXT = "; ".join(f"{name} ({endings})" for name, endings in SUPPORTED_FORMATS)

READ_FIX = (
    "check that it is a complete, unencrypted project plan; if its program can save "
    "MS Project XML (.xml), save it as that and import the .xml"
)

#: Locale code -> language, for messages (MPXJ 16 reads MPX in these).
_LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "sv": "Swedish",
    "zh": "Chinese",
    "es": "Spanish",
    "ru": "Russian",
}


@dataclass
class ReadPlan:
    """A project MPXJ read, and what the user should know about the reading."""

    project: Any
    notes: list[str] = field(default_factory=list)


def read_with_mpxj(jpype: Any, path: Path, locale: str | None = None) -> ReadPlan:
    """Read ``path`` with MPXJ (the JVM must be running).

    Args:
        jpype: the module, with MPXJ on the class path (see :mod:`._jvm`).
        path: a project file.
        locale: the language code an MPX file was saved in (``de``...); None to detect it.
            Other formats carry no locale; it is ignored for them, with a note.

    Raises:
        UserError: the path is missing, a directory MPXJ cannot read, not a format
            MPXJ reads, unreadable, or ``locale`` is not one MPXJ reads MPX in.
    """
    if not path.exists():
        raise UserError("file not found", file=str(path), fix="check the path and the file name")
    if path.is_dir():
        raise UserError(
            "this is a directory, not a project file",
            file=str(path),
            fix=f"name the project files in it (e.g. {path}/*.mpp); several may follow one command",
        )
    if _is_mpx(path):
        return _read_mpx(jpype, path, locale)
    notes = []
    if locale is not None:
        notes.append(f"--locale {locale} ignored: only MPX files are written in a locale")
    try:
        project = jpype.JClass("org.mpxj.reader.UniversalProjectReader")().read(str(path))
    except jpype.JException as exc:
        raise_if_interrupted(exc)
        raise _unreadable(f"cannot read this file ({java_message(exc)})", path) from None
    if project is None:
        raise _unreadable(f"not a project plan MPXJ can read; it reads: {SUPPORTED_TEXT}", path)
    return ReadPlan(project, notes + ignored_error_notes(project))


def ignored_error_notes(project: Any) -> list[str]:
    """One note per error MPXJ met and skipped while reading (the record is left out)."""
    errors = project.getIgnoredErrors()
    if errors is None or errors.isEmpty():
        return []
    messages = [java_message(error) for error in errors]
    shown = "; ".join(messages[:3]) + ("; ..." if len(messages) > 3 else "")
    return [f"MPXJ could not read {len(messages)} record(s) and left them out: {shown}"]


def _unreadable(message: str, path: Path) -> UserError:
    return UserError(message, file=str(path), fix=READ_FIX)


def _is_mpx(path: Path) -> bool:
    """Whether the file starts like an MPX file (``MPX`` then the field delimiter)."""
    with path.open("rb") as handle:
        return handle.read(3) == b"MPX"


def supported_locales(jpype: Any) -> list[str]:
    """The language codes MPXJ reads MPX files in, English first."""
    reader = jpype.JClass("org.mpxj.mpx.MPXReader")
    return [str(locale.getLanguage()) for locale in reader.getSupportedLocales()]


def _read_mpx(jpype: Any, path: Path, locale: str | None) -> ReadPlan:
    """Read an MPX file in ``locale``, else in the locales its field names point to first."""
    known = supported_locales(jpype)
    if locale is not None and locale not in known:
        raise UserError(
            f"MPXJ does not read MPX files in the locale {locale!r}",
            option="--locale",
            fix=f"use one of {', '.join(known)}",
        )
    candidates = [locale] if locale else _locales_by_evidence(jpype, path, known)
    failures = []
    for code in candidates:
        try:
            project = _mpx_reader(jpype, code).read(str(path))
        except jpype.JException as exc:
            raise_if_interrupted(exc)
            failures.append(f"{code}: {java_message(exc)}")
            continue
        notes = ignored_error_notes(project)
        if code != "en":
            how = "as asked" if locale else "found from its field names and dates"
            notes.insert(0, f"read as an MPX file in {_language(code)} ({code}, {how})")
        return ReadPlan(project, notes)
    raise UserError(
        "cannot read this MPX file in "
        + (f"the locale {locale!r}" if locale else f"any locale MPXJ knows ({', '.join(known)})")
        + f" ({failures[0]})",
        file=str(path),
        option="--locale" if locale else None,
        fix=(
            "pass --locale with the language MS Project used when it saved the file "
            f"({', '.join(known)}), or save the plan from MS Project as MS Project XML (.xml)"
        ),
    )


def _language(code: str) -> str:
    return _LANGUAGES.get(code, code)


def _mpx_reader(jpype: Any, code: str) -> Any:
    reader = jpype.JClass("org.mpxj.mpx.MPXReader")()
    reader.setLocale(jpype.JClass("java.util.Locale").forLanguageTag(code))
    return reader


def _locales_by_evidence(jpype: Any, path: Path, known: list[str]) -> list[str]:
    """``known`` sorted by how many of the file's field names and words each locale uses.

    MPX records 40 and 60 list the resource and task fields by name, in the language
    of the program that wrote the file; yes/no and "not available" are localised too.
    Ties keep MPXJ's order (English first).
    """
    words = _mpx_words(path)
    bundle = jpype.JClass("java.util.ResourceBundle")
    locale_class = jpype.JClass("java.util.Locale")
    scores = {}
    for code in known:
        data = bundle.getBundle("org.mpxj.mpx.LocaleData", locale_class.forLanguageTag(code))
        vocabulary = set(_texts(data.getObject("RESOURCE_NAMES")))
        vocabulary |= set(_texts(data.getObject("TASK_NAMES")))
        vocabulary |= {str(data.getObject(key)) for key in ("YES", "NO", "NA")}
        scores[code] = len(words & vocabulary)
    return sorted(known, key=lambda code: -scores[code])


def _texts(values: Iterable[Any]) -> list[str]:
    return [str(value) for value in values if value is not None]


def _mpx_words(path: Path) -> set[str]:
    """The field names of records 40 and 60, and the values of records 70 (tasks), as text."""
    text = path.read_bytes().decode("cp1252", errors="replace")
    delimiter = text[3] if len(text) > 3 else ","
    words: set[str] = set()
    for line in text.splitlines():
        fields = line.split(delimiter)
        if fields[0] in {"40", "60", "70"}:
            words.update(value.strip() for value in fields[1:])
    return words
