"""The yardstick for the emulator's speed (the bench's target 6).

A minimal object store on the standard library: ``ThreadingHTTPServer``, HTTP/1.1
keep-alive, Nagle off, objects in a dict. ``python3 _dictstore.py ADDRESS`` prints
its port and serves until terminated.
"""
from __future__ import annotations

import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_store: dict[str, bytes] = {}
_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _reply(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_PUT(self) -> None:
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _lock:
            _store[self.path] = data
        self._reply(201)

    def do_GET(self) -> None:
        data = _store.get(self.path)
        if data is None:
            self._reply(404)
        else:
            self._reply(200, data)

    def do_DELETE(self) -> None:
        with _lock:
            found = _store.pop(self.path, None) is not None
        self._reply(200 if found else 404)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer((sys.argv[1], 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    print(server.server_address[1], flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
