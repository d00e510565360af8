"""Request and response rules that hold for every page."""


class PrivatePagesMiddleware:
    """What a signed-in person sees (IBANs, QR codes, statements, receipts, bookings) is never kept by a
    browser or a proxy. A view that chose its own caching (pictures, calendar feeds) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
