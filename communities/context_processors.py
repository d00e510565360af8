from communities.selectors import memberships_for


def navigation(request):
    """The user's communities (for the switcher) and the community the page is about."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # A community page has read them already (communities.access.community_view).
        "my_memberships": getattr(request, "my_memberships", None) or memberships_for(user),
        "current_community": getattr(request, "community", None),
        "current_membership": getattr(request, "membership", None),
    }
