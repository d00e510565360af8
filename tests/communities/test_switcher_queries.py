"""A community page reads the viewer's memberships once: the same query finds their membership of the page's
community and fills the community switcher (issue 13: costs per request)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CommunityFactory, MembershipFactory


@pytest.mark.parametrize("name", ["community_detail", "calendar", "ledger_balances"])
def test_a_community_page_reads_the_viewers_memberships_once(client, community, member, name):
    MembershipFactory(community=CommunityFactory(name="Zeta"), user=member)  # a second one in the switcher
    client.force_login(member)
    url = reverse(name, kwargs={"community_id": community.pk})

    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()

    mine = f'"communities_membership"."user_id" = {member.pk}'
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "communities_membership"')]
    reads = [sql for sql in reads if mine in sql]
    assert len(reads) == 1, reads
    assert f'<option value="{community.pk}" selected>' in html and ">Zeta</option>" in html
