"""French typography in every template (a builtin, see TEMPLATES in settings): the ``date`` filter writes
« 1er décembre », and ``{% filter elide %}`` elides « de » before a vowel in text with names or months."""

from django import template
from django.template.defaultfilters import date as django_date

from colocauto.text import french_typography

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter, with « 1er » for the first of the month in French."""
    return french_typography(django_date(value, arg))


@register.filter(is_safe=True)
def elide(value):
    """« de » elided before a vowel in French: « Compte d’Alice », « régularisation d’octobre ». Takes any
    value shown as text (a flash message is a ``Message``)."""
    return french_typography(str(value))
