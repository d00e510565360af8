"""What the ledger's pages share: the request as ``community_view`` hands it over, typed."""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from communities.access import community_view
from communities.models import Community, Membership, User

View = Callable[..., HttpResponseBase]


class CommunityRequest(HttpRequest):
    """A request of a signed-in, active member, scoped to their community by ``community_view``."""

    user: User  # signed in: never AnonymousUser past community_view
    membership: Membership
    community: Community


# ``communities.access.community_view`` (404 outside the community), as a typed decorator.
member_view: Callable[[View], View] = community_view
