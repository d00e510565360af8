"""E-mail in the recipient's language, with one subject rule for every app."""

from types import SimpleNamespace

from django.utils import translation

from colocauto.core.mail import email_subject, in_language, language_of, render_in_language, templated_email


def test_a_subject_is_prefixed_and_kept_on_one_line_with_its_no_break_spaces():
    subject = email_subject("Invitation à\nRue des\r\nLilas  :\u00a012\u00a0€\n")

    assert subject == "[Colocauto] Invitation à Rue des Lilas :\u00a012\u00a0€"


def test_the_language_is_the_recipients_or_the_sites_default(settings):
    settings.LANGUAGE_CODE = "fr"

    assert language_of(SimpleNamespace(language="en")) == "en"
    assert language_of("en") == "en"
    assert language_of(SimpleNamespace(language="")) == "fr"
    assert language_of(None) == "fr"


def test_text_is_produced_in_the_recipients_language_whatever_is_active(tmp_path, settings):
    (tmp_path / "greeting.txt").write_text("{% load i18n %}{% translate 'Cancel' %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with translation.override("en"):
        assert render_in_language(SimpleNamespace(language="fr"), "greeting.txt", {}) == "Annuler"
        with in_language("fr"):
            assert translation.get_language() == "fr"
        assert translation.get_language() == "en"


def test_a_templated_email_has_the_text_and_html_parts_of_one_template_pair(tmp_path, settings):
    (tmp_path / "notice.txt").write_text("{% autoescape off %}Hello {{ name }}{% endautoescape %}")
    (tmp_path / "notice.html").write_text("<p>Hello {{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    message = templated_email("Notice\nsplit", "notice", {"name": "Léa <3"}, "lea@example.org")

    assert message.subject == "[Colocauto] Notice split"
    assert message.to == ["lea@example.org"]
    assert message.body == "Hello Léa <3"
    assert message.alternatives == [("<p>Hello Léa &lt;3</p>", "text/html")]
