"""The HTTP side of the fixture news web: three listeners in one process and a shared request log.

Listeners (each on a free port, all on loopback; Linux routes all of 127.0.0.0/8 to `lo`):
  site_a     127.0.0.1  "Tech-Rundschau", the newsroom
  site_b     127.0.0.2  "Netzecho", a republisher of the same story in another machine translation
  forbidden  127.0.0.3  plays a private host: it must never receive a request

Every request is recorded (listener, method, host, path, User-Agent, Referer, status). Control endpoints on
site_a and site_b, never recorded themselves:
  GET    /__requests   -> JSON list of all recorded requests, all listeners, oldest first
  DELETE /__requests   -> clears the log
The forbidden listener has no control endpoints: whatever reaches it is recorded.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable

from tests.mockserver.responses import Response
from tests.mockserver.routes import respond

HOSTS = {"site_a": "127.0.0.1", "site_b": "127.0.0.2", "forbidden": "127.0.0.3"}
CONTROL_PATH = "/__requests"


class RequestLog:
    """Thread-safe list of recorded requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict] = []

    def record(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class NewsWebHandler(BaseHTTPRequestHandler):
    """Answers one request on one listener; `server.site`, `server.bases`, `server.log` are set by NewsWeb."""

    server_version = "NewsWebFixture/1.0"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass  # the request log replaces stderr chatter

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_DELETE(self) -> None:
        if self._is_control() and self.server.site != "forbidden":
            self.server.log.clear()
            self._send(Response(204))
            return
        self._handle(send_body=True)

    def do_POST(self) -> None:
        self._handle(send_body=True)

    def _is_control(self) -> bool:
        return self.path.split("?", 1)[0] == CONTROL_PATH

    def _handle(self, send_body: bool) -> None:
        site = self.server.site
        if self._is_control() and site != "forbidden" and self.command == "GET":
            body = json.dumps(self.server.log.entries()).encode("utf-8")
            self._send(Response(200, [("Content-Type", "application/json")], body))
            return
        response = self.server.respond(site, self.path, self.server.bases)
        self.server.log.record(
            {
                "listener": site,
                "method": self.command,
                "host": self.headers.get("Host", ""),
                "path": self.path,
                "user_agent": self.headers.get("User-Agent", ""),
                "referer": self.headers.get("Referer", ""),
                "status": response.status,
                "time": time.time(),
            }
        )
        self._send(response, send_body)

    def _send(self, response: Response, send_body: bool = True) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        body = response.body
        if isinstance(body, bytes) and not any(n.lower() == "content-length" for n, _ in response.headers):
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        chunks: Iterable[bytes] = [body] if isinstance(body, bytes) else body
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. on an oversized page): exactly what we hoped
        if response.reset_connection:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # closing with linger 0 sends a TCP reset
            self.close_connection = True


class IPv6HTTPServer(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class NewsWeb:
    """The three listeners, started on free ports, sharing one request log.

    Other webs reuse it with their own `hosts` (listener name -> IPv4 or IPv6 address) and `respond`
    function (see tests/mockserver/hostile_web.py)."""

    def __init__(self, hosts: dict[str, str] | None = None, respond=respond) -> None:
        self.log = RequestLog()
        self.servers: dict[str, ThreadingHTTPServer] = {}
        self.bases: dict[str, str] = {}
        for site, host in (hosts or HOSTS).items():
            server_class = IPv6HTTPServer if ":" in host else ThreadingHTTPServer
            server = server_class((host, 0), NewsWebHandler)
            server.daemon_threads = True
            server.site = site
            server.log = self.log
            server.respond = respond
            self.servers[site] = server
            authority = f"[{host}]" if ":" in host else host
            self.bases[site] = f"http://{authority}:{server.server_address[1]}"
        for server in self.servers.values():
            server.bases = self.bases
        self._threads: list[threading.Thread] = []

    def start(self) -> "NewsWeb":
        for site, server in self.servers.items():
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"newsweb-{site}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "NewsWeb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
