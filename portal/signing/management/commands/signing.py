"""Signing tools for operators and checks from outside.

``manage.py signing validate FILE [--at ISO-TIME] [--trust-list FILE ...] [--trust-anchor CERT ...]
  [--online|--offline] --json``
    prints the report; exit code 0 for a report of any verdict, 2 only when a file cannot be read.
``manage.py signing sign-pdf IN OUT [--signer NAME]``
    PAdES B-LTA with a configured signer (default: the test QTSP, authorised automatically).
``manage.py signing refresh-trust [--json]``
    fetches and checks the EU trusted lists now (what Celery beat does); exit 1 if any failed.
``manage.py signing trust-status [--json]``
    the cached lists, their freshness and the last failure of each.
``manage.py signing build-asice OUT FILES... [--seal-key PEM --seal-cert PEM [--chain PEM]] [--tsa-url URL]
  [--level B|T|LT|LTA] [--trust-anchor CERT] [--property NAME=VALUE]``
    an ASiC-E container sealed over FILES and its metadata (default seal: the development e-seal,
    with the demo app the test QTSP's, B-LT with its TSA, OCSP and CRL).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.signing.seal import SealNotConfigured, development_seal
from portal.signing.trust import TrustContext, load_certificates, lotl_signer_certificates
from portal.signing.validation import validate


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise _Unreadable(f"cannot read {what} {path}: {error.strerror or error}") from None


class _Unreadable(Exception):
    pass


class Command(BaseCommand):
    help = "Signing tools. `signing validate FILE --json` prints the validation report."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        validate_parser = subcommands.add_parser("validate", help="validate a signed file")
        validate_parser.add_argument("file")
        validate_parser.add_argument("--at", help="validation time, ISO 8601 (default: now)")
        validate_parser.add_argument(
            "--trust-list",
            action="append",
            default=[],
            metavar="FILE",
            help="a trusted list; the first that is a LOTL announces the signers of the others",
        )
        validate_parser.add_argument(
            "--lotl-signer", action="append", default=[], metavar="CERT",
            help="certificate that signs the LOTL (default: the ones last published in the OJEU)",
        )  # fmt: skip
        validate_parser.add_argument("--trust-anchor", action="append", default=[], metavar="CERT")
        validate_parser.add_argument("--json", action="store_true", help="print the report as JSON")
        online = validate_parser.add_mutually_exclusive_group()
        online.add_argument(
            "--online", dest="online", action="store_true", default=None,
            help="fetch missing OCSP/CRL data from the certificates' URLs",
        )  # fmt: skip
        online.add_argument(
            "--offline", dest="online", action="store_false",
            help="use only the revocation data in the file (default: SIGNING_VALIDATION_ONLINE)",
        )  # fmt: skip

        sign_parser = subcommands.add_parser(
            "sign-pdf", help="sign a PDF (PAdES B-LTA) with a configured signer"
        )
        sign_parser.add_argument("input")
        sign_parser.add_argument("output")
        sign_parser.add_argument(
            "--signer", help="a name from SIGNING_SIGNERS (default: SIGNING_DEFAULT_SIGNER)"
        )

        refresh_parser = subcommands.add_parser("refresh-trust", help="fetch and check the EU trusted lists")
        refresh_parser.add_argument("--json", action="store_true")
        status_parser = subcommands.add_parser("trust-status", help="show the cached trusted lists")
        status_parser.add_argument("--json", action="store_true")

        asice_parser = subcommands.add_parser("build-asice", help="build a sealed ASiC-E container")
        asice_parser.add_argument("output")
        asice_parser.add_argument("files", nargs="+")
        asice_parser.add_argument("--seal-key", help="PEM private key of the e-seal")
        asice_parser.add_argument("--seal-cert", help="PEM certificate of the e-seal")
        asice_parser.add_argument(
            "--chain", action="append", default=[], help="PEM intermediate certificates"
        )
        asice_parser.add_argument("--tsa-url", help="RFC 3161 TSA for XAdES B-T")
        asice_parser.add_argument(
            "--level", choices=["B", "T", "LT", "LTA"],
            help="XAdES baseline level (default: LT with a TSA, else B); LT fetches OCSP/CRLs, "
            "LTA adds an archive timestamp",
        )  # fmt: skip
        asice_parser.add_argument(
            "--trust-anchor", action="append", default=[], metavar="CERT",
            help="root(s) the seal and TSA chains end in, for LT (default seal: the test QTSP root)",
        )  # fmt: skip
        asice_parser.add_argument(
            "--property", action="append", default=[], metavar="NAME=VALUE",
            help="a property for META-INF/metadata.xml",
        )  # fmt: skip

    def handle(self, *args, **options):
        if options["subcommand"] == "sign-pdf":
            return self._sign_pdf(options)
        if options["subcommand"] == "build-asice":
            return self._build_asice(options)
        if options["subcommand"] == "refresh-trust":
            return self._refresh_trust(options)
        if options["subcommand"] == "trust-status":
            return self._trust_status(options)
        return self._validate(options)

    def _sign_pdf(self, options) -> None:
        from portal.signing.csc import CSCError
        from portal.signing.pdf_sign import PdfSigningError
        from portal.signing.signers import SignerConfigurationError, sign_pdf

        try:
            pdf = _read(options["input"], "PDF")
        except _Unreadable as error:
            self.stderr.write(str(error))
            sys.exit(2)
        try:
            signed = sign_pdf(pdf, options["signer"])
        except (SignerConfigurationError, PdfSigningError, CSCError) as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"the signing service cannot be reached: {error}") from None
        Path(options["output"]).write_bytes(signed)
        self.stdout.write(f"signed {options['input']} -> {options['output']} ({len(signed)} bytes)")

    def _build_asice(self, options) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

        from portal.signing.asic_build import build_asice

        try:
            files = {Path(path).name: _read(path, "file") for path in options["files"]}
        except _Unreadable as error:
            self.stderr.write(str(error))
            sys.exit(2)
        if len(files) != len(options["files"]):
            raise CommandError("two FILES have the same name; a container holds each name once")
        tsa_url = options["tsa_url"]
        roots = []
        try:
            if options["seal_key"] or options["seal_cert"]:
                if not (options["seal_key"] and options["seal_cert"]):
                    raise CommandError("--seal-key and --seal-cert go together")
                key = serialization.load_pem_private_key(
                    _read(options["seal_key"], "seal key"), password=None
                )
                cert = x509.load_pem_x509_certificate(_read(options["seal_cert"], "seal certificate"))
                chain = [x509.load_pem_x509_certificate(_read(path, "chain")) for path in options["chain"]]
            else:
                try:
                    seal = development_seal()
                except SealNotConfigured as error:
                    raise CommandError(f"no --seal-key/--seal-cert given and {error}") from None
                key, cert, chain = seal.key, seal.certificate, seal.chain
                tsa_url = tsa_url or seal.tsa_url
                roots.extend(seal.trust_roots)
            roots.extend(
                c for path in options["trust_anchor"] for c in load_certificates(_read(path, "trust anchor"))
            )
        except _Unreadable as error:
            self.stderr.write(str(error))
            sys.exit(2)
        except ValueError as error:
            raise CommandError(f"the seal key or certificate cannot be read: {error}") from None
        level = options["level"] or ("LT" if tsa_url else "B")
        if level in ("T", "LT", "LTA") and not tsa_url:
            raise CommandError(f"level {level} needs a time-stamping authority: --tsa-url")
        if level in ("LT", "LTA") and not roots:
            raise CommandError("level LT needs --trust-anchor: the root the seal's chain ends in")
        timestamper = HTTPTimeStamper(tsa_url) if level != "B" else None
        long_term = None
        if level in ("LT", "LTA"):
            from pyhanko_certvalidator import ValidationContext

            long_term = ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")
        properties = {}
        for item in options["property"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--property {item!r} is not NAME=VALUE")
            properties[name] = value
        try:
            container = build_asice(
                files,
                key,
                cert,
                chain=chain,
                timestamper=timestamper,
                archive_timestamp=level == "LTA",
                long_term=long_term,
                metadata=properties,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        Path(options["output"]).write_bytes(container)
        self.stdout.write(
            f"built {options['output']} with {len(files)} file(s), XAdES B-{level} ({len(container)} bytes)"
        )

    def _refresh_trust(self, options) -> None:
        from portal.signing.trust_store import refresh_trusted_lists

        result = refresh_trusted_lists()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"state": result.state_name, "refreshed": result.refreshed, "failed": result.failed},
                    indent=2,
                )
            )
        else:
            self.stdout.write(f"refreshed: {', '.join(result.refreshed) or '-'}")
            for territory, reason in result.failed.items():
                self.stdout.write(f"FAILED {territory}: {reason} (the last good copy, if any, is kept)")
        if result.failed:
            sys.exit(1)

    def _trust_status(self, options) -> None:
        from portal.signing.trust_store import trust_status

        status = trust_status()
        if options["json"]:
            self.stdout.write(json.dumps(status, indent=2))
            return
        self.stdout.write(
            f"LOTL {status['lotl_url'] or '(never refreshed)'}, last refresh {status['refreshed_at'] or '-'}"
        )
        for entry in status["lists"]:
            freshness = "STALE" if entry["stale"] else ("fresh" if entry["has_copy"] else "NO COPY")
            line = f"  {entry['territory']:3} {freshness:7} fetched {entry['fetched_at'] or '-'} next update {entry['next_update'] or '-'}"
            if entry["last_error"]:
                line += f"  LAST REFRESH FAILED {entry['last_attempt_at']}: {entry['last_error']}"
            self.stdout.write(line)

    def _validate(self, options) -> None:
        if options["verbosity"] < 2:
            # pyHanko logs every untrusted path and skipped trusted-list entry with a traceback;
            # the report already says what matters.
            for name in ("pyhanko", "pyhanko_certvalidator", "portal.signing"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            at = datetime.fromisoformat(options["at"]) if options["at"] else None
        except ValueError:
            raise CommandError(f"--at {options['at']!r} is not an ISO 8601 time") from None
        try:
            data = _read(options["file"], "file")
            anchors = [
                cert
                for path in options["trust_anchor"]
                for cert in load_certificates(_read(path, "trust anchor"))
            ]
            lotl_signers = [
                cert
                for path in options["lotl_signer"]
                for cert in load_certificates(_read(path, "LOTL signer"))
            ]
            lists = [_read(path, "trusted list") for path in options["trust_list"]]
        except _Unreadable as error:
            self.stderr.write(str(error))
            sys.exit(2)
        except ValueError as error:
            raise CommandError(f"a certificate cannot be parsed: {error}") from None
        if lists or anchors:
            lotl = next((xml for xml in lists if b"SchemeTerritory>EU<" in xml), None)
            national = [xml for xml in lists if xml is not lotl]
            trust = TrustContext.from_trusted_lists(
                lotl,
                national,
                at=at,
                lotl_signers=lotl_signers or lotl_signer_certificates(),
                anchors=anchors,
            )
        else:
            trust = None  # the portal's cached EU lists and configured anchors
        report = validate(data, Path(options["file"]).name, at=at, trust=trust, online=options["online"])
        if options["json"]:
            self.stdout.write(report.to_json(indent=2))
        else:
            self.stdout.write(f"{report.indication}")
            for signature in report.signatures:
                self.stdout.write(
                    f"  {signature.indication} {signature.sub_indication or ''} {signature.signer} "
                    f"level={signature.level or '-'} qualification={signature.qualification or '-'}"
                )
            for line in report.errors:
                self.stdout.write(f"  error: {line}")
            for line in report.warnings:
                self.stdout.write(f"  warning: {line}")
