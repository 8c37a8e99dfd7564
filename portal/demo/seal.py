"""The test QTSP's e-seal as the portal's development e-seal (no SIGNING_SEAL_PKCS12, not production)."""

from __future__ import annotations

from django.conf import settings

from portal.demo.qtsp import pki as test_pki
from portal.signing.seal import PortalSeal, SealNotConfigured, register_development_seal


@register_development_seal
def test_qtsp_seal() -> PortalSeal:
    folder = test_pki.folder_for(settings.STORAGE_ROOT, settings.SIGNING_TEST_QTSP_URL)
    if not (folder / "service.json").exists():
        raise SealNotConfigured(
            f"no portal e-seal: set SIGNING_SEAL_PKCS12, or start the test QTSP (`manage.py run_test_qtsp`, "
            f"started by rundemo) so its PKI exists in {folder}"
        )
    pki = test_pki.load(folder)
    seal = pki[test_pki.SEAL]
    return PortalSeal(
        seal.key, seal.cert, [pki[test_pki.ISSUING].cert], f"{pki.service_url}/pki/tsa",
        [pki[test_pki.ROOT].asn1_cert],
    )  # fmt: skip
