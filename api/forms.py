"""Input through the pages' own forms, so the API checks exactly what the pages check and no rule is
copied. ``form_serializer(Form)`` derives a DRF serializer from a Django form (for the schema and the JSON
types); ``validate_with(Form, data)`` runs the form itself and turns its errors into a 400 body.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import serializers

# Form fields typed by the DRF field of the same name; a subclass before its parent (ImageField, FileField).
_SAME_NAME = (
    "EmailField",
    "URLField",
    "DateTimeField",
    "DateField",
    "TimeField",
    "DurationField",
    "BooleanField",
    "ImageField",
    "FileField",
    "FloatField",
    "IntegerField",
)
_SIMPLE: list[tuple[type[forms.Field], type[serializers.Field]]] = [
    (forms.SplitDateTimeField, serializers.DateTimeField),
    *((getattr(forms, name), getattr(serializers, name)) for name in _SAME_NAME),
]


def _field(name: str, field: forms.Field) -> serializers.Field:
    common: dict[str, Any] = {"required": field.required and not isinstance(field, forms.BooleanField)}
    if field.help_text:
        common["help_text"] = field.help_text
    if field.label:
        common["label"] = field.label
    if not field.required and not isinstance(field, forms.BooleanField | forms.FileField):
        common["allow_null"] = True
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=list(field.choices), **common)  # type: ignore[arg-type]
    if isinstance(field, forms.ChoiceField):
        choices = [(value, label) for value, label in field.choices if value != ""]  # type: ignore[misc, union-attr]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places, coerce_to_string=True, **common
        )
    for form_type, serializer_type in _SIMPLE:
        if isinstance(field, form_type):
            return serializer_type(**common)
    extra: dict[str, Any] = {}
    max_length = getattr(field, "max_length", None)
    if max_length:
        extra["max_length"] = max_length
    if not field.required:
        extra["allow_blank"] = True
    return serializers.CharField(**common, **extra)


@cache
def form_serializer(form_class: type[forms.BaseForm], *, name: str | None = None) -> type[serializers.Serializer]:
    """A serializer with the form's fields (names, types, choices, lengths, help texts) for the schema."""
    form = form_class() if not issubclass(form_class, forms.ModelForm) else form_class(instance=None)
    attrs: dict[str, Any] = {field_name: _field(field_name, field) for field_name, field in form.fields.items()}
    attrs["Meta"] = type("Meta", (), {"ref_name": name or form_class.__name__.removesuffix("Form") + "Input"})
    return type(name or form_class.__name__ + "Serializer", (serializers.Serializer,), attrs)


def validation_error(form: forms.BaseForm) -> serializers.ValidationError:
    errors: dict[str, list[str]] = {}
    for field, messages in form.errors.items():
        key = "non_field_errors" if field == NON_FIELD_ERRORS else field
        errors[key] = [str(message) for message in messages]
    return serializers.ValidationError(errors)


def _as_form_data(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Model):
        return value.pk
    return value


def validate_with(
    form_class: type[forms.BaseForm],
    data: Any,
    *,
    files: Any = None,
    instance: Model | None = None,
    partial: bool = False,
    serializer_class: type[serializers.Serializer] | None = None,
    **form_kwargs: Any,
) -> forms.BaseForm:
    """Run the page's form on the request data and return it valid, or raise a 400 with its messages.

    The JSON types are checked first by the form's serializer (``form_serializer`` unless another is
    given), so the form only ever sees values of the types it expects. ``partial``: fields the client
    left out keep the instance's current values (PATCH).
    """
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    typed = (serializer_class or form_serializer(form_class))(data=data, partial=partial)  # type: ignore[arg-type]
    typed.is_valid(raise_exception=True)
    values: dict[str, Any] = {}
    if instance is not None and partial:
        values.update({key: _as_form_data(value) for key, value in model_to_dict(instance).items()})
    # A MultiValueDict, as Django gives forms: a field taking several files reads them with getlist().
    uploads: MultiValueDict[str, Any] = MultiValueDict()
    for key, value in (files or {}).items():
        uploads[key] = value
    for key, value in typed.validated_data.items():
        if isinstance(value, UploadedFile):
            uploads[key] = value
        elif isinstance(value, list) and value and all(isinstance(item, UploadedFile) for item in value):
            uploads.setlist(key, value)
        else:
            values[key] = _as_form_data(value)
    kwargs = dict(form_kwargs)
    if instance is not None:
        kwargs["instance"] = instance
    form = form_class(data=values, files=uploads or None, **kwargs)
    if not form.is_valid():
        raise validation_error(form)
    return form
