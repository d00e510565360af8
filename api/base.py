"""What every API view shares: the address throttle before authentication, the person's language, the
community's time zone, and finding the acting membership the way the pages do (a non-member gets 404)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.views import APIView

from api.throttling import PerAddressThrottle
from colocauto.core.errors import NotFound
from colocauto.core.parsers import parse_id
from communities.models import Membership
from communities.rules import require_admin
from communities.selectors import membership_get_for_user


class _ApiMixin:
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: a client trying token after token is slowed down like any other.
        address = PerAddressThrottle()
        if not address.allow_request(request, self):
            raise exceptions.Throttled(wait=address.wait())
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        user = request.user
        if user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response.headers.setdefault("Content-Language", translation.get_language() or "fr")
        return response

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        finally:
            timezone.deactivate()  # the community's zone never leaks into the next request of this thread


class ApiView(_ApiMixin, APIView):
    pass


class ListApiView(_ApiMixin, generics.ListAPIView):
    pass


def membership_for(request: Request, community_id: Any, *, admin: bool = False) -> Membership:
    """The requester's active membership of that community, in whose time zone times are then written.

    Not a member (or no such community): 404, as on the pages. ``admin``: a member who is not an admin
    gets 403 with the code ``admin_only``.
    """
    if parse_id(community_id) is None:
        raise NotFound(_("No such community."), code="not_found")
    membership = membership_get_for_user(request.user, community_id)
    if admin:
        require_admin(membership)
    timezone.activate(ZoneInfo(membership.community.time_zone))
    return membership
