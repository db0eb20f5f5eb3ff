"""How an emulated instance's containers reach the region's databases: a TCP relay per database,
listening inside the container's network namespace on the database's own loopback address.

On EC2 a container reaches the RDS endpoint's private IP through the VPC. Here the database server
listens on a loopback address of this machine (database/), and a container's loopback is its own:
a short-lived thread enters the container's network namespace (setns), binds the database's
address and port there and ends; the listening socket stays in that namespace, and the accept loop
connects each client to the server from this process's own namespace. Bytes pass through
unchanged, so TLS, and the server's certificate, stay end to end. The docker shim (shims/docker)
asks for the relays after podman's `init` and before the container's process starts, and names the
endpoint in the container's hosts file. Podman keeps a container's network namespace across its
restarts (`--restart always`), so the relay stays with it; the data plane closes it when the
instance stops. Nothing here listens outside the container's namespace, and nothing targets a
podman bridge address: both ends are loopback.
"""

import ctypes
import os
import socket
import threading
from dataclasses import dataclass, field

CLONE_NEWNET = 0x40000000
CHUNK = 65536
_libc = ctypes.CDLL(None, use_errno=True)


def listen_in(netns: str, address: str, port: int) -> socket.socket:
    """A socket listening on address:port inside the network namespace `netns` (/proc/PID/ns/net)."""
    made: dict[str, object] = {}

    def enter_bind_and_end() -> None:
        try:
            descriptor = os.open(netns, os.O_RDONLY)
            try:
                if _libc.setns(descriptor, CLONE_NEWNET) != 0:
                    error = ctypes.get_errno()
                    raise OSError(error, f"setns({netns}): {os.strerror(error)}")
            finally:
                os.close(descriptor)
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((address, port))
            listener.listen(64)
            made["listener"] = listener
        except OSError as error:
            made["error"] = error

    # Its own thread: setns changes the calling thread's namespace, and this thread ends with it.
    thread = threading.Thread(target=enter_bind_and_end, name="relay-setns")
    thread.start()
    thread.join()
    if "error" in made:
        raise made["error"]  # type: ignore[misc]
    return made["listener"]  # type: ignore[return-value]


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(CHUNK):
            sink.sendall(chunk)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)  # the other direction may still have bytes to pass
    except OSError:
        pass


@dataclass
class Relay:
    listener: socket.socket
    target: tuple[str, int]
    connections: set[socket.socket] = field(default_factory=set)
    closed: bool = False

    def start(self) -> "Relay":
        threading.Thread(target=self._accept, daemon=True, name=f"relay-{self.target[0]}").start()
        return self

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True, name="relay-connection").start()

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()  # the server is down (a failover): the client sees the connection end
            return
        server.settimeout(None)
        self.connections.update((client, server))
        upstream = threading.Thread(target=_pump, args=(client, server), daemon=True, name="relay-up")
        upstream.start()
        _pump(server, client)
        upstream.join()
        for end in (client, server):
            self.connections.discard(end)
            end.close()

    def close(self) -> None:
        self.closed = True
        for end in (self.listener, *list(self.connections)):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


def relay_into(pid: int, targets: list[tuple[str, int]]) -> list[Relay]:
    """One relay per database, in the network namespace of process `pid` (a container's)."""
    netns = f"/proc/{pid}/ns/net"
    relays: list[Relay] = []
    try:
        for address, port in targets:
            relays.append(Relay(listen_in(netns, address, port), (address, port)).start())
    except OSError:
        for relay in relays:
            relay.close()
        raise
    return relays
