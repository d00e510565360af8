"""Fields used by several apps: amounts typed by people ("0,22" and "0.22" both mean 0.22, whatever the
language), and map coordinates."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def decimal_input(**attrs: str) -> forms.TextInput:
    """A text box that brings up the numeric keyboard on phones (a number field refuses a comma in some
    browsers and silently drops it in others)."""
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class LocalizedDecimalField(forms.DecimalField):
    """A decimal shown in the active language's format and read with a comma or a dot as the decimal
    separator; spaces (thousands groups, e.g. « 1 234,50 ») are ignored. Two separators are refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", decimal_input())
        kwargs["localize"] = True
        super().__init__(**kwargs)

    # Django's DecimalField subclasses IntegerField: its stubs ignore the same override.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "").replace(",", ".")
            if value.count(".") > 1:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def coordinate_field(kind: str, verbose_name: Any) -> models.DecimalField:  # type: ignore[type-arg]
    """An optional WGS 84 latitude or longitude (``kind``), to the 6th decimal (about 10 cm)."""
    bound = Decimal("90") if kind == "latitude" else Decimal("180")
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-bound), MaxValueValidator(bound)],
    )
