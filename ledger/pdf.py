"""The PDF statement (WeasyPrint, A4): community, member, period, every line, totals, generation date."""

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from communities.models import Community, User
from ledger.money import ZERO
from ledger.statement_selectors import Statement


def statement_pdf(
    *,
    community: Community,
    person: User,
    statement: Statement,
    lines: list[dict[str, Any]],
    generated_at: datetime,
    base_url: str,
) -> bytes:
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
    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf
