"""Issue 2's flow in a real browser: sign up → create a community → invite → a neighbour joins →
the admin approves → a vehicle is added → the neighbour sees it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from communities.models import Membership
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.helpers import wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Tilleuls-2024-partage"
SCREENSHOT = "/tmp/colocauto-browser-flow.png"


def sign_up(page, t, *, start_url: str, name: str, email: str, language: str = "fr"):
    """Fill allauth's sign-up form, then follow the link of the verification e-mail."""
    page.goto(start_url)
    page.get_by_label(t.label("Email")).fill(email)
    page.get_by_label(t.label("Password")).fill(PASSWORD)
    page.get_by_label(t.label("Password (again)")).fill(PASSWORD)
    page.get_by_label(t.label("Your name")).fill(name)
    page.get_by_label(t.label("Preferred language")).select_option(language)
    page.get_by_role("button", name=t("Sign Up")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Verify Your Email Address"))

    body = wait_for_mail(email).body
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link, body
    page.goto(link.group(0))
    page.get_by_role("button", name=t("Confirm")).click()


def community_nav(page, t, community_name: str, language: str = "fr"):
    return page.get_by_role("navigation", name=t.text("Community %(name)s", language, name=community_name))


def test_neighbours_share_a_car_from_sign_up_to_the_vehicle_list(page, new_context, live_server, t):
    # Camille signs up and creates the community.
    sign_up(
        page, t, start_url=f"{live_server.url}/accounts/signup/", name="Camille Martin", email="camille@example.org"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My communities"))
    page.get_by_role("link", name=t("Create a community")).click()
    page.get_by_label(t.label("name")).fill("Les Tilleuls")
    page.get_by_label(t.label("description")).fill("Trois foyers de la rue des Tilleuls.")
    page.get_by_label(t.label("municipality")).fill("Crest")
    page.get_by_label(t.label("postal code")).fill("26400")
    page.get_by_role("button", name=t("Create the community")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les Tilleuls")

    # She creates an invitation link.
    community_nav(page, t, "Les Tilleuls").get_by_role("link", name=t("Invitations")).click()
    page.get_by_label(t.label("Label")).fill("Rue des Tilleuls")
    page.get_by_label(t.label("Maximum number of uses")).fill("5")
    page.get_by_role("button", name=t("Create the link")).click()
    link_field = page.get_by_role("textbox", name=t("Invitation link"))
    expect(link_field).to_have_value(re.compile(r"/join/[\w-]+/$"))
    invitation_url = link_field.input_value()

    # Maya, a neighbour, opens the link on her own phone, signs up and asks to join.
    maya = new_context().new_page()
    maya.set_default_timeout(15_000)
    maya.goto(invitation_url)
    expect(maya.get_by_role("heading", level=1)).to_have_text(t.text("Join %(name)s", name="Les Tilleuls"))
    maya.get_by_role("main").get_by_role("link", name=t("Create an account")).click()
    sign_up(maya, t, start_url=maya.url, name="Maya Fabre", email="maya@example.org")
    maya.goto(invitation_url)
    maya.get_by_role("button", name=t("Join the community")).click()
    expect(maya.get_by_role("status")).to_contain_text(
        t.text("Your request to join %(name)s has been sent. An admin will approve it soon.", name="Les Tilleuls")
    )
    assert len([message for message in mail.outbox if "camille@example.org" in message.to]) == 2, "admin not told"

    # Camille approves her request.
    community_nav(page, t, "Les Tilleuls").get_by_role("link", name=t("Members")).click()
    page.get_by_role(
        "button", name=t.text('Approve<span class="visually-hidden"> %(name)s</span>', name="Maya Fabre")
    ).click()
    expect(page.get_by_role("cell", name="Maya Fabre", exact=True)).to_be_visible()
    assert Membership.objects.get(user__email="maya@example.org").status == Membership.Status.ACTIVE

    # Camille adds a vehicle.
    community_nav(page, t, "Les Tilleuls").get_by_role("link", name=t("Vehicles")).click()
    page.get_by_role("link", name=t("Add the first vehicle")).click()  # the empty list leads to the first one
    page.get_by_label(t.label("name")).fill("La Clio bleue")
    page.get_by_label(t.label("make")).fill("Renault")
    page.get_by_label(t.label("model")).fill("Clio")
    page.get_by_label(t.label("energy")).select_option("petrol")
    page.get_by_label(t.label("current odometer (km)")).fill("98450")
    page.get_by_label(t.label("Rate per km (€/km)")).fill("0.25")
    page.get_by_role("button", name=t("Add the vehicle")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La Clio bleue")

    # Maya sees it in the vehicle list of her new community.
    maya.goto(live_server.url)
    maya.get_by_role("link", name="Les Tilleuls").click()
    community_nav(maya, t, "Les Tilleuls").get_by_role("link", name=t("Vehicles")).click()
    expect(maya.get_by_role("heading", level=2, name="La Clio bleue")).to_be_visible()
    maya.screenshot(path=SCREENSHOT, full_page=True)


def log_in(page, t, *, base_url: str, email: str, password: str):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label(t.label("Email")).fill(email)
    page.get_by_label(t.label("Password")).fill(password)
    page.get_by_role("button", name=t("Sign In")).click()
    expect(page.get_by_role("navigation", name=t("Account")).get_by_role("button", name=t("Log out"))).to_be_visible()


def test_the_flows_key_pages_work_in_english_after_switching_language(page, live_server, t):
    community = CommunityFactory(name="Les Tilleuls")
    admin = UserFactory(email="camille@example.org", display_name="Camille Martin")
    MembershipFactory(community=community, user=admin, role=Membership.Role.ADMIN)
    newcomer = UserFactory(email="james@example.org", display_name="James Wilson", language="en")
    MembershipFactory(community=community, user=newcomer, status=Membership.Status.PENDING, joined_at=None)
    log_in(page, t, base_url=live_server.url, email=admin.email, password=FACTORY_PASSWORD)

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My communities")
    page.get_by_role("link", name="Les Tilleuls").click()
    nav = community_nav(page, t, "Les Tilleuls", "en")
    nav.get_by_role("link", name="Invitations").click()
    page.get_by_role("button", name="Create the link").click()
    expect(page.get_by_role("textbox", name="Invitation link")).to_have_value(re.compile(r"/join/[\w-]+/$"))
    nav.get_by_role("link", name="Members").click()
    page.get_by_role("button", name="Approve James Wilson").click()
    expect(page.get_by_role("cell", name="James Wilson", exact=True)).to_be_visible()
    nav.get_by_role("link", name="Vehicles").click()
    page.get_by_role("link", name="Add the first vehicle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a vehicle")
    page.get_by_label(t.label("name", "en")).fill("The blue Clio")
    page.get_by_label(t.label("energy", "en")).select_option("electric")
    page.get_by_role("button", name="Add the vehicle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The blue Clio")
    nav.get_by_role("link", name="Vehicles").click()
    expect(page.get_by_role("heading", level=2, name="The blue Clio")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Electric")
    admin.refresh_from_db()
    assert admin.language == "en"
