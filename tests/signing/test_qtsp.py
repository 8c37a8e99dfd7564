"""Signing through the bundled test QTSP, a real process on 127.0.0.1, with real cryptography.

Our validator is one judge; the CMS is also checked by ``openssl cms -verify``, the signature
timestamp by ``openssl ts -verify``, and the PDF by poppler's ``pdfsig``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO

import aiohttp
import pytest
import requests
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils.reader import PdfFileReader

from portal.demo.qtsp import pki as test_pki
from portal.signing.common import run_sync
from portal.signing.csc import AutomaticTestConsent, CSCError, CSCService
from portal.signing.pdf_sign import PdfSigningError
from portal.signing.report import Indication, Level, SubIndication
from portal.signing.signers import SignerConfigurationError, configured_signer, get_signer, sign_pdf, signers
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

from .pki import minimal_pdf

SHA256 = "2.16.840.1.101.3.4.2.1"
SHA256_RSA = "1.2.840.113549.1.1.11"


@pytest.fixture(scope="module")
def signed(test_qtsp) -> bytes:
    signer = get_signer("test-qtsp", service_url=test_qtsp.url)
    return signer.sign_pdf(minimal_pdf("Application for a licence"), AutomaticTestConsent())


@pytest.fixture(scope="module")
def trusted(test_qtsp) -> TrustContext:
    return TrustContext(anchors=[test_qtsp.pki[test_pki.ROOT].asn1_cert])


def _first_signature(pdf: bytes):
    reader = PdfFileReader(BytesIO(pdf))
    return next(sig for sig in reader.embedded_signatures if sig.sig_object_type == "/Sig")


def test_signed_pdf_is_total_passed_at_level_lta(signed, trusted):
    report = validate(signed, "application.pdf", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.signer == test_pki.SIGNER_NAME
    assert signature.level is Level.LTA
    assert report.errors == [] and report.warnings == []


def test_the_test_root_is_what_makes_it_pass(signed):
    [signature] = validate(signed, "application.pdf").signatures
    assert signature.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_tampering_with_the_signed_pdf_is_detected(signed, trusted):
    tampered = bytearray(signed)
    position = tampered.index(b"Application for a licence")
    tampered[position] ^= 0x01
    [signature, *_] = validate(bytes(tampered), "application.pdf", trust=trusted).signatures
    assert signature.sub_indication is SubIndication.HASH_FAILURE


def test_openssl_verifies_the_cms_and_its_signature_timestamp(signed, test_qtsp, tmp_path):
    signature = _first_signature(signed)
    start1, length1, start2, length2 = signature.sig_object["/ByteRange"]
    (tmp_path / "content.bin").write_bytes(
        signed[start1 : start1 + length1] + signed[start2 : start2 + length2]
    )
    content_info = cms.ContentInfo.load(signature.pkcs7_content)
    (tmp_path / "signature.der").write_bytes(content_info.dump())
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(test_qtsp.pki.root_pem)
    verified = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "DER", "-in", tmp_path / "signature.der", "-binary",
         "-content", tmp_path / "content.bin", "-CAfile", root_pem, "-purpose", "any", "-out", "/dev/null"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "Verification successful" in verified.stderr

    # The signature timestamp (PAdES B-T) is over the signature value.
    signer_info = content_info["content"]["signer_infos"][0]
    token = next(
        attr["values"][0]
        for attr in signer_info["unsigned_attrs"]
        if attr["type"].native == "signature_time_stamp_token"
    )
    (tmp_path / "token.der").write_bytes(token.dump())
    issuing = tmp_path / "issuing.pem"
    issuing.write_bytes(test_qtsp.pki[test_pki.ISSUING].cert.public_bytes(serialization.Encoding.PEM))
    digest = hashlib.sha256(signer_info["signature"].native).hexdigest()
    ts_verified = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", digest, "-in", tmp_path / "token.der", "-token_in",
         "-CAfile", root_pem, "-untrusted", issuing],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ts_verified.returncode == 0, ts_verified.stdout + ts_verified.stderr
    assert "Verification: OK" in ts_verified.stdout


def test_openssl_refuses_the_cms_against_another_root(signed, pki, tmp_path):
    signature = _first_signature(signed)
    start1, length1, start2, length2 = signature.sig_object["/ByteRange"]
    (tmp_path / "content.bin").write_bytes(
        signed[start1 : start1 + length1] + signed[start2 : start2 + length2]
    )
    (tmp_path / "signature.der").write_bytes(cms.ContentInfo.load(signature.pkcs7_content).dump())
    (tmp_path / "other.pem").write_bytes(pki.root.pem)
    refused = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "DER", "-in", tmp_path / "signature.der", "-binary",
         "-content", tmp_path / "content.bin", "-CAfile", tmp_path / "other.pem", "-purpose", "any",
         "-out", "/dev/null"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode != 0


def test_pdfsig_says_the_signature_is_valid(signed, tmp_path):
    assert shutil.which("pdfsig"), "pdfsig is missing: portal/bin/test installs poppler-utils"
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    result = subprocess.run(["pdfsig", path], capture_output=True, text=True, check=False)
    first = result.stdout.split("Signature #2")[0]
    assert "Signature #1" in first and test_pki.SIGNER_NAME in first, result.stdout
    assert "Signature Validation: Signature is Valid." in first, result.stdout
    assert "ETSI.CAdES.detached" in first
    assert "Signature #2" in result.stdout  # the B-LTA document timestamp


# --- the CSC service and its consent step -----------------------------------------------------


def _service(qtsp) -> CSCService:
    client_id, client_secret = test_pki.client_credentials(qtsp.pki.folder)
    return CSCService(qtsp.url, client_id, client_secret, test_pki.SIGNER_CREDENTIAL_ID)


def _hash(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _credential_token(qtsp, hashes_b64: list[str], **consent) -> str:
    async def run() -> str:
        async with aiohttp.ClientSession() as session:
            return await AutomaticTestConsent(**consent).credential_token(
                session, _service(qtsp), hashes_b64, SHA256
            )

    return run_sync(run())


def _service_token(qtsp) -> str:
    service = _service(qtsp)
    answer = requests.post(
        f"{qtsp.url}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": service.client_id,
            "client_secret": service.client_secret,
        },
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def _csc(qtsp, method: str, body: dict, token: str) -> requests.Response:
    return requests.post(
        f"{qtsp.url}/csc/v2/{method}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_credentials_list_and_info_need_a_token(test_qtsp):
    assert _csc(test_qtsp, "credentials/list", {}, "nonsense").status_code == 401
    token = _service_token(test_qtsp)
    assert _csc(test_qtsp, "credentials/list", {}, token).json() == {
        "credentialIDs": [test_pki.SIGNER_CREDENTIAL_ID]
    }
    info = _csc(
        test_qtsp,
        "credentials/info",
        {"credentialID": test_pki.SIGNER_CREDENTIAL_ID, "certificates": "chain"},
        token,
    ).json()
    assert info["SCAL"] == "2" and info["authMode"] == "oauth2code"
    assert len(info["cert"]["certificates"]) == 2
    assert SHA256_RSA in info["key"]["algo"]


def test_consent_page_shows_the_hashes_and_a_one_time_code(test_qtsp):
    document_hash = hashlib.sha256(b"the document").digest()
    url = _service(test_qtsp).authorization_url(
        [base64.b64encode(document_hash).decode()], SHA256, "http://127.0.0.1/callback", "s1"
    )
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert document_hash.hex() in page.text
    assert re.search(r'<output id="one-time-code">\d{6}</output>', page.text)
    assert '<html lang="en">' in page.text and "<main>" in page.text and '<label for="otp">' in page.text


def test_consent_refuses_an_unregistered_redirect(test_qtsp):
    url = _service(test_qtsp).authorization_url([_hash(b"x")], SHA256, "https://attacker.example/cb", "s")
    assert requests.get(url, timeout=10).status_code == 400


def test_wrong_one_time_code_is_refused(test_qtsp):
    with pytest.raises(CSCError, match="did not accept the consent: HTTP 403"):
        _credential_token(test_qtsp, [_hash(b"doc")], one_time_code="not-the-code")


def test_wrong_one_time_code_means_no_signature(test_qtsp):
    signer = get_signer("test-qtsp", service_url=test_qtsp.url)
    with pytest.raises(CSCError, match="did not accept the consent"):
        signer.sign_pdf(minimal_pdf(), AutomaticTestConsent(one_time_code="000000x"))


def test_sad_is_bound_to_the_consented_hashes_and_signs_once(test_qtsp):
    consented, other = _hash(b"consented document"), _hash(b"another document")
    credential_token = _credential_token(test_qtsp, [consented])
    authorize = {
        "credentialID": test_pki.SIGNER_CREDENTIAL_ID,
        "numSignatures": 1,
        "hashAlgorithmOID": SHA256,
    }

    refused = _csc(test_qtsp, "credentials/authorize", {**authorize, "hashes": [other]}, credential_token)
    assert refused.status_code == 403 and "did not consent" in refused.json()["error_description"]

    sad = _csc(
        test_qtsp, "credentials/authorize", {**authorize, "hashes": [consented]}, credential_token
    ).json()["SAD"]
    service_token = _service_token(test_qtsp)
    sign = {
        "credentialID": test_pki.SIGNER_CREDENTIAL_ID,
        "SAD": sad,
        "hashAlgorithmOID": SHA256,
        "signAlgo": SHA256_RSA,
    }

    wrong_hashes = _csc(test_qtsp, "signatures/signHash", {**sign, "hashes": [other]}, service_token)
    assert wrong_hashes.status_code == 400
    assert "not the ones the SAD was issued for" in wrong_hashes.json()["error_description"]

    answer = _csc(test_qtsp, "signatures/signHash", {**sign, "hashes": [consented]}, service_token)
    assert answer.status_code == 200, answer.text
    [signature] = answer.json()["signatures"]
    public_key = test_qtsp.pki[test_pki.SIGNER].cert.public_key()
    public_key.verify(base64.b64decode(signature), b"consented document", padding.PKCS1v15(), hashes.SHA256())

    again = _csc(test_qtsp, "signatures/signHash", {**sign, "hashes": [consented]}, service_token)
    assert again.status_code == 400 and "used" in again.json()["error_description"]
    # and the consent cannot be turned into a second SAD for the same hash
    second = _csc(test_qtsp, "credentials/authorize", {**authorize, "hashes": [consented]}, credential_token)
    assert second.status_code == 403


def test_authorization_code_is_single_use(test_qtsp):
    service = _service(test_qtsp)
    page = requests.get(
        service.authorization_url([_hash(b"d")], SHA256, "http://127.0.0.1/cb", "st"), timeout=10
    )
    transaction = re.search(r'name="transaction" value="([^"]+)"', page.text).group(1)
    code = re.search(r'<output id="one-time-code">(\d+)</output>', page.text).group(1)
    redirect = requests.post(
        f"{test_qtsp.url}/oauth2/authorize",
        data={"transaction": transaction, "otp": code, "decision": "approve"},
        allow_redirects=False,
        timeout=10,
    )
    assert redirect.status_code == 302 and "state=st" in redirect.headers["Location"]
    authorization_code = re.search(r"code=([^&]+)", redirect.headers["Location"]).group(1)
    exchange = {
        "grant_type": "authorization_code", "code": authorization_code, "redirect_uri": "http://127.0.0.1/cb",
        "client_id": service.client_id, "client_secret": service.client_secret,
    }  # fmt: skip
    assert requests.post(f"{test_qtsp.url}/oauth2/token", data=exchange, timeout=10).status_code == 200
    assert (
        requests.post(f"{test_qtsp.url}/oauth2/token", data=exchange, timeout=10).json()["error"]
        == "invalid_grant"
    )


def test_declining_consent_redirects_with_access_denied(test_qtsp):
    page = requests.get(
        _service(test_qtsp).authorization_url([_hash(b"d")], SHA256, "http://127.0.0.1/cb", "st"), timeout=10
    )
    transaction = re.search(r'name="transaction" value="([^"]+)"', page.text).group(1)
    redirect = requests.post(
        f"{test_qtsp.url}/oauth2/authorize",
        data={"transaction": transaction, "decision": "deny"},
        allow_redirects=False,
        timeout=10,
    )
    assert redirect.status_code == 302 and "error=access_denied" in redirect.headers["Location"]


def test_ocsp_says_revoked_after_revocation(test_qtsp, trusted):
    """A signer revoked at the QTSP: the B-LTA upgrade cannot validate the chain, nothing is produced."""
    qtsp_pki = test_qtsp.pki
    signer = get_signer("test-qtsp", service_url=test_qtsp.url)
    qtsp_pki.revoke(qtsp_pki[test_pki.SIGNER].cert.serial_number)
    try:
        with pytest.raises(PdfSigningError, match=r"do not validate, no B-LTA: .*revoked"):
            signer.sign_pdf(minimal_pdf(), AutomaticTestConsent())
    finally:
        (qtsp_pki.folder / "revoked.json").unlink()


# --- the public function, the registry, the CLI ------------------------------------------------


def test_sign_pdf_uses_the_configured_signer(qtsp_signer, trusted):
    signed = sign_pdf(minimal_pdf(), "test-qtsp")
    assert validate(signed, "a.pdf", trust=trusted).indication is Indication.TOTAL_PASSED


def test_not_a_pdf_is_a_clear_error(qtsp_signer):
    with pytest.raises(PdfSigningError, match="not a PDF"):
        sign_pdf(b"hello, not a PDF", "test-qtsp")


def test_registry_validates_options(settings):
    assert {"csc", "test-qtsp"} <= set(signers.names())
    with pytest.raises(SignerConfigurationError, match="unknown options"):
        get_signer("test-qtsp", service_url="http://127.0.0.1:1", colour="blue")
    with pytest.raises(SignerConfigurationError, match="missing options"):
        get_signer("csc", service_url="http://127.0.0.1:1")
    settings.SIGNING_SIGNERS = {}
    with pytest.raises(SignerConfigurationError, match="no signer configured"):
        configured_signer("test-qtsp")


def test_the_test_qtsp_is_never_a_production_signer(settings):
    settings.PRODUCTION = True
    with pytest.raises(SignerConfigurationError, match="never a signer in production"):
        get_signer("test-qtsp", service_url="http://127.0.0.1:8765")


def test_test_qtsp_without_its_pki_says_how_to_start_it(settings):
    settings.SIGNING_SIGNERS = {"test-qtsp": {"class": "test-qtsp", "service_url": "http://127.0.0.1:9"}}
    with pytest.raises(SignerConfigurationError, match="run_test_qtsp"):
        sign_pdf(minimal_pdf(), "test-qtsp")


def test_cli_sign_pdf(qtsp_signer, trusted, tmp_path):
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(minimal_pdf())
    out = io.StringIO()
    call_command("signing", "sign-pdf", str(source), str(target), stdout=out)
    assert "signed" in out.getvalue()
    report = validate(target.read_bytes(), "out.pdf", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED and report.signatures[0].level is Level.LTA


def test_cli_sign_pdf_refuses_a_non_pdf_and_writes_nothing(qtsp_signer, tmp_path):
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(b"plain text")
    with pytest.raises(CommandError, match="not a PDF"):
        call_command("signing", "sign-pdf", str(source), str(target), stdout=io.StringIO())
    assert not target.exists()


def test_cli_build_asice_with_the_test_qtsp_seal(qtsp_signer, trusted, tmp_path):
    files = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(name.encode() * 100)
        files.append(str(tmp_path / name))
    target = tmp_path / "out.asice"
    call_command("signing", "build-asice", str(target), *files, stdout=io.StringIO())
    report = validate(target.read_bytes(), "out.asice", trust=trusted)
    [signature] = report.signatures
    assert sorted(signature.covers) == ["a.txt", "b.txt"] and report.unsigned_files == []
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert signature.level is Level.LT
    assert signature.signer.startswith("Point of Single Contact e-seal")


def _b_lt_container(qtsp) -> bytes:
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
    from pyhanko_certvalidator import ValidationContext

    from portal.signing.asic_build import build_asice

    pki = qtsp.pki
    long_term = ValidationContext(
        trust_roots=[pki[test_pki.ROOT].asn1_cert], allow_fetching=True, revocation_mode="hard-fail"
    )
    return build_asice(
        {"application.pdf": minimal_pdf(), "annex.txt": b"annex " * 1000},
        pki[test_pki.SEAL].key, pki[test_pki.SEAL].cert, chain=[pki[test_pki.ISSUING].cert],
        timestamper=HTTPTimeStamper(f"{qtsp.url}/pki/tsa"), long_term=long_term,
        metadata={"dossier": "PSC-2026-0042"},
    )  # fmt: skip


def test_portal_e_seal_reaches_b_lt_and_passes_under_hard_fail(test_qtsp, trusted):
    container = _b_lt_container(test_qtsp)
    report = validate(container, "delivery.asice", trust=trusted)  # hard-fail, nothing fetched
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.level is Level.LT and signature.sub_indication is None
    assert sorted(signature.covers) == ["annex.txt", "application.pdf"]
    assert report.errors == [] and report.warnings == []
    # the same container without its embedded revocation data cannot be confirmed: it is the
    # RevocationValues that make the verdict, not a fetch
    stripped = re.sub(
        rb"<xades:RevocationValues>.*</xades:RevocationValues>", b"", _signatures_xml(container), flags=re.S
    )
    stripped_report = validate(_with_signatures(container, stripped), "delivery.asice", trust=trusted)
    assert stripped_report.indication is Indication.INDETERMINATE


def _signatures_xml(container: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(BytesIO(container)) as archive:
        return archive.read("META-INF/signatures0.xml")


def _with_signatures(container: bytes, xml: bytes) -> bytes:
    import zipfile

    out = BytesIO()
    with zipfile.ZipFile(BytesIO(container)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = xml if info.filename == "META-INF/signatures0.xml" else source.read(info.filename)
            target.writestr(info, data)
    return out.getvalue()


def test_b_lt_e_seal_checked_by_an_independent_path(test_qtsp, tmp_path):
    """Plain signxml (XMLDSig, not our XAdES code), openssl verify on the chain, openssl ocsp on the embedded response."""
    import zipfile
    from urllib.parse import unquote

    from lxml import etree
    from signxml import SignatureConfiguration, XMLVerifier

    container = _b_lt_container(test_qtsp)
    with zipfile.ZipFile(BytesIO(container)) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    document = etree.fromstring(contents["META-INF/signatures0.xml"])
    ns = {"ds": "http://www.w3.org/2000/09/xmldsig#", "xades": "http://uri.etsi.org/01903/v1.3.2#"}
    seal_pem = test_qtsp.pki[test_pki.SEAL].cert.public_bytes(serialization.Encoding.PEM)
    resolved = []
    results = XMLVerifier().verify(
        document, x509_cert=seal_pem.decode(),
        uri_resolver=lambda uri: resolved.append(unquote(uri)) or contents[unquote(uri)],
        expect_config=SignatureConfiguration(expect_references=4),
    )  # fmt: skip
    assert len(results) == 4
    assert sorted(resolved) == ["META-INF/metadata.xml", "annex.txt", "application.pdf"]

    # every certificate openssl needs comes from the container's CertificateValues
    embedded = [
        base64.b64decode(value.text)
        for value in document.findall(".//xades:CertificateValues/xades:EncapsulatedX509Certificate", ns)
    ]
    pems = {}
    from cryptography import x509

    for der in embedded:
        cert = x509.load_der_x509_certificate(der)
        pems[cert.subject.rfc4514_string()] = cert.public_bytes(serialization.Encoding.PEM)
    root_pem = test_qtsp.pki.root_pem
    (tmp_path / "root.pem").write_bytes(root_pem)
    (tmp_path / "chain.pem").write_bytes(b"".join(pem for pem in pems.values() if pem != root_pem))
    (tmp_path / "seal.pem").write_bytes(seal_pem)
    (tmp_path / "issuing.pem").write_bytes(
        test_qtsp.pki[test_pki.ISSUING].cert.public_bytes(serialization.Encoding.PEM)
    )
    verify = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "root.pem"), "-untrusted", str(tmp_path / "chain.pem"),
         str(tmp_path / "seal.pem")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0 and verify.stdout.strip().endswith("OK"), verify.stderr

    # one of the embedded OCSP responses says the seal certificate is good, signed by a responder
    # that chains to the root (openssl asks by CertID: try SHA-1 and SHA-256 issuer hashes)
    answers = []
    for index, value in enumerate(
        document.findall(".//xades:RevocationValues/xades:OCSPValues/xades:EncapsulatedOCSPValue", ns)
    ):
        (tmp_path / f"ocsp{index}.der").write_bytes(base64.b64decode(value.text))
        for digest in ("-sha1", "-sha256"):
            ocsp = subprocess.run(
                ["openssl", "ocsp", "-respin", str(tmp_path / f"ocsp{index}.der"), "-issuer",
                 str(tmp_path / "issuing.pem"), digest, "-cert", str(tmp_path / "seal.pem"),
                 "-CAfile", str(tmp_path / "root.pem"), "-verify_other", str(tmp_path / "chain.pem"), "-no_nonce"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            answers.append(ocsp.stderr + ocsp.stdout)
    assert any(
        "Response verify OK" in answer and f"{tmp_path / 'seal.pem'}: good" in answer for answer in answers
    ), answers


def test_the_run_command_starts_the_test_qtsp(settings):
    from portal.demo.management.commands.rundemo import demo_processes

    settings.SIGNING_TEST_QTSP_URL = "http://127.0.0.1:8799"
    command = demo_processes("127.0.0.1:8000")["test-qtsp"]
    assert command[1:3] == ["manage.py", "run_test_qtsp"]
    assert command[-4:] == ["--host", "127.0.0.1", "--port", "8799"]


def test_bad_input_gets_a_clear_refusal_never_a_server_error(test_qtsp):
    token = _service_token(test_qtsp)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for method, body in [
        ("credentials/info", b"not json"),
        ("credentials/info", b"[1, 2]"),
        ("signatures/signHash", b'{"SAD": "x", "hashes": "abc"}'),
        ("signatures/signHash", b'{"SAD": "x", "hashes": ["%%%"]}'),
        ("credentials/authorize", b'{"numSignatures": "many", "hashes": ["AAAA"]}'),
    ]:
        answer = requests.post(f"{test_qtsp.url}/csc/v2/{method}", data=body, headers=headers, timeout=10)
        assert answer.status_code in (400, 403), (method, body, answer.status_code, answer.text)
        assert answer.json()["error"] in ("invalid_request", "access_denied")
    tsa = requests.post(f"{test_qtsp.url}/pki/tsa", data=b"\x30\x03garbage", timeout=10)
    assert tsa.status_code == 400
    ocsp = requests.post(f"{test_qtsp.url}/pki/ocsp", data=b"garbage", timeout=10)
    assert ocsp.status_code == 200 and ocsp.content == bytes.fromhex("30030a0101")  # malformedRequest
    assert requests.get(f"{test_qtsp.url}/nothing-here", timeout=10).status_code == 404


def test_b_lta_still_validates_after_its_revocation_data_went_stale(signed, trusted):
    """The point of B-LTA: a month later, with no fresh OCSP/CRL, the signature is judged at the time
    its timestamp proves, with the revocation data the document timestamp preserved."""
    later = datetime.now(UTC) + timedelta(days=30)
    report = validate(signed, "application.pdf", at=later, trust=trusted)
    [signature] = report.signatures
    assert (report.indication, signature.level) == (Indication.TOTAL_PASSED, Level.LTA), report.to_json()
    assert any("the time the signature timestamp proves" in warning for warning in report.warnings)


def test_b_lta_needs_a_new_document_timestamp_before_the_tsa_certificate_expires(signed, test_qtsp, trusted):
    tsa_expiry = test_qtsp.pki[test_pki.TSA].cert.not_valid_after_utc
    report = validate(signed, "application.pdf", at=tsa_expiry + timedelta(days=1), trust=trusted)
    assert report.indication is Indication.INDETERMINATE, report.to_json()


def test_b_t_without_validation_data_is_not_rescued_later(test_qtsp, trusted):
    from portal.signing.pdf_sign import sign_b_t

    setup = get_signer("test-qtsp", service_url=test_qtsp.url).setup()
    b_t = sign_b_t(minimal_pdf(), setup, AutomaticTestConsent())
    report = validate(b_t, "a.pdf", at=datetime.now(UTC) + timedelta(days=30), trust=trusted)
    [signature] = report.signatures
    assert signature.level is Level.T and report.indication is Indication.INDETERMINATE


def test_a_revoked_e_seal_gets_no_b_lt_container(test_qtsp):
    from portal.signing.asic_build import ContainerBuildError

    qtsp_pki = test_qtsp.pki
    qtsp_pki.revoke(qtsp_pki[test_pki.SEAL].cert.serial_number)
    try:
        with pytest.raises(ContainerBuildError, match=r"no validation data for .*e-seal.*revoked"):
            _b_lt_container(test_qtsp)
    finally:
        (qtsp_pki.folder / "revoked.json").unlink()


def test_validate_trusts_the_configured_test_qtsp_root_by_default(qtsp_signer):
    """The embedded default: no trust given -> cached EU lists + the configured signers' roots."""
    report = validate(_b_lt_container(qtsp_signer), "delivery.asice")
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].level is Level.LT
