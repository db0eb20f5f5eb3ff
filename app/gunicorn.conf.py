"""Gunicorn settings for hadjango behind an AWS Application Load Balancer.

Command-line flags override these; the tests pass --bind 127.0.0.1:PORT.
"""

import os

from hadjango.jsonlog import logging_config
from hadjango.startup import check_migrations_or_exit, load_settings_or_exit

wsgi_app = "hadjango.wsgi:application"
bind = ["0.0.0.0:8000"]

# The usual 2 x cores + 1, counting the CPUs this process may run on (a container's cpuset), not
# the host's. WEB_CONCURRENCY, gunicorn's conventional variable, overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)) + 1)

# The sync worker closes the connection after every response; gthread keeps idle connections
# open without holding a thread, which is what keep-alive behind a load balancer needs.
worker_class = "gthread"
threads = 4

# The ALB keeps idle connections to targets for its idle timeout (60 s) and reuses them. If
# gunicorn closed one first (its default is 2 s), a request the ALB had just sent down it would
# come back as a 502. Keep-alive must outlast the ALB's idle timeout.
keepalive = 75

# On SIGTERM workers finish in-flight requests for up to graceful_timeout seconds. The target
# group's deregistration delay is 30 s, so this stays below it and the ALB never cuts a request
# still being served. `docker stop` must allow at least this long (--stop-timeout 30).
graceful_timeout = 25
timeout = 30

# The worker heartbeat file lives in tmpfs: on the container's overlay filesystem its fchmod can
# block a worker for long enough to be killed as unresponsive.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicornc's control socket is not used and would need a writable $HOME.
control_socket_disable = True

accesslog = "-"
logger_class = "hadjango.gunicorn_logging.JsonAccessLogger"
logconfig_dict = logging_config("INFO", routed_loggers=("gunicorn.error", "gunicorn.access"))


def on_starting(server) -> None:
    load_settings_or_exit()
    check_migrations_or_exit()
