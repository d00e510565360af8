"""The open-data feed's files: public, JSON, cacheable for their GBFS ``ttl``."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from territories.gbfs import documents, selectors


def _published(document: dict) -> JsonResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={document['ttl']}"
    # Open data: any web page may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def feed_file(request, name: str, key: str | None = None):
    territory = selectors.territory_for_key(key) if key is not None else None
    return _published(documents.document(name, selectors.feed(name=name, territory=territory, now=timezone.now())))


@require_safe
def manifest(request):
    return _published(documents.manifest(selectors.manifest_datasets(), now=timezone.now()))
