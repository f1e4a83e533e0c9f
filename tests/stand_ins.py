"""Stand-in network servers for fault tests: a service that accepts connections and then never answers."""

import contextlib
import socket
import threading


class SilentServer:
    """Listens on a loopback port, accepts every connection, reads and discards what it is sent, never replies:
    a Redis (or anything) that is up at the TCP level but hung. relay_to(address) makes later connections reach
    a real server through the same port, as if the hung one came back. Use as a context manager."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.upstream = None
        self._sockets = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def url(self, scheme="redis", path="/13"):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def relay_to(self, address):
        self.upstream = address

    def close(self):
        for sock in [self.listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._sockets.append(client)
            if self.upstream is None:
                threading.Thread(target=_pipe, args=(client, None), daemon=True).start()
                continue
            upstream = socket.create_connection(self.upstream)
            self._sockets.append(upstream)
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, target), daemon=True).start()


def _pipe(source, target):
    """Copy source to target until either closes; with no target, read and discard (a server that never answers)."""
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            if target is not None:
                target.sendall(data)
    for sock in (source, target):
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
