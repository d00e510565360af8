"""Delete my account in a real browser, in French on a phone: the page explains the balance, the person leaves it
to the community, sees the banner, cancels from it, asks again; after the grace period the job erases them."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import User
from ledger.models import Account
from privacy.deletion import erasures_run
from privacy.models import AccountDeletion
from tests.factories import CommunityFactory, member_of, owes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_a_member_with_a_balance_deletes_their_account_on_a_phone(signed_in, live_server, t):
    community = CommunityFactory(name="Les Tilleuls")
    member_of(community, role="admin", email="anne@example.org", display_name="Anne Admin")
    maya = member_of(community, email="maya@example.org", display_name="Maya Fabre", phone="0612345678")
    owner = member_of(community, email="oscar@example.org", display_name="Oscar")
    with transaction.atomic():  # a real database: the posting and its entries commit together
        owes(community, owner, maya, "12.50")
    page = signed_in(maya, **PHONE)

    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("link", name=t("Delete my account")).click()
    expect(page.get_by_role("heading", name=t("Your balance is not zero"))).to_be_visible()
    expect(page.get_by_role("heading", name="Les Tilleuls")).to_be_visible()
    expect(page.get_by_text("Maya Fabre verse")).to_be_visible()  # the transfer she must make

    page.get_by_label(t("I leave my balance to the community, which settles it without me")).check()
    page.get_by_role("button", name=t("Delete my account")).click()
    banner = page.get_by_role("status").filter(has_text=t("Cancel the erasure"))
    expect(banner).to_be_visible()
    banner.get_by_role("button", name=t("Cancel the erasure")).click()
    expect(page.get_by_text(t("The erasure of your account is cancelled: everything stays as it was."))).to_be_visible()
    assert AccountDeletion.objects.get().cancelled_at is not None

    page.goto(f"{live_server.url}/profile/delete/")
    page.get_by_label(t("I leave my balance to the community, which settles it without me")).check()
    page.get_by_role("button", name=t("Delete my account")).click()
    expect(page.get_by_role("heading", name=t("Your account is scheduled for erasure"))).to_be_visible()

    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert erasures_run() == 1
    erased = User.objects.get(pk=maya.pk)
    assert erased.is_erased and erased.phone == "" and erased.display_name == ""
    assert Account.objects.get(community=community, user=maya).balance == Decimal("-12.50")
    page.goto(f"{live_server.url}/profile/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/profile/")
