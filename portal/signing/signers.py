"""The registry seam for signers (CSC remote signers, the test QTSP, local keys): name -> class.

Signing itself is a later step; this fixes the shape so configuration can name a signer and
have its options checked before anything is signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class SignerConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    name: str
    required: bool = True
    help: str = ""


class Signer:
    """Base class: declare ``name`` and ``options``; implement ``sign_pdf`` when signing lands."""

    name: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, **config: object) -> None:
        self.config = self.validate_options(config)

    @classmethod
    def validate_options(cls, config: dict) -> dict:
        known = {option.name for option in cls.options}
        unknown = set(config) - known
        if unknown:
            raise SignerConfigurationError(f"signer {cls.name!r}: unknown options {sorted(unknown)}")
        missing = [option.name for option in cls.options if option.required and option.name not in config]
        if missing:
            raise SignerConfigurationError(f"signer {cls.name!r}: missing options {missing}")
        return dict(config)

    def sign_pdf(self, pdf: bytes) -> bytes:  # pragma: no cover - implemented by concrete signers
        raise NotImplementedError


_REGISTRY: dict[str, type[Signer]] = {}


def register(signer_class: type[Signer]) -> type[Signer]:
    if signer_class.name in _REGISTRY:
        raise SignerConfigurationError(f"signer {signer_class.name!r} registered twice")
    _REGISTRY[signer_class.name] = signer_class
    return signer_class


def get_signer(name: str, **config: object) -> Signer:
    try:
        signer_class = _REGISTRY[name]
    except KeyError:
        raise SignerConfigurationError(f"no signer named {name!r}; known: {sorted(_REGISTRY)}") from None
    return signer_class(**config)


def registered_signers() -> list[str]:
    return sorted(_REGISTRY)
