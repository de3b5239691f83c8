"""What a command says about an exception nobody expected: one line a clerk can act on.

The command line's safety net (pantau.cli) prints `describe(exc)` instead of a traceback. Known
families get a plain explanation (the database refused, a file cannot be written, a date beyond
what Pantau computes with); anything else names its type and message. Every text is redacted: a
database error can quote a URL with its password, an HTTP error a token.
"""

from __future__ import annotations

import re

from pantau.redaction import MARKER, redact_text

# `postgresql://user:password@host/db` in a driver's message: keep the user, hide the password.
PASSWORD_IN_URL = re.compile(r"(://[^\s:/@]+):[^\s@/]*@")

DATABASE_HINTS = (
    ("file is not a database", "the database file is damaged or is not a database"),
    ("database disk image is malformed", "the database file is damaged"),
    ("readonly database", "the database is read-only (check the permissions of the file and its folder)"),
    ("read-only", "the database is read-only"),
    ("unable to open database file", "cannot open the database file (does its folder exist?)"),
    ("no such table", "the database is not a Pantau database (a table is missing)"),
    ("could not connect", "cannot connect to the database server"),
    ("connection refused", "cannot connect to the database server"),
)


def clean(text: str) -> str:
    return PASSWORD_IN_URL.sub(lambda m: f"{m.group(1)}:{MARKER}@", redact_text(text))


def first_line(text: str, limit: int = 300) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit] + "..."


def describe(exc: BaseException) -> str:
    """One line saying what went wrong, without a traceback and without a secret."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, DBAPIError):
        detail = first_line(str(exc.orig) if exc.orig is not None else str(exc))
        lowered = detail.lower()
        for needle, hint in DATABASE_HINTS:
            if needle in lowered:
                return clean(f"{hint} ({detail})")
        return clean(f"the database refused the operation: {detail}")
    if isinstance(exc, SQLAlchemyError):
        return clean(f"database error: {first_line(str(exc))}")
    if isinstance(exc, OSError) and exc.filename:
        return clean(f"{exc.filename}: {exc.strerror or first_line(str(exc))}")
    if isinstance(exc, OverflowError) or type(exc).__name__ == "OutOfBoundsDatetime":
        return clean(f"a date or number is beyond what Pantau can compute with ({first_line(str(exc))})")
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    return clean(f"unexpected error ({type(exc).__name__}): {first_line(str(exc))}")
