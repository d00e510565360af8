"""Request and response rules that hold for every page."""

from contextlib import suppress

from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.gzip import GZipMiddleware
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from colocauto.core.web import COMPRESSIBLE


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


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip compression (with its random padding against BREACH), for the pages that asked for it
    with ``colocauto.core.web.compressible`` only: the large pages that show no secret, such as the calendar.
    Every other answer, above all a page or an API answer that shows an IBAN, is sent as it is."""

    def process_response(self, request, response):
        if not getattr(response, COMPRESSIBLE, False):
            return response
        return super().process_response(request, response)


def _texts(request):
    """Every piece of text a request carries that the app may read or store."""
    yield request.path
    yield from request.COOKIES.keys()
    yield from request.COOKIES.values()
    forms = [request.GET]
    if request.method == "POST":
        # A body no parser reads: the view's own parsing refuses it (the API with a 400), no error is logged.
        with suppress(MultiPartParserError):
            forms.append(request.POST)
    for form in forms:
        for key, values in form.lists():
            yield key
            yield from values


class RefuseNulBytesMiddleware:
    """A NUL character in the address, the query, a form field or a cookie gets a 400 page (under /api/,
    a JSON refusal) before anything reads it: PostgreSQL refuses NUL in text, so it would otherwise end
    in a server error.
    (Django already strips it from uploaded file names.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in text for text in _texts(request)):
            # Early in the chain: no session, no user yet; the language comes from the cookie or the browser.
            with translation.override(translation.get_language_from_request(request)):
                if request.path.startswith("/api/"):  # the API's one error shape, never a page
                    detail = _("The request holds a NUL character, which is not allowed in text.")
                    return JsonResponse({"code": "malformed", "detail": detail, "fields": {}}, status=400)
                return HttpResponseBadRequest(loader.render_to_string("400.html"))
        return self.get_response(request)
