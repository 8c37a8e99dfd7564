"""``manage.py signing validate FILE [--at ISO-TIME] [--trust-list FILE ...] [--trust-anchor CERT ...] --json``

Exit code 0 for a report of any verdict; 2 only when an input file cannot be read.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

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

    def handle(self, *args, **options):
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
        lotl = next((xml for xml in lists if b"SchemeTerritory>EU<" in xml), None)
        national = [xml for xml in lists if xml is not lotl]
        trust = TrustContext.from_trusted_lists(
            lotl, national, at=at, lotl_signers=lotl_signers or lotl_signer_certificates(), anchors=anchors
        )
        report = validate(data, Path(options["file"]).name, at=at, trust=trust)
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
