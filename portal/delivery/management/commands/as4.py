"""``manage.py as4 build|inspect``: build a signed, encrypted AS4 message, or judge any AS4 message."""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.delivery.as4 import constants as c
from portal.delivery.as4.codec import Payload, build_user_message
from portal.delivery.as4.ebms import Party, Property, UserMessageHeader
from portal.delivery.as4.keys import Truststore, load_certificate, load_certificates, load_pkcs12
from portal.delivery.as4.report import inspect

UNREADABLE = 2


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        sys.stderr.write(f"cannot read {what} {path}: {exc.strerror or exc}\n")
        raise SystemExit(UNREADABLE) from None


class Command(BaseCommand):
    help = "Build a signed and encrypted AS4 UserMessage, or inspect an AS4 message (verdict, signer, references)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="build a UserMessage: gzip, sign, encrypt, MIME")
        build.add_argument("--payload", action="append", required=True, help="payload file (repeatable)")
        build.add_argument("--mime-type", action="append", default=[], help="MIME type per payload, in order")
        build.add_argument("--sign-key", required=True, help="PKCS#12 with our signing key")
        build.add_argument("--sign-key-password", default=None)
        build.add_argument("--to-cert", required=True, help="recipient certificate (PEM or DER)")
        build.add_argument("--out", required=True, help="where to write the message (MIME with headers)")
        build.add_argument("--from-party", default="portal")
        build.add_argument("--to-party", default="authority")
        build.add_argument("--party-type", default="urn:oasis:names:tc:ebcore:partyid-type:unregistered")
        build.add_argument("--service", default="urn:psc:delivery")
        build.add_argument("--service-type", default=None)
        build.add_argument("--action", dest="ebms_action", default="Deliver")
        build.add_argument("--agreement", default=None)
        build.add_argument(
            "--original-sender", default="urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1"
        )
        build.add_argument(
            "--final-recipient", default="urn:oasis:names:tc:ebcore:partyid-type:unregistered:C4"
        )
        build.add_argument("--domain", default="psc.localhost", help="domain part of the MessageId")
        build.add_argument("--no-compress", action="store_true")
        inspect_ = sub.add_parser("inspect", help="verify, decrypt and judge a message")
        inspect_.add_argument("message", help="the message file (SOAP, MIME, or raw HTTP)")
        inspect_.add_argument("--key", default=None, help="PKCS#12 with our decryption key")
        inspect_.add_argument("--key-password", default=None)
        inspect_.add_argument(
            "--trust", action="append", default=[], help="trusted certificate(s) (repeatable)"
        )
        inspect_.add_argument("--at", default=None, help="check certificates as of this ISO 8601 time")
        inspect_.add_argument("--content-type", default=None, help="HTTP Content-Type, if not in the file")
        inspect_.add_argument("--json", action="store_true", help="print the verdict as JSON")

    def handle(self, *args, **options) -> None:
        if options["action"] == "build":
            self._build(options)
        else:
            self._inspect(options)

    def _build(self, options: dict) -> None:
        try:
            key = load_pkcs12(_read(options["sign_key"], "signing key"), options["sign_key_password"])
            recipient = load_certificate(_read(options["to_cert"], "recipient certificate"))
        except ValueError as exc:
            raise CommandError(f"unusable key material: {exc}") from None
        types = options["mime_type"]
        payloads = []
        for index, path in enumerate(options["payload"]):
            mime_type = types[index] if index < len(types) else None
            mime_type = mime_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
            payloads.append(Payload(_read(path, "payload"), mime_type, compress=not options["no_compress"]))
        party_type = options["party_type"] or None
        header = UserMessageHeader(
            from_party=Party.of(options["from_party"], c.ROLE_INITIATOR, party_type),
            to_party=Party.of(options["to_party"], c.ROLE_RESPONDER, party_type),
            service=options["service"],
            service_type=options["service_type"],
            action=options["ebms_action"],
            agreement_ref=options["agreement"],
            original_sender=Property("originalSender", options["original_sender"]),
            final_recipient=Property("finalRecipient", options["final_recipient"]),
        )
        message = build_user_message(
            header, payloads, sign_with=key, encrypt_for=recipient, domain=options["domain"]
        )
        head = f"MIME-Version: 1.0\r\nContent-Type: {message.content_type}\r\n\r\n".encode("ascii")
        Path(options["out"]).write_bytes(head + message.body)
        self.stdout.write(message.message_id)

    def _inspect(self, options: dict) -> None:
        data = _read(options["message"], "message")
        key = None
        if options["key"]:
            try:
                key = load_pkcs12(_read(options["key"], "key"), options["key_password"])
            except ValueError as exc:
                raise CommandError(f"unusable key {options['key']}: {exc}") from None
        truststore = None
        if options["trust"]:
            truststore = Truststore()
            for path in options["trust"]:
                try:
                    for certificate in load_certificates(_read(path, "certificate")):
                        truststore.add(certificate)
                except ValueError as exc:
                    raise CommandError(f"unusable certificate {path}: {exc}") from None
        at = None
        if options["at"]:
            try:
                at = dt.datetime.fromisoformat(options["at"].replace("Z", "+00:00"))
            except ValueError:
                raise CommandError(f"--at {options['at']!r} is not an ISO 8601 time") from None
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
        report = inspect(data, options["content_type"], key=key, truststore=truststore, at=at)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        if report["accepted"]:
            verdict = "ACCEPTED"
        elif report["error_code"]:
            verdict = f"REFUSED {report['error_code']}"
        else:
            verdict = "NOT ACCEPTED"
        checked = {r["uri"] for r in report["references"] if r["valid"]}
        self.stdout.write(f"{verdict}: {report['kind']} {report['message_id']}")
        self.stdout.write(f"  signer: {report['signer']} (by {report['key_reference']})")
        for reference in report["references"]:
            unchecked = not reference["valid"] and reference["uri"][4:] in report["detail"]
            mark = "ok " if reference["uri"] in checked else "n/c" if unchecked else "BAD"
            self.stdout.write(f"  {mark} {reference['uri']}")
        for payload in report["payloads"]:
            self.stdout.write(f"  payload {payload['id']} {payload['mime_type']} {payload['size']} bytes")
        self.stdout.write(f"  {report['detail']}")
