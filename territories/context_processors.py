from territories.access import SESSION_FLAG


def territory_navigation(request):
    """Whether to offer the "Territory" entry: set at login and when an invitation is accepted."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return {}
    return {"is_territory_staff": bool(session.get(SESSION_FLAG))}
