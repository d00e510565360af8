"""Receipt to follow (issue 12, item 6) on a phone, at 390 × 844 in French: Maya fills up the car with no receipt
at hand, saves the expense marked "receipt to follow", the list of expenses says a receipt is missing, and she
adds the photo later from that list."""

import io
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from ledger.models import Expense
from tests.browser.test_bookings_flow import PHONE
from tests.browser.test_ledger_flow import tilleuls  # noqa: F401 — the community of the ledger's flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def receipt_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_expense_saved_without_its_receipt_is_marked_and_the_receipt_added_later(
    tilleuls,  # noqa: F811
    signed_in,
    live_server,
    t,
):
    community, maya = tilleuls["community"], tilleuls["maya"]
    phone = signed_in(maya, **PHONE)
    phone.goto(f"{live_server.url}/c/{community.pk}/ledger/expenses/new/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Add an expense"))
    phone.get_by_label(t.label("Category")).select_option(Expense.Category.FUEL)
    phone.get_by_label(t.label("Amount (€)")).fill("58,40")
    phone.get_by_label(t.label("Receipt to follow")).check()
    phone.get_by_role("button", name=t("Record the expense")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Expenses"))

    expense = Expense.objects.get(paid_by=maya)
    assert expense.amount == Decimal("58.40") and expense.receipt_to_follow and not expense.receipt
    main = phone.get_by_role("main")
    expect(main).to_contain_text(t.text("%(n)s receipt to follow.", n=1))
    expect(main.locator(".badge.warn")).to_have_text(t("receipt to follow"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    result = Axe().run(phone)
    assert result.violations_count == 0, result.generate_report()
    phone.screenshot(path="/tmp/colocauto-receipt-to-follow.png", full_page=True)

    # The form to add it is already open on the line that waits for it.
    phone.get_by_label(t.label("Receipt")).set_input_files(
        {"name": "ticket.jpg", "mimeType": "image/jpeg", "buffer": receipt_photo()}
    )
    phone.get_by_role("button", name=t("Add"), exact=True).click()
    expect(main.locator(".badge.warn")).to_have_count(0)
    expect(main.get_by_role("link", name=t("Receipt"))).to_have_count(1)
    expense.refresh_from_db()
    assert expense.receipt
