"""The one decorator that scopes a view to a community the user belongs to."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from communities.selectors import membership_get_for_user


def community_view(view=None, *, admin: bool = False):
    """Resolve ``community_id`` into ``request.membership`` / ``request.community``.

    Anonymous users go to the login page; non-members get 404; non-admins get 403 when
    ``admin`` is set.
    """

    def decorator(func):
        @login_required
        @wraps(func)
        def wrapper(request, community_id, *args, **kwargs):
            membership = membership_get_for_user(request.user, community_id, admin=admin)
            request.membership = membership
            request.community = membership.community
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
