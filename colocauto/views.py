from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from colocauto.health import readiness


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers HTTP. It checks no dependency, so a database or Redis outage
    never makes an orchestrator restart web processes that would come back to the same outage."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz_ready(request):
    """Readiness: the database and Redis, each reported on its own; 503 while a configured one is down."""
    statuses, ready = readiness()
    return JsonResponse(statuses, status=200 if ready else 503)
