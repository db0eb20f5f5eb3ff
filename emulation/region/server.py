"""Runs the emulated AWS region on 127.0.0.1.

    .venv/bin/python emulation/region/server.py --port 0 [--time-scale 100] [--data-plane] [--database]

With --data-plane, Auto Scaling instances boot for real (their user-data runs, containers start
through the docker CLI at DOCKER_HOST, pulling with DOCKER_CONFIG's credentials), target health
comes from real HTTP checks, and each load balancer is an haproxy on a loopback address; the
addresses are written, /etc/hosts style, to the file `/_harness/state` names (dataPlane.hostsFile).
With --database, each RDS DB instance is a real PostgreSQL server on a loopback address, with TLS;
`/_harness/databases` names its CA file and the hosts file its endpoints resolve through.

Prints `EMULATED_REGION_READY http://127.0.0.1:<port>` on stdout once it accepts requests, then
serves until SIGTERM or SIGINT, or until stdin closes when stdin is a pipe (so a parent that dies
cannot leave it running).
"""

import argparse
import logging
import os
import signal
import stat
import sys
import threading


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one (default)")
    parser.add_argument(
        "--time-scale", type=float, default=100.0,
        help="simulated seconds per real second for health checks, warmup and draining (default 100)",
    )
    parser.add_argument("--data-plane", action="store_true",
                        help="run instances, health checks and load balancers for real (see above)")
    parser.add_argument("--database", action="store_true",
                        help="back each RDS DB instance with a real PostgreSQL server (emulated_region/database)")
    parser.add_argument("--log-requests", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    if args.time_scale <= 0:
        parser.error("--time-scale must be greater than 0")
    return args


def stop_when_stdin_closes(stop: threading.Event) -> None:
    if not stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        return

    def wait_for_eof() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside the buffered reader holds its lock
        # and makes interpreter shutdown abort.
        while os.read(sys.stdin.fileno(), 4096):
            pass
        stop.set()

    threading.Thread(target=wait_for_eof, name="stdin-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Before moto is imported: Terraform attaches the AWS managed AmazonSSMManagedInstanceCore policy.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from emulated_region.app import EmulatedRegionApp, run_ticker
    from emulated_region.parts import PARTS
    from emulated_region.state import Harness

    logging.getLogger("werkzeug").setLevel(logging.INFO if args.log_requests else logging.WARNING)
    parts = list(PARTS)
    if args.data_plane:
        from emulated_region.dataplane import DataPlane

        parts.append(DataPlane)
    if args.database:
        from emulated_region.database import Databases

        parts.append(Databases)
    app = EmulatedRegionApp(Harness(args.time_scale, parts))
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)
    endpoint = f"http://127.0.0.1:{server.server_port}"

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop_when_stdin_closes(stop)
    serving = threading.Thread(target=server.serve_forever, args=(0.1,), name="http", daemon=True)
    serving.start()
    run_ticker(app, stop)
    for part in app.harness.parts:
        part.start(endpoint, stop)
    print(f"EMULATED_REGION_READY {endpoint}", flush=True)

    stop.wait()
    if app.harness.data_plane:
        app.harness.data_plane.shutdown()
    if args.database:
        app.harness.part(Databases).shutdown()
    server.shutdown()
    serving.join()
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    # Nothing is left to clean up, and tearing down moto's module and object graph takes a second
    # or more: end the process directly.
    os._exit(status)
