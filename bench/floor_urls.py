"""The product's URLs plus the floor of bench/load_floor.py: a bare Django view that runs one trivial query.

It goes through the same middleware, settings and gunicorn as the pages it is compared with, so the ratio of
their server CPU per request says what the pages cost above what any Django answer costs."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from colocauto.urls import urlpatterns as product_urlpatterns


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench-floor/", floor), *product_urlpatterns]
