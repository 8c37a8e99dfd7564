"""ebMS3 / AS4 errors: every refusal is an :class:`EbmsError` carrying its EBMS code and a detail."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDefinition:
    code: str
    short_description: str
    severity: str  # "failure" | "warning"
    category: str  # Content | Communication | Unpackaging | Processing
    origin: str  # ebMS | security | as4


ERROR_DEFINITIONS: dict[str, ErrorDefinition] = {
    d.code: d
    for d in (
        ErrorDefinition("EBMS:0001", "ValueNotRecognized", "failure", "Content", "ebMS"),
        ErrorDefinition("EBMS:0002", "FeatureNotSupported", "warning", "Content", "ebMS"),
        ErrorDefinition("EBMS:0003", "ValueInconsistent", "failure", "Content", "ebMS"),
        ErrorDefinition("EBMS:0004", "Other", "failure", "Content", "ebMS"),
        ErrorDefinition("EBMS:0005", "ConnectionFailure", "failure", "Communication", "ebMS"),
        ErrorDefinition("EBMS:0006", "EmptyMessagePartitionChannel", "warning", "Communication", "ebMS"),
        ErrorDefinition("EBMS:0007", "MimeInconsistency", "failure", "Unpackaging", "ebMS"),
        ErrorDefinition("EBMS:0008", "FeatureNotSupported", "failure", "Unpackaging", "ebMS"),
        ErrorDefinition("EBMS:0009", "InvalidHeader", "failure", "Unpackaging", "ebMS"),
        ErrorDefinition("EBMS:0010", "ProcessingModeMismatch", "failure", "Processing", "ebMS"),
        ErrorDefinition("EBMS:0011", "ExternalPayloadError", "failure", "Content", "ebMS"),
        ErrorDefinition("EBMS:0101", "FailedAuthentication", "failure", "Processing", "security"),
        ErrorDefinition("EBMS:0102", "FailedDecryption", "failure", "Processing", "security"),
        ErrorDefinition("EBMS:0103", "PolicyNoncompliance", "failure", "Processing", "security"),
        ErrorDefinition("EBMS:0301", "MissingReceipt", "failure", "Communication", "as4"),
        ErrorDefinition("EBMS:0302", "InvalidReceipt", "failure", "Communication", "as4"),
        ErrorDefinition("EBMS:0303", "DecompressionFailure", "failure", "Communication", "as4"),
    )
}

VALUE_NOT_RECOGNIZED = "EBMS:0001"
FEATURE_NOT_SUPPORTED_WARNING = "EBMS:0002"
VALUE_INCONSISTENT = "EBMS:0003"
OTHER = "EBMS:0004"
CONNECTION_FAILURE = "EBMS:0005"
EMPTY_MPC = "EBMS:0006"
MIME_INCONSISTENCY = "EBMS:0007"
FEATURE_NOT_SUPPORTED = "EBMS:0008"
INVALID_HEADER = "EBMS:0009"
PMODE_MISMATCH = "EBMS:0010"
EXTERNAL_PAYLOAD_ERROR = "EBMS:0011"
FAILED_AUTHENTICATION = "EBMS:0101"
FAILED_DECRYPTION = "EBMS:0102"
POLICY_NONCOMPLIANCE = "EBMS:0103"
MISSING_RECEIPT = "EBMS:0301"
INVALID_RECEIPT = "EBMS:0302"
DECOMPRESSION_FAILURE = "EBMS:0303"


class EbmsError(Exception):
    """A message refused for a reason the ebMS3/AS4 specifications name by an error code."""

    def __init__(self, code: str, detail: str, *, ref_to_message_id: str | None = None) -> None:
        if code not in ERROR_DEFINITIONS:
            raise ValueError(f"unknown EBMS error code {code!r}")
        super().__init__(f"{code} {ERROR_DEFINITIONS[code].short_description}: {detail}")
        self.code = code
        self.detail = detail
        self.ref_to_message_id = ref_to_message_id

    @property
    def definition(self) -> ErrorDefinition:
        return ERROR_DEFINITIONS[self.code]


class UnsupportedAlgorithm(EbmsError):
    """An algorithm outside the eDelivery AS4 policy (a policy failure, not a broken signature)."""

    def __init__(self, kind: str, uri: str | None) -> None:
        super().__init__(POLICY_NONCOMPLIANCE, f"unsupported {kind} algorithm {uri!r}")
        self.uri = uri
