from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from web.forms import NoteForm
from web.models import Note

RECENT_NOTES = 20


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


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def notes(request: HttpRequest) -> HttpResponse:
    """Writes a note and reads the latest ones: the database and the session, shared by the fleet."""
    if not settings.DATABASE_CONFIGURED:
        status = 503 if request.method == "POST" else 200
        return render(request, "web/notes.html", {"database": False}, status=status)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        form.instance.instance_id = settings.INSTANCE_ID
        form.save()
        request.session["notes_added"] = request.session.get("notes_added", 0) + 1
        return redirect("notes")
    context = {
        "database": True,
        "form": form,
        "notes": Note.objects.all()[:RECENT_NOTES],
        "notes_added": request.session.get("notes_added", 0),
        "instance_id": settings.INSTANCE_ID,
    }
    return render(request, "web/notes.html", context, status=400 if form.is_bound else 200)
