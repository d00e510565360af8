"""The installable app: manifest, service worker, offline page, and which pages may be kept offline."""

import json
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import CommunityFactory, VehicleFactory, book, member_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("fr", "voisins"), ("en", "neighbours")])
def test_manifest_makes_the_site_installable_in_the_visitors_language(client, settings, language, words):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["display"], manifest["start_url"], manifest["lang"]) == ("standalone", "/", language)
    assert words in manifest["description"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_every_page_links_the_manifest_and_the_app_script(client):
    content = client.get(reverse("account_login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in content
    assert "js/pwa.js" in content
    assert 'name="colocauto-user" content=""' in content


def test_service_worker_is_served_from_the_root_uncached_with_the_offline_page_and_assets(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert '"/offline/"' in script
    assert "css/app.css" in script and "js/pwa.js" in script
    assert '"X-Colocauto-Offline"' in script


def test_offline_page_says_nothing_personal(client):
    user = member_of(CommunityFactory(), display_name="Brigitte Personne")
    client.force_login(user)
    content = client.get("/offline/").content.decode()
    assert "Brigitte" not in content
    assert "data-offline-pages" in content


def test_pages_people_need_away_from_a_network_may_be_kept_offline(client):
    community = CommunityFactory()
    member = member_of(community)
    car = VehicleFactory(community=community, owner=member)
    booking = book(car, member, timezone.now() + timedelta(days=1))
    client.force_login(member)
    kept = [
        reverse("community_detail", args=[community.pk]),
        reverse("my_bookings", args=[community.pk]),
        reverse("booking_detail", args=[community.pk, booking.pk]),
        reverse("vehicle_detail", args=[community.pk, car.pk]),
        reverse("ledger_account", args=[community.pk]),
    ]
    for url in kept:
        response = client.get(url)
        assert (response.status_code, response.get("X-Colocauto-Offline")) == (200, "keep"), url
    not_kept = [
        reverse("profile"),
        reverse("ledger_settle", args=[community.pk]),
        reverse("booking_create", args=[community.pk]),
    ]
    for url in not_kept:
        assert client.get(url).get("X-Colocauto-Offline") is None, url


def test_a_refusal_is_never_kept_offline(client):
    community = CommunityFactory()
    client.force_login(member_of(CommunityFactory()))
    response = client.get(reverse("my_bookings", args=[community.pk]))
    assert response.status_code == 404
    assert response.get("X-Colocauto-Offline") is None
