"""The decorators of community pages: scoped to a community the user belongs to, in its time zone."""

from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from colocauto.core.parsers import parse_id
from communities.selectors import memberships_with_current, pending_requests_for_user


def community_view(view=None, *, admin: bool = False):
    """Resolve ``community_id`` into ``request.membership`` / ``request.community``.

    Anonymous users go to the login page; non-members get 404 (except someone whose request
    to join waits for an admin: they get a 403 page saying so); non-admins get 403 when
    ``admin`` is set.
    """

    def decorator(func):
        @login_required
        @wraps(func)
        def wrapper(request, community_id, *args, **kwargs):
            if parse_id(community_id) is None:
                raise Http404  # e.g. twenty nines: no row has that id, and the database cannot even compare it
            try:
                membership, memberships = memberships_with_current(request.user, community_id, admin=admin)
            except Http404:
                pending = pending_requests_for_user(request.user).filter(community_id=community_id).first()
                if pending is None:
                    raise
                return render(request, "communities/membership_pending.html", {"pending": pending}, status=403)
            request.membership = membership
            request.community = membership.community
            request.my_memberships = memberships  # the community switcher's list (communities.context_processors)
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def in_community_time(view):
    """Show and read every date-time of the page in the community's time zone, not the server's
    (under ``community_view``, which sets ``request.community``)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(ZoneInfo(request.community.time_zone)):
            return view(request, *args, **kwargs)

    return wrapper
