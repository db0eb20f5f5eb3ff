"""The WSGI application: moto's server app, the harness's patches, and the /_harness/ control API."""

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request, Response

from . import api, fidelity, health, iam, placement, refresh, scaling, versions
from .state import Harness

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class EmulatedRegionApp:
    def __init__(self, harness: Harness) -> None:
        for module in (iam, fidelity, versions, health, placement, api, scaling):
            module.install(harness)
        self.harness = harness
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.routes: dict[tuple[str, str], Callable[[Any], Any]] = {
            ("POST", "/_harness/unhealthy-instance"): self.mark_unhealthy_instance,
            ("POST", "/_harness/settings"): self.change_settings,
            ("GET", "/_harness/state"): lambda _body: self.state(),
            **scaling.control_routes(harness),
        }

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_harness/"):
            return self.control(request)(environ, start_response)
        with self.harness.lock:
            refresh.advance_all(self.harness)
            response = self.moto(environ, start_response)
            # Drain moto's response inside the lock: it may be produced lazily.
            body = b"".join(response)
            if request.method == "POST" and request.path == "/moto-api/reset":
                self.harness.reset()
                if self.harness.data_plane:
                    self.harness.data_plane.reset()
        return [body]

    def advance(self) -> None:
        with self.harness.lock:
            refresh.advance_all(self.harness)

    def control(self, request: Request) -> Response:
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return self.reply({"error": f"no control endpoint {request.method} {request.path}"}, 404)
        body = request.get_json(force=True, silent=True) if request.method == "POST" else None
        if request.method == "POST" and not isinstance(body, dict):
            return self.reply({"error": "the body must be a JSON object"}, 400)
        try:
            with self.harness.lock:
                return self.reply(handler(body))
        except ValueError as error:
            return self.reply({"error": str(error)}, 400)

    @staticmethod
    def reply(payload: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(payload), status=status, mimetype="application/json")

    def mark_unhealthy_instance(self, body: dict[str, Any]) -> dict[str, Any]:
        instance_id = body.get("instanceId")
        if not isinstance(instance_id, str) or not instance_id:
            raise ValueError("instanceId must be an instance id")
        health.force_fault(self.harness, instance_id, body.get("reasonCode", "Target.FailedHealthChecks"))
        return self.state()

    def change_settings(self, body: dict[str, Any]) -> dict[str, Any]:
        self.harness.update_settings(body)
        return self.state()

    def state(self) -> dict[str, Any]:
        harness = self.harness
        return {
            "settings": harness.settings.as_json(),
            "simulatedSeconds": round(harness.clock.now(), 3),
            "unhealthyInstances": {
                instance_id: {"state": fault.state, "reasonCode": fault.reason, "description": fault.description}
                for instance_id, fault in harness.faults.items()
            },
            "liveRefreshes": [
                {
                    "autoScalingGroupName": live.group_name,
                    "instanceRefreshId": live.id,
                    "status": live.status,
                    "percentageComplete": live.percentage_complete,
                }
                for _, live in harness.live_refreshes
            ],
            "dataPlane": harness.data_plane.describe() if harness.data_plane else None,
        }


def run_ticker(app: EmulatedRegionApp, stop: threading.Event, interval_seconds: float = 0.02) -> threading.Thread:
    """Advances refreshes in the background, so they progress even when nobody polls."""

    def tick() -> None:
        while not stop.wait(interval_seconds):
            app.advance()

    thread = threading.Thread(target=tick, name="refresh-ticker", daemon=True)
    thread.start()
    return thread
