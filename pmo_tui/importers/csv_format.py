"""How a CSV file is written: its separator and its encoding, given or detected.

Spreadsheets in many countries save CSV with ``;`` between values (the comma is
the decimal mark there) and in ISO-8859-1 or Windows-1252 rather than UTF-8.
``pmo-tui import csv`` takes ``--separator`` and ``--encoding``; without them,
:func:`detect_format` reads the header line: a header with ``;`` (or tabs) and no
comma is read with that separator, and a file that is not UTF-8 is read as
ISO-8859-1. Either way a note says so.

The chosen format is remembered per file (:func:`remember`), so that the line
lookups of error messages (:mod:`.csv_lines`) read the file the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmo_tui.errors import UserError

__all__ = [
    "ENCODINGS",
    "SEPARATORS",
    "CsvFormat",
    "decode",
    "detect_format",
    "format_of",
    "remember",
]

#: Separators accepted by ``--separator`` (name or character) -> the character.
SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|", "comma": ",", "semicolon": ";"}
#: Encodings a user may name (Python codec names; others are refused with this list).
ENCODINGS = ("utf-8", "iso-8859-1", "cp1252", "iso-8859-15", "utf-16")
#: The fallback for a file that is not UTF-8.
FALLBACK_ENCODING = "iso-8859-1"


@dataclass(frozen=True)
class CsvFormat:
    """A file's ``separator`` (one character) and ``encoding`` (a Python codec name)."""

    separator: str = ","
    encoding: str = "utf-8-sig"


_KNOWN: dict[Path, CsvFormat] = {}


def remember(path: Path, chosen: CsvFormat) -> None:
    """Remember how ``path`` is read, for the line lookups of error messages."""
    _KNOWN[path.resolve()] = chosen


def format_of(path: Path) -> CsvFormat:
    """How ``path`` was read (comma, UTF-8 when it was never seen)."""
    return _KNOWN.get(path.resolve(), CsvFormat())


def parse_separator(text: str | None) -> str | None:
    """``--separator`` as a character (None when not given).

    Raises:
        UserError: not one of :data:`SEPARATORS`.
    """
    if text is None:
        return None
    if text in SEPARATORS:
        return SEPARATORS[text]
    raise UserError(
        f"unknown separator {text!r}",
        option="--separator",
        fix="use ',', ';', tab or '|'",
    )


def parse_encoding(text: str | None) -> str | None:
    """``--encoding`` as a codec name (None when not given).

    Raises:
        UserError: a codec Python does not know.
    """
    if text is None:
        return None
    import codecs

    try:
        return codecs.lookup(text).name
    except LookupError:
        raise UserError(
            f"unknown encoding {text!r}",
            option="--encoding",
            fix=f"use one of: {', '.join(ENCODINGS)}",
        ) from None


def decode(data: bytes, encoding: str) -> str:
    """``data`` as text; a leading UTF-8 byte-order mark is dropped.

    Raises:
        UnicodeDecodeError: the bytes are not in ``encoding``.
    """
    text = data.decode("utf-8-sig" if encoding in ("utf-8", "utf-8-sig", "utf_8") else encoding)
    return text


def detect_format(
    data: bytes, *, separator: str | None = None, encoding: str | None = None
) -> tuple[CsvFormat, list[str]]:
    """The format of a file whose bytes are ``data``, and notes on what was detected.

    Raises:
        UserError: the file is not in the ``encoding`` given.
    """
    notes: list[str] = []
    if encoding is None:
        try:
            text = decode(data, "utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = FALLBACK_ENCODING
            text = decode(data, encoding)
            notes.append(
                "not UTF-8: read as ISO-8859-1 (Latin-1); pass --encoding if it is another"
            )
    else:
        text = decode(data, encoding)
    if separator is None:
        header = text.split("\n", 1)[0]
        separator = ","
        for candidate, name in ((";", "';'"), ("\t", "tab")):
            if candidate in header and "," not in header:
                separator = candidate
                notes.append(f"read with {name} as the separator (pass --separator to choose)")
                break
    return CsvFormat(separator, encoding), notes
