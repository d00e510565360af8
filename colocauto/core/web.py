"""The one place where a domain error becomes an HTTP answer.

- In a form view: ``attempt(form, service, **kwargs)`` calls the service; a refusal becomes the form's
  error (what the person typed is kept) and ``None`` is returned.
- In a button view (POST then redirect): ``attempt_or_message(request, service, **kwargs)`` shows the
  refusal as an error message.
- Anything else that escapes a view reaches ``DomainErrorMiddleware``: 403, 404, 409 or 400 page, or
  a JSON body ``{"code", "detail", "fields"}`` for a client that asks for JSON.
In both helpers a permission refusal (``NotAllowed``, ``NotFound``) is not shown on the form: it goes on
to the middleware, so every page answers 403/404 the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from colocauto.core.errors import DomainError, NotAllowed, NotFound

T = TypeVar("T")
logger = logging.getLogger(__name__)

_PAGES = {403: "403.html", 404: "404.html"}

# The response attribute that lets colocauto.middleware.CompressionMiddleware compress a page.
COMPRESSIBLE = "compressible"


def compressible(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Lets the page of ``view`` be sent gzip-compressed. Only for pages that never show a secret (an IBAN, a
    feed's or an invitation's token...): a compressed page that shows a secret next to text an attacker can
    make it reflect leaks that secret through its compressed size (BREACH). Pages are not compressed unless
    they say so, so a page that starts showing a secret later is not compressed by mistake."""

    @wraps(view)
    def view_with_compression(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        setattr(response, COMPRESSIBLE, True)
        return response

    return view_with_compression


# The header that tells the service worker (templates/pwa/sw.js) to keep a copy of a page for reading offline.
OFFLINE_COPY_HEADER = "X-Colocauto-Offline"


def offline_copy(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Lets the installed app keep the last copy of the page of ``view`` on the person's device, to read it
    offline (next bookings, where a car is parked, one's balance). Only for pages people need away from a
    network; the copies are forgotten when they log out (static/js/pwa.js)."""

    @wraps(view)
    def view_kept_offline(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response[OFFLINE_COPY_HEADER] = "keep"
        return response

    return view_kept_offline


def attempt(form: Any, service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run ``service``; on a refusal, put its message on ``form`` (on the error's ``field`` when the form
    has one) and return None."""
    try:
        return service(**kwargs)
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        on_field = error.field if error.field in getattr(form, "fields", {}) else None
        form.add_error(on_field, error.message)
        return None


def attempt_or_message(request: HttpRequest, service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run ``service``; on a refusal, show its message on the next page and return None."""
    try:
        return service(**kwargs)
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return None


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_body(error: DomainError, *, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The JSON shape of every refusal: a stable code, a translated detail, field errors, parameters."""
    if fields is None and error.field:
        fields = {error.field: [str(error.message)]}
    body: dict[str, Any] = {"code": error.code, "detail": str(error.message), "fields": fields or {}}
    if error.params:
        body["params"] = error.params
    return body


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = error.status_code
    if wants_json(request):
        return JsonResponse(error_body(error), status=status)
    template = _PAGES.get(status, "domain_error.html")
    return render(request, template, {"error": error, "exception": str(error.message)}, status=status)


class DomainErrorMiddleware:
    """Answers a domain error that escaped a view with its status code, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        logger.info("Refused %s %s: %s", request.method, request.path, exception.code)
        return error_response(request, exception)
