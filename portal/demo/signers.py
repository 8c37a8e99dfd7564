"""The ``test-qtsp`` signer: the bundled test QTSP (``manage.py run_test_qtsp``), registered on the
signing registry when the demo app is ready. Never available in production."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings

from portal.core.registry import Option
from portal.demo.qtsp.pki import ROOT, SIGNER_CREDENTIAL_ID, client_credentials, folder_for
from portal.signing.signers import CSCRemoteSigner, SignerConfigurationError, signers

# csc, pdf_sign and trust load pyHanko and signxml: imported on first use (this module is imported
# by DemoConfig.ready(), i.e. by every process), as portal/signing/signers.py does.


@signers.register
class TestQTSPSigner(CSCRemoteSigner):
    """The bundled test QTSP: never trusted outside the portal's tests and demo. Its PKI folder
    under STORAGE_ROOT gives the client secret and the root."""

    name = "test-qtsp"
    default_display_name = "PSC test QTSP"
    options = (
        Option("service_url", help="where run_test_qtsp listens, e.g. http://127.0.0.1:8765"),
        Option("display_name", required=False, help='shown to users: "Sign with <display_name>"'),
    )

    def check_options(self) -> None:
        if settings.PRODUCTION:
            raise SignerConfigurationError(
                "the test QTSP is never a signer in production (DJANGO_ENV=production)"
            )

    def _folder(self) -> Path:
        folder = folder_for(settings.STORAGE_ROOT, str(self.config["service_url"]))
        if not (folder / "client.json").exists():
            raise SignerConfigurationError(
                f"the test QTSP at {self.config['service_url']} has no PKI in {folder}: "
                "start it with `python manage.py run_test_qtsp` (or the README's run command)"
            )
        return folder

    def setup(self):
        from portal.signing.csc import CSCService
        from portal.signing.pdf_sign import RemoteSigningSetup

        base = str(self.config["service_url"]).rstrip("/")
        client_id, client_secret = client_credentials(self._folder())
        return RemoteSigningSetup(
            service=CSCService(base, client_id, client_secret, SIGNER_CREDENTIAL_ID),
            tsa_url=f"{base}/pki/tsa",
            trust_anchors=self.trust_anchors(),
        )

    def trust_anchors(self) -> list[asn1_x509.Certificate]:
        from portal.signing.trust import load_certificates

        path = self._folder() / f"{ROOT}.pem"
        try:
            return load_certificates(path.read_bytes())
        except (OSError, ValueError) as error:
            raise SignerConfigurationError(f"trust anchor {path}: {error}") from None

    def automatic_authorization(self):
        from portal.signing.csc import AutomaticTestConsent

        return AutomaticTestConsent()
