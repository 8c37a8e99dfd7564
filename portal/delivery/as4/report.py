"""``as4 inspect``: a verdict on any message as a JSON-ready dict, never an exception."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .codec import ParsedMessage, ReceivePolicy, receive
from .errors import OTHER, EbmsError
from .keys import KeyPair, Truststore


def inspect(
    data: bytes,
    content_type: str | None = None,
    *,
    key: KeyPair | None = None,
    truststore: Truststore | None = None,
    at: dt.datetime | None = None,
    policy: ReceivePolicy | None = None,
) -> dict[str, Any]:
    error: EbmsError | None = None
    try:
        result = receive(
            data,
            content_type,
            truststore=truststore,
            decryption_key=key,
            at=at,
            policy=policy,
            allow_undecrypted=True,
        )
    except EbmsError as exc:
        error = exc
        result = getattr(exc, "partial", None) or ParsedMessage()
    except Exception as exc:  # a validator that throws becomes a report, never a crash
        error = EbmsError(OTHER, f"internal error while reading the message: {type(exc).__name__}: {exc}")
        result = ParsedMessage()
    signature = result.signature
    signal_errors = result.signal.errors if result.signal is not None and result.kind == "error" else []
    accepted = error is None and result.kind != "error" and not result.undecrypted
    if error is not None:
        error_code, detail = error.code, error.detail
    elif signal_errors:
        error_code = signal_errors[0].code or None
        detail = "; ".join(
            f"{e.code}: {e.detail or e.description or e.short_description}" for e in signal_errors
        )
    elif result.undecrypted:
        error_code = None
        detail = f"signature checked; not decrypted (no key): {', '.join(result.undecrypted)}"
    else:
        error_code, detail = None, "accepted"
    if result.fault is not None and error is not None and not signal_errors:
        detail = f"SOAP Fault {result.fault.code}: {result.fault.reason}"
    return {
        "kind": result.kind,
        "accepted": accepted,
        "signature_valid": (signature.valid if _all_checked(result) else False if _any_bad(result) else None)
        if signature is not None
        else None,
        "references": [
            {"uri": r.uri, "valid": bool(r.valid)} for r in (signature.references if signature else [])
        ],
        "signer": signature.signer if signature is not None else None,
        "key_reference": signature.key_reference if signature is not None else None,
        "message_id": result.message_id,
        "ref_to_message_id": result.ref_to_message_id,
        "payloads": [
            {
                "id": p.content_id,
                "mime_type": p.mime_type,
                "size": len(p.content) if p.content is not None else None,
            }
            for p in result.payloads
        ],
        "error_code": error_code,
        "detail": detail,
    }


def _all_checked(result: ParsedMessage) -> bool:
    return bool(result.signature) and all(r.valid is not None for r in result.signature.references)


def _any_bad(result: ParsedMessage) -> bool:
    signature = result.signature
    return not signature.signature_value_valid or any(r.valid is False for r in signature.references)
