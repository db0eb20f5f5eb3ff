from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for the ALB and the container HEALTHCHECK.

    Deliberately shallow: a database outage reported here would make the ALB fail every target at
    once and the Auto Scaling group replace healthy instances in a loop.
    """
    return JsonResponse({"status": "ok", "version": settings.APP_VERSION, "commit": settings.APP_COMMIT})


@require_safe
@never_cache  # each reload must show which instance answered, not a cached copy
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "instance_id": settings.INSTANCE_ID,
            "availability_zone": settings.AVAILABILITY_ZONE,
            "version": settings.APP_VERSION,
            "commit": settings.APP_COMMIT,
        },
    )
