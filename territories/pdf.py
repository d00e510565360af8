"""The PDF report (WeasyPrint, A4): cover, figures, the dashboard's own SVG charts, methodology and sources."""

from django.template.loader import render_to_string


def report_pdf(context: dict, *, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy: loaded when a report is asked for, not with every page

    html = render_to_string("territories/report_pdf.html", context)
    return HTML(string=html, base_url=base_url).write_pdf()
