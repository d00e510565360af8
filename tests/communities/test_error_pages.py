"""Error pages look like the rest of the site, speak the visitor's language and lead back home."""

from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_unknown_page_shows_a_styled_404_with_a_link_home(db, client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in content
    assert 'href="/"' in content
    assert "css/app.css" in content


def test_another_communitys_page_shows_the_404_page_to_a_signed_in_user(login, community, outsider, settings):
    settings.DEBUG = False
    response = login(outsider).get(reverse("community_detail", args=[community.pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert outsider.name in response.content.decode()  # the usual header, with the account menu


def test_admin_only_page_shows_a_styled_403_to_a_member(login, community, member, settings):
    settings.DEBUG = False
    response = login(member).get(reverse("community_edit", args=[community.pk]))
    content = response.content.decode()
    assert response.status_code == 403
    assert "Access denied" in content
    assert "Back to the home page" in content


def test_server_error_page_needs_no_context_and_links_home(db):
    response = server_error(RequestFactory().get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in content
    assert 'href="/"' in content
    assert "css/app.css" in content


def test_404_page_offers_an_anonymous_visitor_to_log_in(db, client, settings):
    settings.DEBUG = False
    content = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in content
    assert '<html lang="en">' in content
