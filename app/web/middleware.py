from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from web import views

HEALTH_PATH = "/health/"


class HealthCheckMiddleware:
    """Answers the health path before any other middleware sees the request.

    The ALB health checker sends the instance's private IP as Host and plain HTTP without
    X-Forwarded-Proto. Further down, SecurityMiddleware would redirect it to HTTPS and
    CommonMiddleware would reject the Host with a 400; either marks the target unhealthy. The
    health view never reads the Host header, so skipping host validation for this one path
    cannot poison anything, and every other path still gets the full checks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return views.health(request)
        return self.get_response(request)
