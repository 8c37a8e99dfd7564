"""What the validator trusts: EU trusted lists (ETSI TS 119 612) and configured extra anchors.

Trusted lists are only ever read from bytes handed in (stored copies); fetching and caching them is
``trust_store.py``'s concern. :func:`read_trusted_list` parses with a safe parser (no entities, DTD or
network), verifies the list's XML signature against the announced certificates and marks it:

* ``ACCEPTED``: the signature verifies and the list is fresh at the evaluation time;
* ``STALE``: the signature verifies, but ``NextUpdate`` has passed (or is missing) or the list was issued
  after the evaluation time;
* ``REJECTED``: unparseable, not a trusted list, or the signature does not verify (never a crash).

The LOTL is checked against the LOTL signer certificates last published in the Official Journal (shipped
with pyHanko; ``SIGNING_LOTL_SIGNER_CERTS`` overrides them), each national list against the certificates
its LOTL pointer announces. A :class:`TrustContext` uses accepted lists, and stale ones only when built
with ``use_stale`` (the portal's default context is, and says so in every report). CA/QC services
become trust anchors; :meth:`TrustContext.qualification` maps a validated signer path to QES (qualified,
e-signature or e-seal, key on a QSCD), AdES-QC (qualified) or AdES; TSA/QTST services answer
:meth:`TrustContext.is_qualified_timestamp_unit`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.x509 import load_der_x509_certificate
from lxml import etree
from pyhanko.sign.validation.policy_decl import (
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.qualified import eutl_parse
from pyhanko.sign.validation.qualified.assess import QualificationAssessor
from pyhanko.sign.validation.qualified.tsp import (
    CAServiceInformation,
    QcCertType,
    QTSTServiceInformation,
    TSPRegistry,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.authority import AuthorityWithCert
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.api import FetcherBackend
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from signxml.exceptions import SignXMLException
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from .common import SIGNER_KEY_USAGE
from .report import Qualification

logger = logging.getLogger(__name__)

TSL_NS = "http://uri.etsi.org/02231/v2#"
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


class TrustedListError(ValueError):
    """A trusted list that must not be used: unparseable, badly signed, or wrongly signed."""


class ListStatus(StrEnum):
    ACCEPTED = "accepted"
    STALE = "stale"  # signature fine, but NextUpdate has passed at the evaluation time
    REJECTED = "rejected"


@dataclass
class TrustedListInfo:
    name: str
    status: ListStatus
    reason: str = ""
    territory: str | None = None
    issued: datetime | None = None
    next_update: datetime | None = None
    pointers: list[eutl_parse.TLReference] = field(default_factory=list)
    registry: TSPRegistry | None = None


def load_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    """PEM (one or many) or DER certificates."""
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _scheme_dates(root: etree._Element) -> tuple[datetime | None, datetime | None, str | None]:
    ns = {"tsl": TSL_NS}
    issued = root.findtext("tsl:SchemeInformation/tsl:ListIssueDateTime", namespaces=ns)
    next_update = root.findtext("tsl:SchemeInformation/tsl:NextUpdate/tsl:dateTime", namespaces=ns)
    territory = root.findtext("tsl:SchemeInformation/tsl:SchemeTerritory", namespaces=ns)

    def parse(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if value else None

    return parse(issued), parse(next_update), (territory or "").strip() or None


def verify_list_signature(xml: bytes, signer_certs: list[asn1_x509.Certificate], at: datetime) -> str:
    """Return the signed TrustServiceStatusList (as text) if one of ``signer_certs`` signed it.

    The signing certificate must also be within its validity period at ``at``.
    """
    if not signer_certs:
        raise TrustedListError("no certificate announced to check the list's signature against")
    problems = []
    for cert in sorted(signer_certs, key=lambda c: c.not_valid_before, reverse=True):
        config = XAdESSignatureConfiguration(require_x509=True, expect_references=True, verification_time=at)
        try:
            results = XAdESVerifier().verify(
                xml, x509_cert=load_der_x509_certificate(cert.dump()), expect_config=config
            )
        except (SignXMLException, ValueError) as error:
            problems.append(f"{cert.subject.human_friendly}: {type(error).__name__}: {error}")
            continue
        for result in results:
            if (
                result.signed_xml is not None
                and result.signed_xml.tag == f"{{{TSL_NS}}}TrustServiceStatusList"
            ):
                return result.signed_data.decode("utf-8")
        problems.append(f"{cert.subject.human_friendly}: the signature does not cover the list")
    raise TrustedListError("signature not valid against the announced certificates: " + "; ".join(problems))


def read_trusted_list(
    xml: bytes,
    signer_certs: list[asn1_x509.Certificate],
    *,
    at: datetime | None = None,
    name: str = "trusted list",
    is_lotl: bool = False,
) -> TrustedListInfo:
    """Check and parse a LOTL or a national list. Never raises for bad input: see ``status``."""
    at = _as_utc(at)
    try:
        root = etree.fromstring(xml, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        return TrustedListInfo(name, ListStatus.REJECTED, f"not parseable: {error}")
    if root.tag != f"{{{TSL_NS}}}TrustServiceStatusList":
        return TrustedListInfo(name, ListStatus.REJECTED, "not an ETSI TS 119 612 trusted list")
    issued, next_update, territory = _scheme_dates(root)
    info = TrustedListInfo(
        name, ListStatus.REJECTED, territory=territory, issued=issued, next_update=next_update
    )
    try:
        signed_xml = verify_list_signature(xml, signer_certs, at)
        if is_lotl:
            info.pointers = eutl_parse.parse_lotl_unsafe(signed_xml).references
        else:
            info.registry, parse_errors = eutl_parse.trust_list_to_registry_unsafe(signed_xml)
            for parse_error in parse_errors:
                logger.info("%s: service skipped: %s", name, parse_error)
    except TrustedListError as error:
        info.reason = str(error)
        return info
    except Exception as error:  # a broken list is a rejected list, never a crash
        info.reason = f"cannot be read: {type(error).__name__}: {error}"
        return info
    if next_update is None or next_update < at:
        info.status = ListStatus.STALE
        info.reason = f"NextUpdate {next_update.isoformat() if next_update else '(none)'} has passed at {at.isoformat()}"
    elif issued is not None and issued > at:
        info.status = ListStatus.STALE
        info.reason = f"issued {issued.isoformat()}, after the evaluation time {at.isoformat()}"
    else:
        info.status = ListStatus.ACCEPTED
    return info


def lotl_signer_certificates() -> list[asn1_x509.Certificate]:
    """The LOTL signer certificates last published in the Official Journal (shipped by pyHanko)."""
    return eutl_parse.latest_known_lotl_tlso_certs()


@dataclass
class TrustContext:
    """Everything a validation trusts. Build one per request, or cache one per trusted-list refresh."""

    anchors: list[asn1_x509.Certificate] = field(default_factory=list)
    registry: TSPRegistry = field(default_factory=TSPRegistry)
    lists: list[TrustedListInfo] = field(default_factory=list)
    # "hard-fail": a certificate that declares a CRL or OCSP responder must have revocation data
    # (embedded in the file, or fetched when allowed), else the result is INDETERMINATE, never
    # TOTAL_PASSED on an unchecked status. "soft-fail" checks only what is at hand.
    revocation_mode: str = "hard-fail"
    allow_fetching: bool = False
    # A list whose signature verifies but whose NextUpdate has passed: used (with a warning in
    # every report) when True, as the portal's cached lists are; ignored when False.
    use_stale: bool = False
    notices: list[str] = field(default_factory=list)  # further warnings for every report
    # Used when ``allow_fetching``: ``validation.validate`` gives each online validation its own
    # bounded backend (fetching.BoundedFetcherBackend) whose log becomes the report's warnings.
    fetcher_backend: FetcherBackend | None = None

    @classmethod
    def from_trusted_lists(
        cls,
        lotl_xml: bytes | None,
        national_lists: list[bytes] = (),
        *,
        at: datetime | None = None,
        lotl_signers: list[asn1_x509.Certificate] | None = None,
        anchors: list[asn1_x509.Certificate] = (),
        use_stale: bool = False,
    ) -> TrustContext:
        """The LOTL announces who signs each national list; a national list is used only if so signed."""
        context = cls(anchors=list(anchors), use_stale=use_stale)
        pointers: dict[str, eutl_parse.TLReference] = {}
        if lotl_xml is not None:
            lotl = read_trusted_list(
                lotl_xml, lotl_signers or lotl_signer_certificates(), at=at, name="LOTL", is_lotl=True
            )
            context.lists.append(lotl)
            if context.is_used(lotl):
                pointers = {reference.territory: reference for reference in lotl.pointers}
        for index, xml in enumerate(national_lists):
            try:
                territory = _scheme_dates(etree.fromstring(xml, parser=_SAFE_PARSER))[2]
            except etree.XMLSyntaxError:
                territory = None
            name = f"trusted list {territory or index + 1}"
            reference = pointers.get(territory or "")
            if reference is None:
                context.lists.append(
                    TrustedListInfo(
                        name, ListStatus.REJECTED, "no accepted LOTL pointer announces its signers", territory
                    )
                )
                continue
            context.add_list(read_trusted_list(xml, reference.tlso_certs, at=at, name=name))
        return context

    def is_used(self, info: TrustedListInfo) -> bool:
        return info.status is ListStatus.ACCEPTED or (self.use_stale and info.status is ListStatus.STALE)

    def add_list(self, info: TrustedListInfo) -> None:
        self.lists.append(info)
        if self.is_used(info) and info.registry is not None:
            authorities = {
                *info.registry.known_certificate_authorities,
                *info.registry.known_timestamp_authorities,
            }
            for authority in authorities:
                for service in info.registry.applicable_service_definitions(authority, None):
                    if isinstance(service, CAServiceInformation):
                        self.registry.register_ca(service)
                    elif isinstance(service, QTSTServiceInformation):
                        self.registry.register_tst(service)

    @property
    def warnings(self) -> list[str]:
        problems = [
            f"{info.name} used although stale: {info.reason}"
            if self.is_used(info)
            else f"{info.name} not used: {info.status}: {info.reason}"
            for info in self.lists
            if info.status is not ListStatus.ACCEPTED
        ]
        return problems + list(self.notices)

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        roots = list(self.anchors)
        for authority in self.registry.known_certificate_authorities:
            if isinstance(authority, AuthorityWithCert):
                roots.append(authority.certificate)
        return roots

    def timestamp_roots(self) -> list[asn1_x509.Certificate]:
        roots = self.trust_roots()
        for authority in self.registry.known_timestamp_authorities:
            if isinstance(authority, AuthorityWithCert):
                roots.append(authority.certificate)
        return roots

    def validation_context(
        self,
        *,
        moment: datetime | None,
        other_certs: list[asn1_x509.Certificate] = (),
        for_timestamps: bool = False,
        crls: list = (),
        ocsps: list = (),
        retroactive_revinfo: bool = False,
    ) -> ValidationContext:
        return ValidationContext(
            trust_roots=self.timestamp_roots() if for_timestamps else self.trust_roots(),
            other_certs=list(other_certs),
            moment=moment,
            allow_fetching=self.allow_fetching,
            fetcher_backend=self.fetcher_backend if self.allow_fetching else None,
            revocation_mode=self.revocation_mode,
            crls=list(crls),
            ocsps=list(ocsps),
            retroactive_revinfo=retroactive_revinfo,
        )

    def signature_validation_spec(self, *, retroactive_revinfo: bool = False) -> SignatureValidationSpec:
        """The same trust as ``validation_context``, as the policy pyHanko's AdES processes
        (EN 319 102-1 §5.3-5.6) take: trust anchors, revocation policy, fetching rule."""
        revinfo = CertRevTrustPolicy(
            RevocationCheckingPolicy.from_legacy(self.revocation_mode),
            retroactive_revinfo=retroactive_revinfo,
        )
        fetching = RevocationInfoGatheringSpec(
            online_fetching_rule=(
                RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                if self.allow_fetching
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            fetcher_backend=self.fetcher_backend if self.allow_fetching else None,
        )
        return SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=self.trust_roots()),
                revinfo_policy=revinfo,
            ),
            ts_cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=self.timestamp_roots()),
                revinfo_policy=revinfo,
            ),
            revinfo_gathering_policy=fetching,
            key_usage_settings=SIGNER_KEY_USAGE,
        )

    def qualification(self, path: ValidationPath | None, moment: datetime | None) -> Qualification | None:
        """QES / AdES-QC / AdES for a validated signer path; None when no path was validated."""
        if path is None:
            return None
        try:
            result = QualificationAssessor(self.registry).check_entity_cert_qualified(path, moment)
        except Exception:  # pyHanko raises NotImplementedError on unusual QC statements
            logger.warning("qualification assessment failed", exc_info=True)
            return Qualification.ADES
        status = result.status
        if not status.qualified or result.service_definition is None:
            return Qualification.ADES
        if status.qc_type in (QcCertType.QC_ESIGN, QcCertType.QC_ESEAL) and status.qc_key_security.is_qscd:
            return Qualification.QES
        return Qualification.ADES_QC

    def is_qualified_timestamp_unit(self, cert: asn1_x509.Certificate, moment: datetime | None) -> bool:
        authority = AuthorityWithCert(cert)
        return any(
            service.base_info.service_type == eutl_parse.QTST_URI
            for service in self.registry.applicable_service_definitions(authority, moment)
        )
