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


def test_a_plain_email_in_french_elides_before_names_and_months_and_an_english_one_is_untouched():
    from colocauto.core.mail import plain_email

    with translation.override("fr"):
        message = plain_email("Compte de Inès", "La demande de Inès pour le 1 décembre.\nRelevé de octobre.", "a@b.c")
    assert message.subject.endswith("Compte d’Inès")
    assert message.body == "La demande d’Inès pour le 1er décembre.\nRelevé d’octobre."
    with translation.override("en"):
        message = plain_email("Account of Inès", "de Inès, 1 décembre", "a@b.c")
    assert message.body == "de Inès, 1 décembre"


@pytest.mark.django_db
def test_a_territory_invitation_in_french_names_aouste_with_its_elision(mailoutbox, django_capture_on_commit_callbacks):
    from territories import services
    from territories.models import Territory

    aouste = Territory.objects.create(name="Aouste-sur-Sye", kind="commune", code="26011")
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_invite(territory=aouste, email="agent@aouste.example", language="fr")
    (message,) = mailoutbox
    assert "d’Aouste-sur-Sye" in message.subject and "de Aouste" not in message.subject
    assert "d’Aouste-sur-Sye" in message.body and "de Aouste" not in message.body


def test_the_figures_of_a_month_starting_with_a_vowel_are_elided_on_the_page():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    summary = SimpleNamespace(period=SimpleNamespace(label="octobre 2026"), confidential=True)
    with translation.override("fr"):
        html = render_to_string("territories/_summary.html", {"summary": summary})
    assert "Les chiffres d’octobre 2026 sont confidentiels" in html


def test_a_flash_message_naming_someone_is_elided_on_every_page(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    with translation.override("fr"):
        text = translation.gettext("The request of %(name)s to join has been rejected.") % {"name": "Inès"}
        html = render_to_string("base.html", {"messages": [Message(20, text)]}, request=request)
    assert "La demande d’adhésion d’Inès a été refusée." in html


def test_dates_python_writes_in_words_say_1er_in_french():
    from bookings.calendar_format import Labels
    from vehicles.forms import cost_model_notice
    from vehicles.selectors import CostModelSchedule

    switch = CostModelSchedule(in_force="rates", next_model="shared_costs", starts_on=date(2026, 12, 1))
    with translation.override("fr"):
        assert "à partir du 1er décembre ;" in cost_model_notice(switch)
        assert Labels(ZoneInfo("Europe/Paris")).day(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    with translation.override("en"):
        assert "from 1 December;" in cost_model_notice(switch)
