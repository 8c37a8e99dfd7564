"""A small stand-alone AS4 access point that stores what it receives in a folder.

It plays a competent authority's access point in the demo (``manage.py run_access_point``) and in
tests: the same verification as the portal's ``/as4`` (``inbound.accept``), duplicates found by
MessageId (answered with the original receipt), one folder per message::

    <folder>/<sha256(MessageId)[:32]>/message.mime, payload-N.<ext>, meta.json, receipt.xml

No database: it runs without the portal's services.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from portal.delivery.as4.errors import OTHER, EbmsError
from portal.delivery.inbound import Accepted, Answer, accept, build_receipt, error_answer
from portal.delivery.pmodes import Configuration

logger = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


class FolderAccessPoint:
    def __init__(self, config: Configuration, folder: Path) -> None:
        self.config = config
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def message_folder(self, message_id: str) -> Path:
        return self.folder / hashlib.sha256(message_id.encode()).hexdigest()[:32]

    def received(self) -> list[dict]:
        """The metadata of every stored message (complete ones only)."""
        return [
            json.loads((item / "meta.json").read_text())
            for item in sorted(self.folder.iterdir())
            if (item / "receipt.xml").exists()
        ]

    def handle(self, data: bytes, content_type: str | None) -> Answer:
        try:
            outcome = accept(self.config, data, content_type)
            if isinstance(outcome, Answer):
                return outcome
            return self._store(outcome, data, content_type)
        except Exception as error:
            logger.exception("the access point failed on a message")
            return error_answer(
                EbmsError(OTHER, f"processing failed: {type(error).__name__}"), domain=self.config.domain
            )

    def _store(self, accepted: Accepted, data: bytes, content_type: str | None) -> Answer:
        parsed = accepted.parsed
        target = self.message_folder(parsed.message_id)
        with self._lock:
            receipt_path = target / "receipt.xml"
            if receipt_path.exists():
                logger.info("duplicate %s: answered with the original receipt", parsed.message_id)
                return Answer(200, (target / "receipt.type").read_text(), receipt_path.read_bytes())
            target.mkdir(exist_ok=True)
            answer = build_receipt(self.config, parsed)
            _write_atomically(target / "message.mime", data)
            payloads = []
            for index, payload in enumerate(parsed.payloads):
                content = bytes(payload.content or b"")
                name = f"payload-{index}"
                _write_atomically(target / name, content)
                payloads.append(
                    {
                        "file": name,
                        "content_id": payload.content_id,
                        "mime_type": payload.mime_type,
                        "size": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                    }
                )
            header = parsed.user_message.header
            meta = {
                "message_id": parsed.message_id,
                "pmode": accepted.pmode.id,
                "from": str(accepted.pmode.partner),
                "service": header.service,
                "action": header.action,
                "conversation_id": header.conversation_id,
                "signer": parsed.signature.signer,
                "content_type": content_type,
                "payloads": payloads,
            }
            _write_atomically(target / "meta.json", json.dumps(meta, indent=2).encode())
            _write_atomically(target / "receipt.type", answer.content_type.encode())
            _write_atomically(receipt_path, answer.body)  # last: its presence means "stored"
        logger.info(
            "stored %s from %s (%d payloads)", parsed.message_id, accepted.pmode.partner, len(payloads)
        )
        return answer


def make_handler(access_point: FolderAccessPoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, answer: Answer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_MESSAGE_BYTES:
                self.close_connection = True
                self._answer(
                    error_answer(
                        EbmsError(OTHER, "a Content-Length between 1 and 256 MiB is required"),
                        domain=access_point.config.domain,
                    )
                )
                return
            data = self.rfile.read(length)
            self._answer(access_point.handle(data, self.headers.get("Content-Type")))

        def do_GET(self) -> None:
            body = json.dumps(
                {"party": str(access_point.config.party), "received": len(access_point.received())}
            )
            self._answer(Answer(200, "application/json", body.encode()))

        def log_message(self, format: str, *args) -> None:
            logger.info("%s %s", self.address_string(), format % args)

    return Handler


def serve(access_point: FolderAccessPoint, host: str, port: int) -> ThreadingHTTPServer:
    """A started HTTP server (in a daemon thread); ``.shutdown()`` stops it."""
    server = ThreadingHTTPServer((host, port), make_handler(access_point))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"as4-ap-{port}", daemon=True).start()
    return server
