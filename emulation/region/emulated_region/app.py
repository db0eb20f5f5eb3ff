"""The WSGI application: moto's server app, the harness's patches, and the /_harness/ control API."""

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request, Response

from .state import Harness

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class EmulatedRegionApp:
    """Serves moto with the harness's parts installed (the harness is built with its parts, see
    parts.py), and the parts' control routes beside the harness's own settings and state."""

    def __init__(self, harness: Harness) -> None:
        harness.install()
        self.harness = harness
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.routes = {
            ("POST", "/_harness/settings"): self.change_settings,
            ("GET", "/_harness/state"): lambda _body: self.state(),
            **harness.routes(),
        }

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_harness/"):
            return self.control(request)(environ, start_response)
        with self.harness.lock:
            self.harness.advance()
            response = self.moto(environ, start_response)
            # Drain moto's response inside the lock: it may be produced lazily.
            body = b"".join(response)
            if request.method == "POST" and request.path == "/moto-api/reset":
                self.harness.reset()
        return [body]

    def advance(self) -> None:
        with self.harness.lock:
            self.harness.advance()

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

    def change_settings(self, body: dict[str, Any]) -> dict[str, Any]:
        self.harness.update_settings(body)
        return self.state()

    def state(self) -> dict[str, Any]:
        return self.harness.describe()


def run_ticker(app: EmulatedRegionApp, stop: threading.Event, interval_seconds: float = 0.02) -> threading.Thread:
    """Advances the parts in the background, so refreshes progress even when nobody polls."""

    def tick() -> None:
        while not stop.wait(interval_seconds):
            app.advance()

    thread = threading.Thread(target=tick, name="refresh-ticker", daemon=True)
    thread.start()
    return thread
