"""A TCP proxy the tests control: forward, cut every connection, or swallow new ones."""

from __future__ import annotations

import socket
import threading


class Proxy:
    """Listens on 127.0.0.1:<port> and forwards to `target`.

    - `cut()`: close every connection and refuse new ones (the database is gone);
    - `blackhole()`: accept new connections but never forward a byte (a network that drops packets);
    - `restore()`: forward again.
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.mode = "forward"
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        return listener

    def cut(self) -> None:
        with self._lock:
            self.mode = "cut"
            self._stop_listening()
            self._close_all()

    def blackhole(self) -> None:
        with self._lock:
            self._close_all()
            if self.mode == "cut":
                self._reopen()
            self.mode = "blackhole"

    def restore(self) -> None:
        with self._lock:
            if self.mode == "cut":
                self._reopen()
            self._close_all()  # swallowed connections were never forwarded
            self.mode = "forward"

    def close(self) -> None:
        with self._lock:
            self.mode = "closed"
            self._stop_listening()
            self._close_all()

    def _stop_listening(self) -> None:
        # shutdown() first: a plain close() leaves the socket listening while accept() blocks on it.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()

    def _reopen(self) -> None:
        self._listener = self._listen(self.port)
        threading.Thread(target=self._accept, daemon=True).start()

    def _close_all(self) -> None:
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()

    def _accept(self) -> None:
        listener = self._listener
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by cut() or close()
            with self._lock:
                self._sockets.add(client)
                if self.mode != "forward":
                    continue  # blackhole: hold it open, forward nothing
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    continue
                self._sockets.add(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.close()
                except OSError:
                    pass
