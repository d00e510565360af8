"""URL patterns named after their views, so each name is written once (``route("new/", views.vehicle_create)``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path


def route(pattern: str, view: Callable[..., Any]) -> URLPattern:
    """``path(pattern, view, name=<the view's name>)``; a decorated view keeps its name (``functools.wraps``)."""
    return path(pattern, view, name=view.__name__)
