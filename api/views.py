"""``/api/``: where to start (the versions and their documentation)."""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def api_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "versions": {
                "v1": {
                    "schema": request.build_absolute_uri(reverse("api:schema")),
                    "docs": request.build_absolute_uri(reverse("api:docs")),
                }
            }
        }
    )
