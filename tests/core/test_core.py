"""The core layer: error codes and their HTTP answers, domain events, parsers, months."""

import json
from datetime import UTC, date
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from colocauto.core import clock, events, parsers
from colocauto.core.errors import Conflict, DomainError, NotAllowed, NotFound
from colocauto.core.web import DomainErrorMiddleware, attempt, attempt_or_message, error_body


class _Form:
    def __init__(self):
        self.errors = []

    def add_error(self, field, message):
        self.errors.append((field, message))


def _refuse(error):
    def service(**kwargs):
        raise error

    return service


def test_every_domain_error_has_a_stable_code_and_status():
    assert (DomainError("x").code, DomainError("x").status_code) == ("invalid", 400)
    assert (NotAllowed("x").code, NotAllowed("x").status_code) == ("not_allowed", 403)
    assert (NotFound("x").code, NotFound("x").status_code) == ("not_found", 404)
    assert (Conflict("x").code, Conflict("x").status_code) == ("conflict", 409)
    assert Conflict("x", code="booking_conflict").code == "booking_conflict"


def test_a_refusal_in_a_form_view_becomes_the_form_error_and_keeps_going():
    form = _Form()
    assert attempt(form, _refuse(Conflict("Taken.", code="booking_conflict"))) is None
    assert form.errors == [(None, "Taken.")]


def test_a_successful_service_returns_its_result_through_attempt():
    assert attempt(_Form(), lambda **kw: kw["x"] + 1, x=1) == 2


@pytest.mark.parametrize("error", [NotAllowed("No."), NotFound("None.")])
def test_a_permission_refusal_is_never_shown_on_the_form(error):
    with pytest.raises(type(error)):
        attempt(_Form(), _refuse(error))


def test_a_refused_button_shows_the_reason_as_a_message(rf):
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    assert attempt_or_message(request, _refuse(DomainError("Too late."))) is None
    assert [str(m) for m in request._messages] == ["Too late."]


@pytest.mark.parametrize(
    ("error", "status"), [(DomainError("a"), 400), (NotAllowed("b"), 403), (NotFound("c"), 404), (Conflict("d"), 409)]
)
def test_the_middleware_answers_json_clients_with_the_code_and_status(error, status):
    request = RequestFactory().get("/", HTTP_ACCEPT="application/json")
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == status
    assert json.loads(response.content) == {"code": error.code, "detail": str(error.message), "fields": {}}


@pytest.mark.django_db
def test_the_middleware_answers_a_page_with_the_reason_for_people(client):
    request = RequestFactory().get("/")
    request.user = None
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, Conflict("Already answered."))
    assert response.status_code == 409
    assert "Already answered." in response.content.decode()


def test_the_middleware_leaves_other_exceptions_alone():
    request = RequestFactory().get("/")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, ValueError("x")) is None


def test_error_parameters_reach_the_json_body():
    error = Conflict("Taken.", code="booking_conflict", params={"starts_at": "2026-01-01T10:00:00+01:00"})
    assert error_body(error)["params"] == {"starts_at": "2026-01-01T10:00:00+01:00"}


def test_events_reach_their_subscribers_in_order_and_only_theirs():
    class Happened:
        pass

    class Other:
        pass

    seen = []
    events.subscribe(Happened)(lambda e: seen.append("first") or 1)
    events.subscribe(Happened)(lambda e: seen.append("second") or 2)
    assert events.emit(Happened()) == [1, 2]
    assert events.emit(Other()) == []
    assert seen == ["first", "second"]


def test_subscribing_twice_registers_a_handler_once():
    class Happened:
        pass

    def handler(event):
        return "x"

    events.subscribe(Happened)(handler)
    events.subscribe(Happened)(handler)
    assert events.emit(Happened()) == ["x"]


@pytest.mark.parametrize("text", ["", "abc", "-1", "0", "²", "9" * 30, None, "1.5"])
def test_ids_that_are_no_row_parse_to_none(text):
    assert parsers.parse_id(text) is None


def test_ids_parse():
    assert parsers.parse_id(" 12 ") == 12


@pytest.mark.parametrize("text", ["2026-13", "26-01", "2026-1", "1899-12", "3000-01", "2026-01-01", "", "x"])
def test_bad_months_are_refused(text):
    with pytest.raises(ValueError):
        parsers.parse_month(text)


def test_months_parse_to_their_first_day():
    assert parsers.parse_month("2026-02") == date(2026, 2, 1)


def test_a_month_spans_local_midnights_across_a_time_change():
    paris = ZoneInfo("Europe/Paris")
    start, end = clock.month_bounds(date(2025, 3, 1), paris)
    # Aware datetimes sharing a tzinfo subtract by wall time: compare the instants in UTC.
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == (31 * 24 - 1) * 3600
    assert clock.next_month(date(2025, 12, 1)) == date(2026, 1, 1)
    assert clock.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert clock.month_last_day(date(2024, 2, 1)) == date(2024, 2, 29)
