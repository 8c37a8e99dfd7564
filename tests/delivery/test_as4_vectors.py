"""Every AS4 vector from other implementations, judged as tests/vectors/as4/PROVENANCE.md says."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from cryptography import x509
from lxml import etree

from portal.delivery.as4 import codec, compression, dsig, ebms, keys, xenc
from portal.delivery.as4 import constants as c
from portal.delivery.as4.codec import ReceivePolicy
from portal.delivery.as4.errors import EbmsError, UnsupportedAlgorithm
from portal.delivery.as4.keys import KeyPair, Truststore
from portal.delivery.as4.xmlsafe import parse_xml

from .conftest import AP_A_PASSWORD, AP_B_PASSWORD, VECTORS, vector

NO_SIGNATURE = ReceivePolicy(require_signature=False)


def refused(data: bytes, code: str, **kwargs) -> EbmsError:
    kwargs.setdefault("truststore", None)
    with pytest.raises(EbmsError) as caught:
        codec.receive(data, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


def timestamp_of(data: bytes) -> dt.datetime:
    value = re.search(rb"<(?:\w+:)?Timestamp>([^<]+)<", data).group(1).decode()
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def signer_from_bst(data: bytes) -> Truststore:
    """Trust exactly the certificate the message carries (these test APs chain to CAs we lack)."""
    transport_root = parse_xml(codec.mime.parse_transport(data).envelope)
    return Truststore(dsig.message_certificates(transport_root))


def ap(name: str) -> KeyPair:
    password = {"AccessPointA": AP_A_PASSWORD, "AccessPointB": AP_B_PASSWORD}[name]
    return keys.load_pkcs12(vector(f"as4net/{name}.pfx"), password)


# ------------------------------------------------------------------------------------------ as4net


def access_point_certificate(name: str) -> Callable[[], None]:
    def check() -> None:
        certificate = keys.load_certificate(vector(f"as4net/{name}.cer"))
        assert certificate.subject.rfc4514_string() == f"CN={name}"
        assert certificate == ap(name).certificate
        keys.check_validity(certificate, dt.datetime(2066, 1, 1, tzinfo=dt.UTC))

    return check


def access_point_key(name: str) -> Callable[[], None]:
    def check() -> None:
        pair = ap(name)
        assert (
            pair.private_key.public_key().public_numbers() == pair.certificate.public_key().public_numbers()
        )

    return check


def encrypted_signed(name: str, key_reference: str) -> Callable[[], None]:
    def check() -> None:
        result = codec.receive(
            vector(f"as4net/{name}"),
            truststore=Truststore([ap("AccessPointA").certificate]),
            decryption_key=ap("AccessPointB"),
        )
        assert result.kind == "user_message" and result.trusted
        assert result.signature.signer == "CN=AccessPointA"
        assert result.signature.key_reference == key_reference
        assert len(result.references) == 4 and all(r.valid for r in result.references)
        assert sorted(len(p.content) for p in result.payloads) == [206, 296_454]
        assert all(p.encrypted and p.compressed for p in result.payloads)
        # without the receiver's key: signature still checked, payloads reported unread
        report = codec.receive(
            vector(f"as4net/{name}"),
            truststore=Truststore([ap("AccessPointA").certificate]),
            allow_undecrypted=True,
        )
        assert report.decrypted is False and len(report.undecrypted) == 2
        refused(
            vector(f"as4net/{name}"), "EBMS:0102", truststore=Truststore([ap("AccessPointA").certificate])
        )

    return check


def encrypted_only(name: str, sizes: list[int]) -> Callable[[], None]:
    def check() -> None:
        party_c = keys.load_pkcs12(vector("as4net/partyC.p12"), "ExampleC")
        result = codec.receive(
            vector(f"as4net/{name}"), truststore=None, decryption_key=party_c, policy=NO_SIGNATURE
        )
        assert result.decrypted and sorted(len(p.content) for p in result.payloads) == sizes
        refused(vector(f"as4net/{name}"), "EBMS:0103", decryption_key=party_c)
        refused(vector(f"as4net/{name}"), "EBMS:0102", decryption_key=ap("AccessPointB"), policy=NO_SIGNATURE)

    return check


def holodeck_signed_message() -> None:
    data = vector("as4net/as4-soap-signed-message.txt")
    partya = keys.load_pkcs12(vector("as4net/holodeck-partya-certificate.pfx"), "secrets")
    result = codec.receive(data, truststore=Truststore([partya.certificate]), at=timestamp_of(data))
    assert result.kind == "user_message" and result.trusted
    assert result.signature.signer.startswith("CN=PartyA")
    assert [r.valid for r in result.references] == [True, True]


def signed_pull_request() -> None:
    result = codec.receive(
        vector("as4net/as4-soap-signed-pullrequest.xml"),
        truststore=Truststore([ap("AccessPointA").certificate]),
    )
    assert result.kind == "pull_request" and result.trusted and result.signal.mpc


def wrong_signed(name: str) -> Callable[[], None]:
    def check() -> None:
        refused(
            vector(f"as4net/{name}"), "EBMS:0101", truststore=Truststore([ap("AccessPointA").certificate])
        )

    return check


def untrusted_signed() -> None:
    data = vector("as4net/as4-soap-untrusted-signed-message.txt")
    error = refused(
        data,
        "EBMS:0101",
        truststore=Truststore([ap("AccessPointA").certificate, ap("AccessPointB").certificate]),
    )
    assert error.partial.signature.signer == "CN=www.AS4Project.com"


def holodeck_string_literal() -> None:
    stored = vector("as4net/holodeck-as4message.xml")
    refused(stored, "EBMS:0007")
    repaired = (
        stored.replace(b"\\r\\n", b"\r\n")
        .replace(b'\\"', b'"')
        .replace(b"ExceptionType", b"Type")
        .replace(b"cancellationToken", b"token")
    )
    check = codec.check_signature(repaired)
    assert check.signature_value_valid and check.signer.startswith("CN=PartyA")
    assert [r.valid for r in check.references if not r.is_attachment] == [True, True]


def single_payload_unsigned() -> None:
    data = vector("as4net/as4_single_payload.as4")
    refused(data, "EBMS:0103")
    result = codec.receive(data, truststore=None, policy=NO_SIGNATURE)
    assert [len(p.content) for p in result.payloads] == [229_172]


def soap_body_payload() -> None:
    # Security comes before content: its Body digest fails, so it never reaches the Body-payload
    # check that as4.net's own test exercises (EBMS:0008, tested on our own messages).
    error = refused(vector("as4net/as4_soapattachment.as4"), "EBMS:0101")
    assert "digest mismatch" in error.detail
    check = codec.check_signature(vector("as4net/as4_soapattachment.as4"))
    assert check.signature_value_valid and [r.valid for r in check.references] == [False]


def unsigned_receipt(name: str, references: int) -> Callable[[], None]:
    def check() -> None:
        data = vector(f"as4net/{name}")
        result = codec.receive(data, truststore=None, policy=NO_SIGNATURE)
        assert result.kind == "receipt" and result.ref_to_message_id
        assert len(codec.nri_references(result.signal)) == references
        refused(data, "EBMS:0103")  # as NRR evidence an unsigned receipt proves nothing

    return check


def bundled_user_message_and_receipt() -> None:
    result = codec.receive(
        vector("as4net/as4-soap-user-receipt-message.xml"), truststore=None, policy=NO_SIGNATURE
    )
    assert result.kind == "user_message"
    receipts = [s for s in result.signals if s.kind == "receipt"]
    assert len(receipts) == 2 and all(codec.nri_references(r) for r in receipts)


def receipt_with_wrong_nri_namespace() -> None:
    data = vector("as4net/Receipt_InvalidNRI_Namespace.as4")
    root = parse_xml(codec.mime.parse_transport(data).envelope)
    messaging, _, _ = ebms.find_messaging(root)
    _, signals = ebms.parse_messaging(messaging)
    with pytest.raises(EbmsError) as caught:
        codec.nri_references(signals[0])
    assert caught.value.code == "EBMS:0302"
    with pytest.raises(EbmsError):
        codec.receive(data, truststore=Truststore(dsig.message_certificates(root)), policy=NO_SIGNATURE)


def signed_envelope_without_attachments() -> None:
    check = codec.check_signature(vector("as4net/as4-soap-signed-encrypted-message.xml"))
    assert not check.signature_value_valid
    refused(vector("as4net/as4-soap-signed-encrypted-message.xml"), "EBMS:0101")


def biztalk() -> None:
    refused(vector("as4net/BizTalkUserMessage.xml"), "EBMS:0009")


def certificate_as4_pfx() -> None:
    with pytest.raises(ValueError):
        keys.load_pkcs12(vector("as4net/certificate-as4.pfx"), None)


def holodeck_partya_key() -> None:
    pair = keys.load_pkcs12(vector("as4net/holodeck-partya-certificate.pfx"), "secrets")
    assert pair.certificate.subject.rfc4514_string().startswith("CN=PartyA")


def party_c_key() -> None:
    pair = keys.load_pkcs12(vector("as4net/partyC.p12"), "ExampleC")
    assert pair.certificate.subject.rfc4514_string().startswith("CN=PartyC")


# ------------------------------------------------------------------------------------------ phase4


def signed_receipt(name: str, nri: int) -> Callable[[], None]:
    def check() -> None:
        data = vector(f"phase4/{name}")
        result = codec.receive(data, truststore=signer_from_bst(data), at=timestamp_of(data))
        assert result.kind == "receipt" and result.trusted
        assert all(r.valid for r in result.references)
        assert len(codec.nri_references(result.signal)) == nri
        # the same receipt checked today: the Peppol test certificate has expired
        if result.signature.certificate.not_valid_after_utc < dt.datetime.now(dt.UTC):
            refused(data, "EBMS:0101", truststore=signer_from_bst(data))

    return check


def dataport_renamed_prefix() -> None:
    data = vector("phase4/dataport1.as4in")
    error = refused(data, "EBMS:0101", truststore=signer_from_bst(data), at=timestamp_of(data))
    messaging_id = error.partial.signal.element.getparent().get(f"{{{c.WSU}}}Id")
    bad = [r.uri for r in error.partial.references if r.valid is False]
    assert bad == [f"#{messaging_id}"]


def only_body_signed(name: str) -> Callable[[], None]:
    def check() -> None:
        data = vector(f"phase4/{name}")
        signature = codec.check_signature(data)
        assert signature.signature_value_valid and all(r.valid for r in signature.references)
        error = refused(data, "EBMS:0101", truststore=signer_from_bst(data), at=timestamp_of(data))
        assert "not the one signed" in error.detail

    return check


def broken_mime_copy() -> None:
    data = vector("phase4/TestMimeMessage12.xml")
    assert not codec.check_signature(data).signature_value_valid
    refused(data, "EBMS:0101", truststore=signer_from_bst(data))


def wrong_signing_algorithm() -> None:
    with pytest.raises(UnsupportedAlgorithm) as caught:
        codec.receive(vector("phase4/WrongSigningAlgorithm.xml"), truststore=None)
    assert caught.value.code == "EBMS:0103" and caught.value.uri == "http://www.randomcrypt.com/random"


def from_holodeck() -> None:
    stored = vector("phase4/from-holodeck-1.xml")
    refused(stored, "EBMS:0009")
    without_licence = re.sub(rb"^\s*<!--.*?-->\s*", b"", stored, flags=re.S)
    check = codec.check_signature(without_licence)
    assert check.signature_value_valid
    xml_references = [r for r in check.references if not r.is_attachment]
    assert len(xml_references) == 2 and all(r.valid for r in xml_references)
    assert etree.tostring(check.signature).count(b"PrefixList") >= 1


def nri_fragment() -> None:
    root = parse_xml(vector("phase4/NonRepudiationInformation.xml"))
    assert root.tag == f"{{{c.EBBP}}}NonRepudiationInformation"
    assert len(root.findall(f".//{{{c.DS}}}Reference")) >= 1
    refused(vector("phase4/NonRepudiationInformation.xml"), "EBMS:0009")


def dummy_jks() -> None:
    store = keys.load_jks(vector("phase4/dummy-pw-test.jks"), "test")
    assert list(store.keys) == ["ph-as4"]
    with pytest.raises(ValueError):
        keys.load_jks(vector("phase4/dummy-pw-test.jks"), "wrong")


def expired_peppol_key() -> None:
    pair = keys.load_pkcs12(vector("phase4/peppol-expired-ap-cert-pw-peppol.p12"), "peppol")
    with pytest.raises(EbmsError) as caught:
        keys.check_validity(pair.certificate, dt.datetime.now(dt.UTC))
    assert caught.value.code == "EBMS:0101" and "expired" in caught.value.detail
    keys.check_validity(pair.certificate, pair.certificate.not_valid_before_utc + dt.timedelta(days=1))


def refused_with(path: str, code: str, **kwargs) -> Callable[[], None]:
    def check() -> None:
        refused(vector(path), code, **kwargs)

    return check


# ------------------------------------------------------------------------------------------ domibus

DOMIBUS = "domibus/"
KEY_REFERENCE_FILES = {
    "test_resources_dataset_as4_bst_x509v3_incoming_message.xml": "BST",
    "test_resources_dataset_as4_bst_X509PKIPathv1_incoming_message.xml": "PKIPath",
    "test_resources_dataset_as4_is_incoming_message.xml": "IssuerSerial",
    "test_resources_dataset_as4_ski_incoming_message.xml": "SKI",
}


def domibus_key_reference(name: str, kind: str) -> Callable[[], None]:
    def check() -> None:
        gateway = keys.load_jks(
            vector(DOMIBUS + "main_conf_domibus_keystores_gateway_keystore.jks"), "test123"
        )
        trusted = keys.load_jks(
            vector(DOMIBUS + "main_conf_domibus_keystores_gateway_truststore.jks"), "test123"
        )
        # the signing leaf is known from the BST of the sibling message
        known = dsig.message_certificates(
            parse_xml(vector(DOMIBUS + "test_resources_dataset_as4_bst_x509v3_incoming_message.xml"))
        )
        store = Truststore([*trusted.certificates.values(), *known])
        root = parse_xml(vector(DOMIBUS + name))
        ids = dsig.index_ids(root)
        signature = root.find(f".//{{{c.DS}}}Signature")
        certificate, _, reference_kind = dsig.resolve_key_info(
            signature.find(f"{{{c.DS}}}KeyInfo"), ids, store, dsig.message_certificates(root)
        )
        assert reference_kind == kind
        assert certificate.subject.rfc4514_string() == "CN=LEAF CERTIFICATE,O=EU.TEST,ST=BRUXELLES,C=BE"
        encrypted_key = root.find(f".//{{{c.XENC}}}EncryptedKey")
        recipient, _, _ = dsig.resolve_key_info(encrypted_key.find(f"{{{c.DS}}}KeyInfo"), ids, store, [])
        assert recipient == gateway.keys["red_gw"].certificate
        assert len(xenc.unwrap_key(encrypted_key, gateway.keys["red_gw"])) == 16
        with pytest.raises(EbmsError) as caught:
            xenc.unwrap_key(encrypted_key, gateway.keys["blue_gw"])
        assert caught.value.code == "EBMS:0102"

    return check


def domibus_keystore(name: str) -> Callable[[], None]:
    def check() -> None:
        store = keys.load_jks(vector(DOMIBUS + name), "test123")
        assert {"blue_gw", "red_gw"} <= set(store.keys)
        assert store.keys["red_gw"].certificate.not_valid_after_utc.date() == dt.date(2025, 12, 1)

    return check


def domibus_truststore(name: str, aliases: set[str]) -> Callable[[], None]:
    def check() -> None:
        store = keys.load_jks(vector(DOMIBUS + name), "test123")
        assert aliases <= set(store.certificates) and not store.keys

    return check


def domibus_policy() -> None:
    root = parse_xml(
        vector(DOMIBUS + "Domibus-MSH-tomcat_src_test_resources_policies_eDeliveryAS4Policy.xml")
    )
    text = etree.tostring(root)
    for element in (b"SignBeforeEncrypting", b"SignedParts", b"EncryptedParts", b"Attachments", b"X509Token"):
        assert element in text


def well_formed(path: str, root_local_name: str) -> Callable[[], None]:
    def check() -> None:
        assert etree.QName(parse_xml(vector(path))).localname == root_local_name

    return check


def domibus_compression() -> None:
    unzipped = parse_xml(
        compression.decompress(vector(DOMIBUS + "test_resources_compression_payload.xml.gz"))
    )
    original = parse_xml(vector(DOMIBUS + "test_resources_compression_payload.xml"))
    assert unzipped.findtext("description") == original.findtext("description")


def domibus_payload_xml() -> None:
    root = parse_xml(vector(DOMIBUS + "test_resources_compression_payload.xml"))
    assert root.findtext("description").startswith("GZIP RFC 1952")


# ---------------------------------------------------------------------- as4 (PyPI), an independent peer

AS4PKG = "as4pkg/"


def as4pkg_keys() -> tuple[x509.Certificate, KeyPair]:
    sender = keys.load_certificate(vector(AS4PKG + "sender.pem"))
    return sender, keys.load_pkcs12(vector(AS4PKG + "receiver.p12"), "receiver")


def as4pkg_message() -> None:
    sender, receiver = as4pkg_keys()
    data = vector(AS4PKG + "message.http")
    result = codec.receive(data, truststore=Truststore([sender]), decryption_key=receiver)
    assert result.kind == "user_message" and result.trusted and result.decrypted
    assert result.signature.signer == "CN=PTE000001" and all(r.valid for r in result.references)
    (payload,) = result.payloads
    assert payload.compressed and payload.encrypted and b"<ID>as4-vector</ID>" in payload.content
    # and our receipt for it carries exactly its references
    receipt = codec.build_receipt(result, sign_with=receiver)
    codec.verify_receipt(
        receipt.body,
        sent_message_id=result.message_id,
        sent=codec.sent_references(data)[1],
        truststore=Truststore([receiver.certificate]),
    )


def as4pkg_receipt() -> None:
    _sender, receiver = as4pkg_keys()
    message_id, references = codec.sent_references(vector(AS4PKG + "message.http"))
    proof = codec.verify_receipt(
        vector(AS4PKG + "receipt.xml"),
        sent_message_id=message_id,
        sent=references,
        truststore=Truststore([receiver.certificate]),
    )
    assert proof.signature.signer == "CN=PTE000002"
    with pytest.raises(EbmsError) as caught:  # the same receipt does not prove another message
        codec.verify_receipt(
            vector(AS4PKG + "receipt.xml"),
            sent_message_id=message_id,
            sent=references[:-1],
            truststore=Truststore([receiver.certificate]),
        )
    assert caught.value.code == "EBMS:0302"


def as4pkg_key_material() -> None:
    sender, receiver = as4pkg_keys()
    assert sender.subject.rfc4514_string() == "CN=PTE000001"
    assert receiver.certificate.subject.rfc4514_string() == "CN=PTE000002"


def as4pkg_generator() -> None:
    source = vector(AS4PKG + "make_vector.py").decode()
    compile(source, "make_vector.py", "exec")
    assert "as4==0.2.0" in source


VERDICTS: dict[str, Callable[[], None]] = {
    AS4PKG + "make_vector.py": as4pkg_generator,
    AS4PKG + "message.http": as4pkg_message,
    AS4PKG + "receipt.xml": as4pkg_receipt,
    AS4PKG + "receiver.p12": as4pkg_key_material,
    AS4PKG + "sender.pem": as4pkg_key_material,
    "as4net/AccessPointA.cer": access_point_certificate("AccessPointA"),
    "as4net/AccessPointB.cer": access_point_certificate("AccessPointB"),
    "as4net/AccessPointA.pfx": access_point_key("AccessPointA"),
    "as4net/AccessPointB.pfx": access_point_key("AccessPointB"),
    "as4net/BizTalkUserMessage.xml": biztalk,
    "as4net/Receipt_InvalidNRI_Namespace.as4": receipt_with_wrong_nri_namespace,
    "as4net/as4-encrypted-compressed-message.as4": encrypted_only(
        "as4-encrypted-compressed-message.as4", [86, 290_161]
    ),
    "as4net/as4_encrypted_message": encrypted_only("as4_encrypted_message", [290_403, 3_342_844]),
    "as4net/as4-encrypted-signed-issuerserial.as4": encrypted_signed(
        "as4-encrypted-signed-issuerserial.as4", "IssuerSerial"
    ),
    "as4net/as4-encrypted-signed-keyidentifier.as4": encrypted_signed(
        "as4-encrypted-signed-keyidentifier.as4", "SKI"
    ),
    "as4net/as4-soap-signed-encrypted-message.xml": signed_envelope_without_attachments,
    "as4net/as4-soap-signed-message.txt": holodeck_signed_message,
    "as4net/as4-soap-signed-pullrequest.xml": signed_pull_request,
    "as4net/as4-soap-untrusted-signed-message.txt": untrusted_signed,
    "as4net/as4-soap-user-receipt-message.xml": bundled_user_message_and_receipt,
    "as4net/as4-soap-wrong-signed-message.txt": wrong_signed("as4-soap-wrong-signed-message.txt"),
    "as4net/as4-soap-wrong-signed-pullrequest.xml": wrong_signed("as4-soap-wrong-signed-pullrequest.xml"),
    "as4net/as4_single_payload.as4": single_payload_unsigned,
    "as4net/as4_soapattachment.as4": soap_body_payload,
    "as4net/certificate-as4.pfx": certificate_as4_pfx,
    "as4net/holodeck-as4message.xml": holodeck_string_literal,
    "as4net/holodeck-partya-certificate.pfx": holodeck_partya_key,
    "as4net/multihopreceipt.xml": unsigned_receipt("multihopreceipt.xml", 3),
    "as4net/partyC.p12": party_c_key,
    "as4net/receipt.xml": unsigned_receipt("receipt.xml", 4),
    "phase4/NonRepudiationInformation.xml": nri_fragment,
    "phase4/TestMessage11.xml": only_body_signed("TestMessage11.xml"),
    "phase4/TestMimeMessage12.xml": broken_mime_copy,
    "phase4/TestReceipt11.xml": only_body_signed("TestReceipt11.xml"),
    "phase4/TestReceipt12.xml": signed_receipt("TestReceipt12.xml", 3),
    "phase4/UserMessageWithCompressedPayload12.xml": refused_with(
        "phase4/UserMessageWithCompressedPayload12.xml", "EBMS:0009"
    ),
    "phase4/UserMessageWithoutWSSE.xml": refused_with("phase4/UserMessageWithoutWSSE.xml", "EBMS:0103"),
    "phase4/WrongCompression.mime": refused_with("phase4/WrongCompression.mime", "EBMS:0303"),
    "phase4/WrongSigningAlgorithm.xml": wrong_signing_algorithm,
    "phase4/dataport1-mustunderstand.as4in": signed_receipt("dataport1-mustunderstand.as4in", 3),
    "phase4/dataport1.as4in": dataport_renamed_prefix,
    "phase4/dummy-pw-test.jks": dummy_jks,
    "phase4/from-holodeck-1.xml": from_holodeck,
    "phase4/helger.as4in": signed_receipt("helger.as4in", 3),
    "phase4/peppol-expired-ap-cert-pw-peppol.p12": expired_peppol_key,
    "phase4/test-2023-03-15.xml": refused_with("phase4/test-2023-03-15.xml", "EBMS:0103"),
    **{DOMIBUS + name: domibus_key_reference(name, kind) for name, kind in KEY_REFERENCE_FILES.items()},
    **{
        DOMIBUS + name: domibus_keystore(name)
        for name in (
            "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_blue_gateway_keystore.jks",
            "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_red_gateway_keystore.jks",
            "Domibus-MSH-tomcat_src_test_resources_keystores_gateway_keystore.jks",
            "main_conf_domibus_keystores_gateway_keystore.jks",
        )
    },
    **{
        DOMIBUS + name: domibus_truststore(name, {"blue_gw", "red_gw"})
        for name in (
            "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_blue_gateway_truststore.jks",
            "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_red_gateway_truststore.jks",
            "Domibus-MSH-tomcat_src_test_resources_keystores_gateway_truststore.jks",
            "main_conf_domibus_keystores_gateway_truststore.jks",
        )
    },
    DOMIBUS
    + "Domibus-MSH-tomcat_src_test_resources_keystores_cefsupportgwtruststore.jks": domibus_truststore(
        "Domibus-MSH-tomcat_src_test_resources_keystores_cefsupportgwtruststore.jks", {"cefsupportgw"}
    ),
    DOMIBUS + "Domibus-MSH-tomcat_src_test_resources_policies_eDeliveryAS4Policy.xml": domibus_policy,
    DOMIBUS
    + "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_blue_domibus-pmode-blue.xml": well_formed(
        DOMIBUS
        + "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_blue_domibus-pmode-blue.xml",
        "configuration",
    ),
    DOMIBUS
    + "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_red_domibus-pmode-red.xml": well_formed(
        DOMIBUS
        + "Domibus-MSH-soapui-tests_src_main_soapui_resources_PModesandKeystoresDefault_red_domibus-pmode-red.xml",
        "configuration",
    ),
    DOMIBUS + "Domibus-MSH-tomcat_src_test_resources_dataset_messages_UserMessageTemplate.xml": well_formed(
        DOMIBUS + "Domibus-MSH-tomcat_src_test_resources_dataset_messages_UserMessageTemplate.xml",
        "eu.domibus.ebms3.common.model.UserMessage",
    ),
    DOMIBUS + "test_resources_compression_payload.xml": domibus_payload_xml,
    DOMIBUS + "test_resources_compression_payload.xml.gz": domibus_compression,
    DOMIBUS + "test_resources_dataset_as4_RawXMLMessage.xml": refused_with(
        DOMIBUS + "test_resources_dataset_as4_RawXMLMessage.xml", "EBMS:0009"
    ),
    DOMIBUS + "test_resources_dataset_as4_RawXMLMessageWithSpaces.xml": refused_with(
        DOMIBUS + "test_resources_dataset_as4_RawXMLMessageWithSpaces.xml", "EBMS:0011"
    ),
    DOMIBUS + "test_resources_dataset_as4_RawXMLMessageWithSpacesAndPkiPath.xml": refused_with(
        DOMIBUS + "test_resources_dataset_as4_RawXMLMessageWithSpacesAndPkiPath.xml", "EBMS:0011"
    ),
}

ALL_FILES = sorted(
    str(path.relative_to(VECTORS))
    for path in VECTORS.rglob("*")
    if path.is_file() and path.name != "PROVENANCE.md"
)


def test_every_vector_has_a_verdict():
    assert ALL_FILES, "no vectors copied"
    assert sorted(VERDICTS) == ALL_FILES


@pytest.mark.parametrize("name", ALL_FILES)
def test_vector(name):
    VERDICTS[name]()
