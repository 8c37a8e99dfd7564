"""A Domibus 5 WS plugin stand-in on 127.0.0.1: real HTTP, HTTP Basic for the plugin user, and
the recorded SOAP answers of tests/delivery/domibus/ (see PROVENANCE.md there).

It keeps what it was submitted (MessageId -> request), answers getStatus from a per-message
script of statuses (the last one sticks), refuses what the real plugin refuses (bad credentials,
payloads that do not match their PartInfo, a MessageId it already holds), and serves inbound
messages through listPendingMessages / retrieveMessage.
"""

from __future__ import annotations

import base64
import string
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree

from portal.delivery import domibus
from portal.delivery.as4 import constants as c

RECORDED = Path(__file__).resolve().parent / "domibus"
USERNAME, PASSWORD = "psc_plugin", "plugin-password"


def recorded(name: str, **values: str) -> bytes:
    return string.Template((RECORDED / name).read_text()).safe_substitute(**values).encode()


@dataclass
class Inbound:
    message_id: str
    payload: bytes
    from_party: str = "authority-test"
    action: str = "StatusUpdate"


@dataclass
class DomibusStandIn:
    port: int
    statuses: list[str] = field(
        default_factory=lambda: ["SEND_ENQUEUED", "WAITING_FOR_RECEIPT", "ACKNOWLEDGED"]
    )
    errors: tuple[str, str] = ("EBMS_0101", "the receipt's signature could not be verified")
    submit_faults: list[str] = field(default_factory=list)  # recorded fault files, one per submit
    inbound: list[Inbound] = field(default_factory=list)
    submitted: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    downloaded: set[str] = field(default_factory=set)
    _status_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/domibus/services/wsplugin"

    def __enter__(self) -> DomibusStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------------------------ operations

    def answer(self, request: bytes, authorised: bool) -> tuple[int, bytes]:
        operation = domibus.operation_of(request)
        with self.lock:
            self.calls.append(operation)
            if not authorised:
                return 500, recorded("fault-authentication.xml")
            root = etree.fromstring(request)
            body = root.find(f"{{{c.SOAP12}}}Body")[0]
            message_id = body.findtext("messageID") or ""
            if operation == "submitRequest":
                return self._submit(root, request)
            if operation == "statusRequest":
                if message_id not in self.submitted:
                    return 200, recorded("getStatusResponse.xml", status="NOT_FOUND")
                index = self._status_index.get(message_id, 0)
                self._status_index[message_id] = index + 1
                status = self.statuses[min(index, len(self.statuses) - 1)]
                return 200, recorded("getStatusResponse.xml", status=status)
            if operation == "getMessageErrorsRequest":
                code, detail = self.errors
                return 200, recorded(
                    "getMessageErrorsResponse.xml", code=code, detail=detail, message_id=message_id
                )
            if operation == "listPendingMessagesRequest":
                ids = "".join(
                    f"<messageID>{m.message_id}</messageID>"
                    for m in self.inbound
                    if m.message_id not in self.downloaded
                )
                return 200, recorded("listPendingMessagesResponse.xml", ids=ids)
            if operation == "retrieveMessageRequest":
                for item in self.inbound:
                    if item.message_id == message_id:
                        self.downloaded.add(message_id)
                        return 200, recorded(
                            "retrieveMessageResponse.xml",
                            message_id=item.message_id,
                            from_party=item.from_party,
                            action=item.action,
                            payload=base64.b64encode(item.payload).decode(),
                        )
                return 500, recorded("fault-generic.xml")
        raise AssertionError(f"the stand-in does not know {operation}")

    def _submit(self, root: etree._Element, request: bytes) -> tuple[int, bytes]:
        if self.submit_faults:
            return 500, recorded(self.submit_faults.pop(0))
        messaging = root.find(f"{{{c.SOAP12}}}Header/{{{c.EB}}}Messaging")
        message_id = messaging.findtext(f".//{{{c.EB}}}MessageId")
        hrefs = [p.get("href") for p in messaging.iter(f"{{{c.EB}}}PartInfo")]
        payloads = root.findall(f".//{{{domibus.WSPLUGIN}}}submitRequest/payload")
        for payload in payloads:
            if payload.get("payloadId") not in hrefs:
                return 500, recorded("fault-invalid-payload.xml", payload_id=payload.get("payloadId"))
            base64.b64decode(payload.findtext("value"), validate=True)
        if len(payloads) != len(hrefs):
            return 500, recorded("fault-invalid-payload.xml", payload_id=", ".join(hrefs))
        if message_id in self.submitted:
            return 500, recorded("fault-duplicate.xml", message_id=message_id)
        self.submitted[message_id] = request
        return 200, recorded("submitResponse.xml", message_id=message_id)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                assert self.headers.get("Content-Type", "").startswith("application/soap+xml")
                status, body = standin.answer(data, self.headers.get("Authorization") == expected)
                self.send_response(status)
                self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler
