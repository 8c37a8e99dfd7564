"""A flaky receiver on 127.0.0.1 in front of a real (folder) access point: it misbehaves in the
order it is told, and records every request it read."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

from portal.delivery.access_point import FolderAccessPoint
from portal.delivery.as4 import constants as c

BEHAVIOURS = ("ok", "500", "slow", "drop", "unsigned", "forged", "garbage")


def _strip_security(receipt: bytes) -> bytes:
    root = etree.fromstring(receipt)
    for security in root.iter(f"{{{c.WSSE}}}Security"):
        security.getparent().remove(security)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _forge(receipt: bytes) -> bytes:
    root = etree.fromstring(receipt)
    nri_value = root.find(f".//{{{c.EBBP}}}MessagePartNRInformation//{{{c.DS}}}DigestValue")
    nri_value.text = "AAAA" + nri_value.text[4:]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class FlakyReceiver:
    def __init__(
        self, access_point: FolderAccessPoint, port: int, script: list[str], slow_seconds: float
    ) -> None:
        assert all(step in BEHAVIOURS for step in script), script
        self.access_point = access_point
        self.script = list(script)
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[bytes, str]] = []
        self.behaviours: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FlakyReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                content_type = self.headers["Content-Type"]
                receiver.requests.append((body, content_type))
                behaviour = receiver.script.pop(0) if receiver.script else "ok"
                receiver.behaviours.append(behaviour)
                if behaviour == "500":
                    self._reply(500, "text/html", b"<h1>Internal Server Error</h1>")
                    return
                if behaviour == "garbage":
                    self._reply(200, "application/soap+xml", b"<not-a-receipt/>")
                    return
                answer = receiver.access_point.handle(body, content_type)
                if behaviour == "slow":
                    time.sleep(receiver.slow_seconds)
                elif behaviour == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                elif behaviour == "unsigned":
                    answer.body = _strip_security(answer.body)
                elif behaviour == "forged":
                    answer.body = _forge(answer.body)
                with contextlib.suppress(OSError):  # the client gave up (slow)
                    self._reply(answer.status, answer.content_type, answer.body)

        return Handler
