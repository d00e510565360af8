"""The one decorator that scopes a view to a territory the user is staff of (404 for anyone else)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from colocauto.core.parsers import parse_id
from territories.selectors import staff_get_for_user

SESSION_FLAG = "territory_staff"


def territory_view(view):
    """Resolve ``territory_id`` into ``request.territory`` and ``request.territory_role``."""

    @login_required
    @wraps(view)
    def wrapper(request, territory_id, *args, **kwargs):
        if parse_id(territory_id) is None:
            raise Http404
        role = staff_get_for_user(request.user, territory_id)
        request.territory_role = role
        request.territory = role.territory
        return view(request, *args, **kwargs)

    return wrapper


def remember_staff(request, is_staff: bool) -> None:
    """The navigation shows "Territory" from the session, so other pages pay no query for it."""
    if hasattr(request, "session"):
        request.session[SESSION_FLAG] = bool(is_staff)
