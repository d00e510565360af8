"""A refusal about one input is shown next to that input, and named in the JSON body's fields."""

from django import forms

from colocauto.core.errors import DomainError
from colocauto.core.web import attempt, error_body


class _PhotoForm(forms.Form):
    name = forms.CharField(required=False)
    photo = forms.CharField(required=False)


def _refuse(error):
    def service(**kwargs):
        raise error

    return service


def _bound_form():
    form = _PhotoForm({"name": "Berlingo"})
    assert form.is_valid()
    return form


def test_a_refusal_about_a_field_is_shown_on_that_field():
    form = _bound_form()

    assert attempt(form, _refuse(DomainError("Too many pixels.", code="invalid_photo", field="photo"))) is None

    assert form.errors == {"photo": ["Too many pixels."]}
    assert form.cleaned_data["name"] == "Berlingo"


def test_a_refusal_about_a_field_the_form_lacks_is_shown_on_the_whole_form():
    form = _bound_form()

    attempt(form, _refuse(DomainError("No such thing.", field="owner")))

    assert form.non_field_errors() == ["No such thing."]


def test_a_subclass_can_name_its_field_once():
    class InvalidPhoto(DomainError):
        field = "photo"

    assert InvalidPhoto("x").field == "photo"
    assert InvalidPhoto("x", field="picture").field == "picture"
    assert DomainError("x").field is None


def test_the_json_body_names_the_field_of_the_refusal():
    body = error_body(DomainError("Too many pixels.", code="invalid_photo", field="photo"))

    assert body["fields"] == {"photo": ["Too many pixels."]}
    assert error_body(DomainError("x"))["fields"] == {}
