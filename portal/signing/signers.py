"""The registry of signers: name -> class with declared, validated options.

Which QTSP(s) the portal signs with is configuration: ``settings.SIGNING_SIGNERS`` maps a
configured name to ``{"class": <registered name>, **options}``; ``SIGNING_DEFAULT_SIGNER`` names
the one used when none is asked for. Registered here: ``csc`` (any CSC API v2 service); the demo app
(``portal.demo``) adds ``test-qtsp``, the bundled test QTSP.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from asn1crypto import x509 as asn1_x509
from django.conf import settings

from portal.core.registry import ConfigurationError, Option, Plugin, Registry

if TYPE_CHECKING:
    from .csc import Authorization


class SignerConfigurationError(ConfigurationError):
    pass


class Signer(Plugin):
    """Base class: declare ``name`` and ``options``; implement ``sign_pdf``."""

    default_display_name: ClassVar[str] = ""

    def sign_pdf(self, pdf: bytes, authorization) -> bytes:  # pragma: no cover - abstract
        """PAdES B-LTA over ``pdf``; ``authorization`` obtains the user's consent (see csc.py)."""
        raise NotImplementedError

    @property
    def display_name(self) -> str:
        """How the portal names this trust service to the user ("Sign with …")."""
        return str(self.config.get("display_name") or self.default_display_name or self.name)

    def trust_anchors(self) -> list[asn1_x509.Certificate]:
        """Roots the portal must trust for this signer's signatures beyond the EU trusted lists."""
        return []

    def automatic_authorization(self):
        """An authorization that needs no user (only the test QTSP has one)."""
        raise SignerConfigurationError(f"signer {self.name!r} needs the user's consent at the QTSP")


signers: Registry[Signer] = Registry("signer", error=SignerConfigurationError)


def get_signer(name: str, **config: object) -> Signer:
    """The registered signer ``name`` built with ``config`` (validated against its options)."""
    return signers.build(name, config)


def configured_signer(name: str | None = None) -> Signer:
    """The signer configured under ``name`` in settings (default: SIGNING_DEFAULT_SIGNER)."""
    name = name or settings.SIGNING_DEFAULT_SIGNER
    try:
        setting = settings.SIGNING_SIGNERS[name]
    except KeyError:
        raise SignerConfigurationError(
            f"no signer configured as {name!r}; configured: {sorted(settings.SIGNING_SIGNERS)}"
        ) from None
    return signers.from_setting(setting, default_name=name)


def _read_certificates(paths: list[str]) -> list[asn1_x509.Certificate]:
    from .trust import load_certificates

    certificates = []
    for path in paths:
        try:
            certificates.extend(load_certificates(Path(path).read_bytes()))
        except (OSError, ValueError) as error:
            raise SignerConfigurationError(f"trust anchor {path}: {error}") from None
    return certificates


@signers.register
class CSCRemoteSigner(Signer):
    """A QTSP reached through the CSC API v2, with OAuth2 consent for every signature."""

    name = "csc"
    options = (
        Option("service_url", help="base URL before /csc/v2/ and /oauth2/"),
        Option("client_id"),
        Option("client_secret"),
        Option("credential_id"),
        Option("tsa_url", help="RFC 3161 time-stamping service for B-T and the B-LTA document timestamp"),
        Option("trust_anchors", required=False, help="PEM files of roots trusted besides the EU lists"),
        Option("md_algorithm", required=False, default="sha256", help="sha256 (default), sha384 or sha512"),
        Option("display_name", required=False, help='shown to users: "Sign with <display_name>"'),
    )

    def setup(self):
        from .csc import CSCService
        from .pdf_sign import RemoteSigningSetup

        md_algorithm = str(self.config["md_algorithm"])
        if md_algorithm not in ("sha256", "sha384", "sha512"):
            raise SignerConfigurationError(f"signer {self.name!r}: md_algorithm {md_algorithm!r} not allowed")
        return RemoteSigningSetup(
            service=CSCService(
                service_url=str(self.config["service_url"]),
                client_id=str(self.config["client_id"]),
                client_secret=str(self.config["client_secret"]),
                credential_id=str(self.config["credential_id"]),
            ),
            tsa_url=str(self.config["tsa_url"]),
            trust_anchors=self.trust_anchors(),
            md_algorithm=md_algorithm,
        )

    def trust_anchors(self) -> list[asn1_x509.Certificate]:
        return _read_certificates(list(self.config.get("trust_anchors") or []))

    def sign_pdf(self, pdf: bytes, authorization) -> bytes:
        from .pdf_sign import sign_pdf_remote

        return sign_pdf_remote(pdf, self.setup(), authorization)


def sign_pdf(
    pdf_bytes: bytes, signer_name: str | None = None, authorization: Authorization | None = None
) -> bytes:
    """PAdES B-LTA over ``pdf_bytes`` with the configured signer ``signer_name`` (default:
    SIGNING_DEFAULT_SIGNER). ``authorization`` obtains the user's consent at the QTSP; without one,
    the signer's automatic authorization (the test QTSP only) is used."""
    signer = configured_signer(signer_name)
    return signer.sign_pdf(pdf_bytes, authorization or signer.automatic_authorization())
