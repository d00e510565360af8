"""The phone's tab bar (templates/communities/_tab_bar.html): book, calendar, my bookings, my account and
"More" for every other page, the page shown marked with aria-current; no tab bar outside a community."""

import re

from django.urls import reverse


def tab_bar(html: str) -> str:
    match = re.search(r'<nav class="tab-bar".*?</nav>', html, re.S)
    assert match, "no tab bar"
    return match.group(0)


def current_links(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"\s+aria-current="page"', nav)


def test_the_tabs_link_to_booking_calendar_my_bookings_and_my_account_and_mark_the_page_shown(login, community, member):
    calendar = reverse("calendar", args=[community.pk])
    mine = reverse("my_bookings", args=[community.pk])
    html = login(member).get(mine).content.decode()
    nav = tab_bar(html)
    tabs = nav.split('<details class="tab-more">')[0]
    expected = [
        reverse("booking_find", args=[community.pk]),
        f"{calendar}#now",  # today's day view at the current hour
        mine,
        reverse("ledger_account", args=[community.pk]),
    ]
    assert re.findall(r'<a href="([^"]+)"', tabs) == expected
    assert current_links(nav) == [mine]  # "My bookings", not "Calendar" whose address it starts with
    assert 'aria-label="Main tabs"' in nav
    assert "<summary>More</summary>" in nav

    assert current_links(tab_bar(login(member).get(calendar).content.decode())) == [f"{calendar}#now"]


def test_more_lists_every_other_page_of_the_community_and_the_account_links(login, community, member, admin_user):
    more = tab_bar(login(member).get(reverse("community_detail", args=[community.pk])).content.decode())
    more = more.split('<details class="tab-more">')[1]
    for name in (
        "community_detail",
        "vehicle_list",
        "ledger_balances",
        "ledger_settle",
        "ledger_expenses",
        "member_list",
    ):
        assert f'href="{reverse(name, args=[community.pk])}"' in more, name
    for name in ("calendar", "my_bookings", "ledger_account"):
        assert f'href="{reverse(name, args=[community.pk])}"' not in more, name
    assert f'href="{reverse("invitation_list", args=[community.pk])}"' not in more
    assert f'href="{reverse("profile")}"' in more
    assert f'action="{reverse("account_logout")}"' in more
    assert current_links(more) == [reverse("community_detail", args=[community.pk])]

    admin_more = tab_bar(login(admin_user).get(reverse("member_list", args=[community.pk])).content.decode())
    assert f'href="{reverse("invitation_list", args=[community.pk])}"' in admin_more
    assert current_links(admin_more) == [reverse("member_list", args=[community.pk])]


def test_pages_outside_a_community_have_no_tab_bar(login, member):
    html = login(member).get(reverse("profile")).content.decode()
    assert 'class="tab-bar"' not in html
    assert "<body>" in html


def test_the_top_navigation_still_lists_every_page_of_the_community(login, community, member):
    html = login(member).get(reverse("community_detail", args=[community.pk])).content.decode()
    nav = html.split('<nav class="community-nav"')[1]
    for name in ("calendar", "my_bookings", "ledger_account", "ledger_balances", "member_list"):
        assert f'href="{reverse(name, args=[community.pk])}"' in nav.split("</nav>")[0], name
