"""What the pluggable edges share (signers, virus scanners): a class declares its options, and the
configuration given for it is checked against them before anything uses it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    name: str
    kind: type | tuple[type, ...] = object
    required: bool = True
    help: str = ""


def validate_options(what: str, options: tuple[Option, ...], config: dict, error: type[Exception]) -> dict:
    """``config`` checked against the declared ``options`` (unknown, missing, wrong type); raises
    ``error`` naming ``what`` (e.g. "signer 'qtsp'") and the option."""
    declared = {option.name: option for option in options}
    unknown = set(config) - set(declared)
    if unknown:
        raise error(f"{what}: unknown options {sorted(unknown)}")
    missing = [option.name for option in options if option.required and option.name not in config]
    if missing:
        raise error(f"{what}: missing options {missing}")
    for name, value in config.items():
        kinds = declared[name].kind if isinstance(declared[name].kind, tuple) else (declared[name].kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise error(f"{what}: option {name!r} has the wrong type")
    return dict(config)
