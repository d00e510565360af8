from privacy.deletion import deletion_pending


def pending_deletion(request):
    """The banner on every page while the person's account waits for its erasure (they can still cancel)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"pending_deletion": deletion_pending(user)}
