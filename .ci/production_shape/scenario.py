"""One resident's real path through the production-shaped site, over HTTP, checked at every step."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import getaddresses
from zoneinfo import ZoneInfo

from browser import Browser, Page
from mailsink import MailSink, text_of
from processes import StepFailed

MAIL_TIMEOUT = 45
TRIP_KM = 42


def expect(page: Page, status: int, what: str) -> Page:
    if page.status != status:
        raise StepFailed(f"{what}: expected HTTP {status}, got {page.status} at {page.url}\n{page.readable[:2000]}")
    return page


def expect_ready(browser: Browser) -> None:
    page = expect(browser.get("/healthz/ready"), 200, "readiness check")
    if page.json() != {"database": "ok", "redis": "ok"}:
        raise StepFailed(f"readiness check: {page.json()}")


def sign_in(browser: Browser, email: str, password: str) -> None:
    login = expect(browser.get("/accounts/login/"), 200, "login page")
    answer = browser.submit(login.form(having="password"), login=email, password=password)
    expect(answer, 302, "sign-in")
    if "/accounts/" in answer.location or "sessionid" not in browser.cookies:
        raise StepFailed(f"sign-in did not open a session (sent to {answer.location})")
    expect(browser.get(answer.location), 200, "page after sign-in")


def book(browser: Browser, seed: dict) -> str:
    """Book the car from now for two hours; returns the booking's page."""
    zone = ZoneInfo(seed["time_zone"])
    start = datetime.now(zone).replace(second=0, microsecond=0)
    path = f"/c/{seed['community']}/bookings/new/"
    page = expect(browser.get(f"{path}?vehicle={seed['vehicle']}"), 200, "booking form")
    answer = browser.submit(
        page.form(action_ends_with=path),
        vehicle=str(seed["vehicle"]),
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        note="Production shape",
    )
    expect(answer, 302, "booking")
    if not answer.location.startswith(f"/c/{seed['community']}/bookings/"):
        raise StepFailed(f"booking: sent to {answer.location}")
    return answer.location


def record_trip(browser: Browser, booking_path: str, odometer: int) -> None:
    """Start and end the trip from the booking's page, as the driver does."""
    detail = expect(browser.get(booking_path), 200, "booking page")
    answer = browser.submit(detail.form(action_ends_with="/trip/start/"), start_odometer=str(odometer))
    expect(answer, 302, "trip start")
    detail = expect(browser.get(answer.location), 200, "booking page after the start")
    answer = browser.submit(detail.form(action_ends_with="/trip/end/"), end_odometer=str(odometer + TRIP_KM))
    expect(answer, 302, "trip end")
    expect(browser.get(answer.location), 200, "booking page after the trip")


def settlement_emails(sink: MailSink, seed: dict) -> dict[str, str]:
    """Recipient → text of the settle-up e-mails received so far (they link to the settle-up page)."""
    link = f"/c/{seed['community']}/ledger/settle/"
    found = {}
    for message in sink.received():
        text = text_of(message)
        if link in text:
            for _name, address in getaddresses(message.get_all("To", [])):
                found[address] = text
    return found


def run(*, browser: Browser, seed: dict, sink: MailSink, close_month: Callable[[str], None], poll) -> None:
    def step(title: str, action, *args):
        began = time.monotonic()
        result = action(*args)
        print(f"    ok  {title} ({time.monotonic() - began:.1f} s)", flush=True)
        return result

    step("readiness check green before the scenario", expect_ready, browser)
    step(f"sign in as {seed['member']}", sign_in, browser, seed["member"], seed["password"])
    booking_path = step("book the owner's car from now for 2 hours", book, browser, seed)
    step(
        f"record the trip: odometer {seed['odometer']} → {seed['odometer'] + TRIP_KM}",
        record_trip,
        browser,
        booking_path,
        seed["odometer"],
    )
    expect(browser.get(f"/c/{seed['community']}/ledger/"), 200, "the member's ledger")
    step(f"close {seed['month']} through the Celery worker", close_month, seed["month"])

    expected = {seed["member"], seed["owner"]}

    def arrived(_messages) -> bool:
        return expected <= set(settlement_emails(sink, seed))

    began = time.monotonic()
    sink.wait_for(arrived, timeout=MAIL_TIMEOUT, poll=poll)
    received = settlement_emails(sink, seed)
    if not expected <= set(received):
        subjects = [f"{message['To']}: {message['Subject']}" for message in sink.received()]
        raise StepFailed(
            f"settle-up e-mails for {sorted(expected - set(received))} did not reach the SMTP sink within "
            f"{MAIL_TIMEOUT} s; it received: {subjects}"
        )
    print(
        f"    ok  settle-up e-mails reached the SMTP sink for {', '.join(sorted(received))} "
        f"({time.monotonic() - began:.1f} s; {len(sink.received())} message(s) in all)",
        flush=True,
    )
    expect(browser.get(f"/c/{seed['community']}/ledger/settle/"), 200, "settle-up page")
    step("readiness check green after the scenario", expect_ready, browser)
