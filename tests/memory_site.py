"""A web site served from a dict on 127.0.0.1, for crawls of generated pages (tests and benchmarks).

``serve({"/path": b"body", ...}, delay=0.02)`` starts a threaded HTTP server and returns it with its
base URL; ``{base}`` in a body is replaced by that URL when served. Paths ending in .xml are served
as XML, the rest as UTF-8 HTML; anything else is a 404. Connections reset by a killed crawler are
not reported.
"""

from __future__ import annotations

import http.server
import threading
import time


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a crawler killed mid-request resets its connections


def serve(site: dict[str, bytes], *, delay: float = 0.0) -> tuple[QuietServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = site.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            time.sleep(delay)
            body = body.replace(b"{base}", base.encode())
            self.send_response(200)
            self.send_header("Content-Type", "text/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base
