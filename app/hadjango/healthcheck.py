"""The image's HEALTHCHECK: exit 0 when gunicorn answers the health path on the container's port.

Python rather than curl, which the slim base image does not ship.
"""

import sys
import urllib.request

HEALTH_URL = "http://127.0.0.1:8000/health/"


def main() -> int:
    # No proxies: an HTTP(S)_PROXY in the container's environment must not capture a loopback probe.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(HEALTH_URL, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:  # connection refused, timeout, or an HTTP error status
        print(f"health check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
