"""CSV files that spreadsheet programs open cleanly in the reader's language (shared by every export)."""

from django.utils.formats import get_format

# Lets spreadsheet programs (French Excel above all) read UTF-8 and so the accents right.
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_dialect() -> tuple[str, str]:
    """(separator, decimal mark) a spreadsheet in the active language opens without an import wizard:
    French Excel reads ``;`` and a decimal comma, English Excel ``,`` and a dot."""
    decimal_mark = get_format("DECIMAL_SEPARATOR")
    return (";", decimal_mark) if decimal_mark == "," else (",", ".")


def csv_text(value) -> str:
    """A text cell a spreadsheet shows as text: one that could start a formula gets a leading quote."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
