"""The PDF statement (WeasyPrint, A4): community, member, period, every line, totals, generation date."""

from datetime import datetime

from django.template.loader import render_to_string

from ledger.money import ZERO


def statement_pdf(*, community, person, statement, lines: list[dict], generated_at: datetime, base_url: str) -> bytes:
    """Render the statement in the active language; amounts and dates follow its formats."""
    context = {
        "community": community,
        "person": person,
        "statement": statement,
        "lines": lines,
        "generated_at": generated_at,
        "total_in": sum((item["line"].amount for item in lines if item["line"].amount > 0), ZERO),
        "total_out": sum((item["line"].amount for item in lines if item["line"].amount < 0), ZERO),
    }
    from weasyprint import HTML  # heavy: loaded when a statement is asked for, not with every page

    html = render_to_string("ledger/statement_pdf.html", context)
    return HTML(string=html, base_url=base_url).write_pdf()
