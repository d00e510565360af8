def pending_deletion(request):
    """The banner on every page while the person's account waits for its erasure (they can still cancel): read
    from the user the request already loaded (``User.erasure_due_at``), so no page pays a query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.erasure_due_at is None:
        return {}
    return {"erasure_due_at": user.erasure_due_at}
