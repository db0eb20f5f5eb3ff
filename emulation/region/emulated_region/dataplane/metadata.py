"""The instance metadata service (IMDSv2) of one emulated instance, reached through `http_proxy`.

The user-data's curl (and the AWS CLI's credential lookup) honour `http_proxy`, so their requests
for http://169.254.169.254/... arrive here as absolute-URI proxy requests; nothing ever goes to
169.254.x. The server listens on the instance's own loopback address.
"""

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

IMDS_HOST = "169.254.169.254"


@dataclass(frozen=True)
class Identity:
    instance_id: str
    availability_zone: str
    private_ip: str
    instance_type: str
    role_name: str


class MetadataServer:
    def __init__(self, address: str, identity: Identity) -> None:
        self.identity = identity
        self._tokens: set[str] = set()
        self._server = ThreadingHTTPServer((address, 0), self._handler())
        self._server.daemon_threads = True
        self.proxy_url = f"http://{address}:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, args=(0.2,), daemon=True,
                         name=f"imds-{identity.instance_id}").start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str) -> str | None:
        identity = self.identity
        expires = (datetime.now(timezone.utc) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
        answers = {
            "instance-id": identity.instance_id,
            "instance-type": identity.instance_type,
            "local-ipv4": identity.private_ip,
            "placement/availability-zone": identity.availability_zone,
            "placement/region": identity.availability_zone[:-1],
            "iam/security-credentials/": identity.role_name,
            f"iam/security-credentials/{identity.role_name}": json.dumps({
                # moto accepts any key pair; these are the role session's stand-in.
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "testing",
                "SecretAccessKey": "testing", "Token": "testing", "Expiration": expires,
            }),
        }
        return answers.get(path.removeprefix("/latest/meta-data/"))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def _reply(self, status: int, body: str = "") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _path(self) -> str | None:
                url = urlsplit(self.path)
                return url.path if url.hostname in (IMDS_HOST, None) else None

            def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
                if self._path() != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    self._reply(400)
                    return
                token = secrets.token_urlsafe(24)
                server._tokens.add(token)
                self._reply(200, token)

            def do_GET(self) -> None:  # noqa: N802
                path = self._path()
                if path is None:
                    self._reply(403, "the emulated instance reaches only its metadata service")
                    return
                # IMDSv2 only (http_tokens = required): no token, 401.
                if self.headers.get("X-aws-ec2-metadata-token") not in server._tokens:
                    self._reply(401)
                    return
                body = server.answer(path)
                self._reply(404) if body is None else self._reply(200, body)

        return Handler
