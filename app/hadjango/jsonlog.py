"""One JSON object per log line, so CloudWatch Logs Insights and similar tools can query fields."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from the caller's `extra`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats time, level, logger and message, plus every field the caller passed as `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: Django attaches objects such as the request to its records.
        return json.dumps(entry, default=str)


def logging_config(level: str, routed_loggers: tuple[str, ...]) -> dict:
    """A dictConfig that writes JSON to stdout through a single handler on the root logger.

    `routed_loggers` are loggers a framework set up with handlers of its own (Django's console
    handler, gunicorn's error and access streams): they lose those handlers and propagate to root,
    so every line has the same shape and none is printed twice.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {name: {"handlers": [], "propagate": True} for name in routed_loggers},
    }
