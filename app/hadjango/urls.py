from django.urls import path

from web import views

# /health/ has no route: web.middleware.HealthCheckMiddleware answers it before URL resolution.
urlpatterns = [
    path("", views.home, name="home"),
    path("notes/", views.notes, name="notes"),
]
