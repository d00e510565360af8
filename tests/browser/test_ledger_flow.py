"""Issue 4's flow in a real browser: a member records a fuel expense, the balances page shows who owes
whom (summing to zero), the month is closed, the payer declares the transfer paid, the payee confirms
it, and every balance is back to zero."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from colocauto.core.clock import month_start, previous_month
from colocauto.text import french_typography
from communities.models import Membership
from ledger import tasks
from ledger.emails import money_text
from ledger.models import Expense, Transfer
from ledger.posting import local_today
from ledger.templatetags.ledger_tags import statement_title
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory
from tests.helpers import wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "FR7630006000011234567890189"


def euros(amount: str) -> str:
    """An amount as the French pages show it, e.g. « 58,40 € »."""
    with translation.override("fr"):
        return money_text(Decimal(amount))


@pytest.fixture
def tilleuls():
    """Oscar lends his Clio at 0.30 €/km; Maya, who gave her IBAN, fills it up. Members for a year."""
    community = CommunityFactory(name="Les Tilleuls")
    joined = timezone.now() - timedelta(days=365)
    oscar = UserFactory(email="oscar@example.org", display_name="Oscar Renard")
    maya = UserFactory(email="maya@example.org", display_name="Maya Fabre", iban=IBAN)
    for user in (oscar, maya):
        MembershipFactory(community=community, user=user, role=Membership.Role.MEMBER, joined_at=joined)
    car = VehicleFactory(community=community, owner=oscar, name="Clio bleue", rate_per_km=Decimal("0.300"))
    return {"community": community, "oscar": oscar, "maya": maya, "car": car}


def community_link(page, t, name: str):
    return page.get_by_role("navigation", name=t.text("Community %(name)s", name="Les Tilleuls")).get_by_role(
        "link", name=t(name), exact=True
    )


def balance_row(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(rf"^{name}")))


def test_a_fuel_expense_is_owed_settled_by_transfer_and_balances_return_to_zero(tilleuls, signed_in, t):
    community = tilleuls["community"]
    last_month = previous_month(local_today(community))
    filled_up_on = last_month + timedelta(days=19)

    # Maya records last month's fill-up; a typo in the amount is pointed out and the rest is kept.
    maya = signed_in(tilleuls["maya"])
    maya.get_by_role("link", name="Les Tilleuls").first.click()
    community_link(maya, t, "Expenses").click()
    maya.get_by_role("link", name=t("Add an expense")).click()
    expect(maya.get_by_role("heading", level=1)).to_have_text(t("Add an expense"))
    expect(maya.get_by_label(t.label("Vehicle"))).to_have_value(str(tilleuls["car"].pk))
    category = maya.get_by_label(t.label("Category"))
    litres = maya.get_by_label(t.label("Quantity (L)"))
    category.select_option("maintenance")
    expect(litres).to_be_hidden()  # litres and odometer are asked for fuel only
    category.select_option("fuel")
    expect(litres).to_be_visible()
    maya.get_by_label(t.label("Amount (€)")).fill("58,4O")
    maya.get_by_label(t.label("Date")).fill(f"{filled_up_on:%Y-%m-%d}")
    litres.fill("32,5")
    maya.get_by_label(t.label("Odometer (km)")).fill("42310")
    maya.get_by_label(t.label("Note")).fill("Plein à Crest")
    maya.get_by_role("button", name=t("Record the expense")).click()

    expect(maya.get_by_role("alert")).to_contain_text(t("Some fields need your attention; what you typed is kept."))
    expect(maya.get_by_role("main")).to_contain_text(t("Enter an amount, e.g. 42.50."))
    expect(maya.get_by_label(t.label("Amount (€)"))).to_have_value("58,4O")
    expect(maya.get_by_label(t.label("Note"))).to_have_value("Plein à Crest")
    expect(maya.get_by_label(t.label("Quantity (L)"))).to_have_value("32,5")
    assert not Expense.objects.exists()

    maya.get_by_label(t.label("Amount (€)")).fill("58,40")
    maya.get_by_role("button", name=t("Record the expense")).click()
    expect(maya.get_by_role("heading", level=1)).to_have_text(t("Expenses"))
    expect(maya.get_by_role("main")).to_contain_text(t("The expense has been recorded."))
    expense_row = maya.get_by_role("row").filter(has_text="Plein à Crest")
    expect(expense_row).to_contain_text(euros("58.40"))
    expect(expense_row).to_contain_text("Maya Fabre")

    # The balances, open to every member: Oscar owes Maya the fuel, and together they come to zero.
    community_link(maya, t, "Balances").click()
    expect(balance_row(maya, "Maya Fabre")).to_contain_text(euros("58.40"))
    expect(balance_row(maya, "Oscar Renard")).to_contain_text(euros("-58.40"))
    total = maya.get_by_role("row").filter(has=maya.get_by_role("rowheader", name=t("Sum of all balances")))
    expect(total).to_contain_text(euros("0"))
    expect(total).to_contain_text(t("Exactly zero, as it must be: every cent owed is owed to someone."))

    # Before any month is closed, Settle up shows what today's balances would give.
    community_link(maya, t, "Settle up").click()
    expect(maya.get_by_role("heading", level=2, name=t("If everyone settled today"))).to_be_visible()
    live_plan = maya.get_by_role("row").filter(has_text="Oscar Renard")
    expect(live_plan).to_have_count(1)
    expect(live_plan).to_contain_text("Maya Fabre")
    expect(live_plan).to_contain_text(euros("58.40"))

    # On the 1st the monthly job closes last month (its task, run here in-process) and e-mails the plan.
    tasks.month_close_community.delay(community.pk, f"{last_month:%Y-%m}")
    assert euros("58.40") in wait_for_mail("oscar@example.org").body
    transfer = Transfer.objects.get()

    # Oscar sees whom to pay, with Maya's IBAN as a QR code for his banking app, and declares it paid.
    oscar = signed_in(tilleuls["oscar"])
    oscar.get_by_role("link", name="Les Tilleuls").first.click()
    community_link(oscar, t, "Settle up").click()
    to_pay = oscar.get_by_role("region", name=t("Transfers you make"))
    expect(to_pay.get_by_role("heading", level=3)).to_have_text(
        t.text("%(amount)s to %(payee)s", amount=euros("58.40"), payee="Maya Fabre")
    )
    expect(to_pay.get_by_role("img", name=re.compile("EPC"))).to_be_visible()
    expect(to_pay).to_contain_text("FR76 3000 6000 0112 3456 7890 189")
    oscar.screenshot(path="/tmp/colocauto-settle-payer.png", full_page=True)
    paid = t("I've paid")
    to_pay.get_by_role("button", name=re.compile(rf"^{re.escape(paid)}")).click()
    expect(oscar.get_by_role("main")).to_contain_text(
        t("Thank you: the person you paid is asked to confirm they received it.")
    )
    expect(oscar.get_by_role("region", name=t("Transfers you make"))).to_contain_text(
        t("paid, waiting for confirmation")
    )
    transfer.refresh_from_db()
    assert transfer.declared_paid_at is not None and transfer.confirmed_at is None

    # Maya sees the money arrive and confirms it.
    community_link(maya, t, "Settle up").click()
    to_receive = maya.get_by_role("region", name=t("Transfers you receive"))
    with translation.override("fr"):  # « 58,40 € d’Oscar Renard »: French elides before the name
        expected = french_typography(t.text("%(amount)s from %(payer)s", amount=euros("58.40"), payer="Oscar Renard"))
    assert "d’Oscar" in expected
    expect(to_receive.get_by_role("heading", level=3)).to_have_text(expected)
    expect(to_receive).to_contain_text(t("paid, waiting for confirmation"))
    to_receive.get_by_role("button", name=re.compile(rf"^{re.escape(t('Received'))}")).click()
    expect(maya.get_by_role("main")).to_contain_text(t("Confirmed: the transfer is now in both accounts' history."))
    expect(maya.get_by_role("main")).to_contain_text(t("Every transfer of this plan has been confirmed."))

    # Everyone is square again, and both statements keep the whole story.
    community_link(maya, t, "Balances").click()
    expect(balance_row(maya, "Maya Fabre")).to_contain_text(euros("0"))
    expect(balance_row(maya, "Oscar Renard")).to_contain_text(euros("0"))
    expect(total).to_contain_text(euros("0"))
    maya.screenshot(path="/tmp/colocauto-balances-settled.png", full_page=True)
    community_link(maya, t, "My account").click()
    expect(maya.get_by_role("region", name=t("Current balance"))).to_contain_text(
        t("You are all square: you owe nothing and nobody owes you anything.")
    )
    # The statement opens on this month, from the balance brought forward (last month's fill-up)…
    with translation.override("fr"):
        title = statement_title(month_start(local_today(community)))
    this_month = maya.get_by_role("region", name=title)
    expect(this_month.locator(".ledger-opening")).to_contain_text(euros("58.40"))
    expect(this_month).to_contain_text(euros("-58.40"))
    # … and the whole story is one link away, reached with the keyboard.
    months = maya.get_by_role("navigation", name=t("Months of the statement"))
    months.get_by_role("link", name=t("Every line since the start")).focus()
    maya.keyboard.press("Enter")
    statement = maya.get_by_role("region", name=t("Statement: every line since the start"))
    expect(statement.locator("tbody").get_by_role("row")).to_have_count(2)
    expect(statement).to_contain_text(euros("58.40"))
    expect(statement).to_contain_text(euros("-58.40"))
