"""Gunicorn access log as JSON fields, in the same line format as the application's own logs."""

import traceback

from gunicorn import glogging


class JsonAccessLogger(glogging.Logger):
    """Logs each request as the message "request" with an `http` object instead of Apache's combined format."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        try:
            status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
            http = {
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "query": environ.get("QUERY_STRING") or None,
                "protocol": environ.get("SERVER_PROTOCOL"),
                "status": int(status),
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 3),
                "host": environ.get("HTTP_HOST"),
                "remote_addr": environ.get("REMOTE_ADDR"),
                # The ALB appends the client's address and stamps a trace id that also appears in
                # its own access logs, so a request can be followed from the edge to the worker.
                "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
                "trace_id": environ.get("HTTP_X_AMZN_TRACE_ID"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            }
            self.access_log.info("request", extra={"http": http})
        except Exception:
            # As in gunicorn's own access(): a logging failure must not fail the request.
            self.error(traceback.format_exc())
