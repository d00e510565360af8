"""French as a French person writes it: « 1er décembre », « Compte d’Alice », « régularisation d’octobre »,
in pages, e-mails and PDFs; English untouched."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from colocauto.text import french_typography


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Compte de Alice", "Compte d’Alice"),
        ("régularisation de octobre 2026", "régularisation d’octobre 2026"),
        ("Relevé de compte de Élodie", "Relevé de compte d’Élodie"),
        ("la fin du 1 décembre 2026", "la fin du 1er décembre 2026"),
        ("le 11 décembre et le 21 mars", "le 11 décembre et le 21 mars"),
        ("Compte de Bruno", "Compte de Bruno"),
        ("à partir de onze heures", "à partir de onze heures"),
        ("De Yves", "D’Yves"),
    ],
)
def test_french_elides_and_writes_the_first_of_the_month_as_1er(text, expected):
    with translation.override("fr"):
        assert french_typography(text) == expected


def test_english_is_left_as_it_is():
    with translation.override("en"):
        assert french_typography("1 December, de Alice") == "1 December, de Alice"


def test_every_template_writes_1er_for_the_first_of_the_month():
    template = Template('{{ day|date:"DATE_FORMAT" }} · {{ moment|date:"DATETIME_FORMAT" }} · {{ later|date:"j F" }}')
    context = Context(
        {
            "day": date(2026, 12, 1),
            "moment": datetime(2027, 1, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris")),
            "later": date(2026, 12, 11),
        }
    )
    with translation.override("fr"):
        assert template.render(context) == "1er décembre 2026 · 1er janvier 2027 09:30 · 11 décembre"
    with translation.override("en"):
        assert template.render(context).startswith("1 December 2026")


def test_the_elide_filter_keeps_html_escaped():
    template = Template("{% filter elide %}Compte de {{ name }}{% endfilter %}")
    with translation.override("fr"):
        assert template.render(Context({"name": "Alice <b>"})) == "Compte d’Alice &lt;b&gt;"
