"""The validation report: what the portal says about a signed file, in EN 319 102-1 terms.

Plain dataclasses so validators, the CLI, storage and (later) HTML rendering share one shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Indication(StrEnum):
    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    """The EN 319 102-1 sub-indications this library emits."""

    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    TRY_LATER = "TRY_LATER"
    NOT_YET_VALID = "NOT_YET_VALID"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_POE = "NO_POE"
    EXPIRED = "EXPIRED"
    REVOCATION_OUT_OF_BOUNDS_NO_POE = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    POLICY_PROCESSING_ERROR = "POLICY_PROCESSING_ERROR"
    SIGNATURE_POLICY_NOT_AVAILABLE = "SIGNATURE_POLICY_NOT_AVAILABLE"
    GENERIC = "GENERIC"


# EN 319 102-1 table 5: which sub-indications belong to which main indication.
_FAILED_SUBINDICATIONS = {
    SubIndication.FORMAT_FAILURE,
    SubIndication.HASH_FAILURE,
    SubIndication.SIG_CRYPTO_FAILURE,
    SubIndication.REVOKED,
    SubIndication.SIG_CONSTRAINTS_FAILURE,
    SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    SubIndication.NOT_YET_VALID,
}


def indication_for(sub_indication: SubIndication | None) -> Indication:
    if sub_indication is None:
        return Indication.TOTAL_PASSED
    if sub_indication in _FAILED_SUBINDICATIONS:
        return Indication.TOTAL_FAILED
    return Indication.INDETERMINATE


class Level(StrEnum):
    B = "B"
    T = "T"
    LT = "LT"
    LTA = "LTA"


class Qualification(StrEnum):
    QES = "QES"
    ADES_QC = "AdES-QC"
    ADES = "AdES"


@dataclass
class SignatureReport:
    indication: Indication
    sub_indication: SubIndication | None = None
    signer: str = ""
    signing_time: datetime | None = None
    level: Level | None = None
    qualification: Qualification | None = None
    covers: list[str] = field(default_factory=list)
    format: str = ""  # PAdES, XAdES, CAdES: for people reading the report, not part of the JSON contract
    messages: list[str] = field(default_factory=list)

    @classmethod
    def from_sub_indication(cls, sub_indication: SubIndication | None, **kwargs) -> SignatureReport:
        return cls(indication=indication_for(sub_indication), sub_indication=sub_indication, **kwargs)

    def as_dict(self) -> dict:
        return {
            "indication": str(self.indication),
            "sub_indication": str(self.sub_indication) if self.sub_indication else None,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "level": str(self.level) if self.level else None,
            "qualification": str(self.qualification) if self.qualification else None,
            "covers": list(self.covers),
        }


@dataclass
class ValidationReport:
    filename: str
    format: str = "unknown"
    signatures: list[SignatureReport] = field(default_factory=list)
    unsigned_files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Set when the container or document itself is unusable (unsafe names, unparseable):
    # then the overall verdict fails whatever the signatures say.
    structural_failure: bool = False
    # Set when a validator threw: the report says "we could not tell", never "it is invalid".
    validator_crashed: bool = False

    @property
    def indication(self) -> Indication:
        """All signatures passed, nothing unsigned, no error: TOTAL_PASSED. Any failure: TOTAL_FAILED."""
        if self.structural_failure:
            return Indication.TOTAL_FAILED
        if not self.signatures:
            return Indication.INDETERMINATE if self.validator_crashed else Indication.TOTAL_FAILED
        indications = {signature.indication for signature in self.signatures}
        if Indication.TOTAL_FAILED in indications:
            return Indication.TOTAL_FAILED
        if Indication.INDETERMINATE in indications or self.errors or self.unsigned_files:
            return Indication.INDETERMINATE
        return Indication.TOTAL_PASSED

    def as_dict(self) -> dict:
        return {
            "indication": str(self.indication),
            "signatures": [signature.as_dict() for signature in self.signatures],
            "unsigned_files": list(self.unsigned_files),
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }

    def to_json(self, **dumps_kwargs) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, **dumps_kwargs)
