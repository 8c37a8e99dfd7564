"""The one registry behind every pluggable edge: a name -> a class with declared, validated options.

Signers, virus scanners, delivery transports and channels, inbound handlers, eID providers and
payment providers each keep one ``Registry``. A plugin is a class with a ``name`` and a tuple of
``Option``s; the configuration given for it (settings, a P-Mode, a CMS field) is checked against
those options before anything uses it, so a typo is a start-up error, not a failed delivery::

    transports = Registry("transport", error=TransportConfigError)

    @transports.register
    class As4HttpTransport(Plugin):
        name = "as4"
        options = (Option("timeout", (int, float), required=False, default=60),)

    transport = transports.build("as4", {"timeout": 30})
    scanner = scanners.from_setting({"class": "clamav", "address": "tcp://127.0.0.1:3310"})

Registration happens at import time of the module that defines the plugin (or in an app's
``ready()``), and a second class under a taken name is refused.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import FunctionType
from typing import Any, ClassVar, Generic, TypeVar


class ConfigurationError(ValueError):
    """A plugin name or option that cannot work; the message names the plugin and the option."""


_NO_DEFAULT = object()
_METHODS = (FunctionType, property, classmethod, staticmethod)
_RESERVED = frozenset({"name", "options", "config"})


@dataclass(frozen=True)
class Option:
    """One declared option: its name, accepted type(s), whether it must be given, a default."""

    name: str
    kind: type | tuple[type, ...] = object
    required: bool = True
    default: Any = None
    help: str = ""

    @property
    def kinds(self) -> tuple[type, ...]:
        return self.kind if isinstance(self.kind, tuple) else (self.kind,)

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) and bool not in self.kinds and object not in self.kinds:
            return False  # True is an int to Python, never to an operator writing "timeout": true
        return isinstance(value, self.kinds)


def validate_options(
    what: str, options: tuple[Option, ...], config: Mapping[str, Any], error: type[Exception]
) -> dict[str, Any]:
    """``config`` checked against the declared ``options`` and completed with their defaults.

    Unknown, missing and ill-typed options raise ``error`` naming ``what`` (e.g. "signer 'qtsp'")
    and the option. A ``None`` for an optional option means "not given".
    """
    declared = {option.name: option for option in options}
    unknown = set(config) - set(declared)
    if unknown:
        raise error(f"{what}: unknown options {sorted(unknown)} (known: {sorted(declared)})")
    missing = [option.name for option in options if option.required and config.get(option.name) is None]
    if missing:
        raise error(f"{what}: missing options {missing}")
    values: dict[str, Any] = {}
    for option in options:
        value = config.get(option.name)
        if value is None:
            values[option.name] = option.default
            continue
        if not option.accepts(value):
            expected = " or ".join(kind.__name__ for kind in option.kinds)
            raise error(f"{what}: option {option.name!r} must be {expected}, not {value!r}")
        values[option.name] = value
    return values


class Plugin:
    """Base class of a registered plugin: declare ``name`` and ``options``.

    The validated options are in ``self.config`` and, for convenience, attributes of the same name
    (unless the class has a method or property of that name, or it is ``name``, ``options``
    or ``config``).
    ``check_options`` is where a plugin checks options against each other (types are already checked);
    raise the registry's error there.
    """

    name: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, **config: Any) -> None:
        self.config: dict[str, Any] = dict(config)
        for key, value in self.config.items():
            # an option named like a method or property (a signer's trust_anchors) or like the plugin's
            # own attributes (an eID provider's name) stays in config only
            if key not in _RESERVED and not isinstance(
                inspect.getattr_static(type(self), key, None), _METHODS
            ):
                setattr(self, key, value)
        self.check_options()

    def check_options(self) -> None:
        """Check option values together; the default accepts any combination."""


P = TypeVar("P")


class Registry(Generic[P]):
    """Plugins of one kind by name. ``error`` is raised for every configuration problem."""

    def __init__(self, kind: str, *, error: type[Exception] = ConfigurationError) -> None:
        self.kind = kind
        self.error = error
        self._classes: dict[str, type[P]] = {}

    def register(self, plugin_class: type[P]) -> type[P]:
        """Class decorator; refuses a second class under a taken name."""
        name = getattr(plugin_class, "name", None)
        if not isinstance(name, str) or not name:
            raise self.error(f"{self.kind} {plugin_class.__qualname__} has no name")
        existing = self._classes.get(name)
        if existing is not None and existing is not plugin_class:
            raise self.error(
                f"{self.kind} {name!r} registered twice ({existing.__qualname__}, {plugin_class.__qualname__})"
            )
        self._classes[name] = plugin_class
        return plugin_class

    def unregister(self, name: str) -> None:
        self._classes.pop(name, None)

    def get(self, name: str) -> type[P]:
        try:
            return self._classes[name]
        except KeyError:
            raise self.error(
                f"no {self.kind} named {name!r} (known: {', '.join(self.names()) or 'none'})"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._classes)

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[type[P]]:
        return iter([self._classes[name] for name in self.names()])

    def validate(self, name: str, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The options ``config`` would give plugin ``name``, validated, without building it."""
        plugin_class = self.get(name)
        options = getattr(plugin_class, "options", ())
        return validate_options(f"{self.kind} {name!r}", options, dict(config or {}), self.error)

    def build(self, name: str, config: Mapping[str, Any] | None = None) -> P:
        """An instance of plugin ``name`` with ``config`` validated against its declared options."""
        return self.get(name)(**self.validate(name, config))

    def from_setting(self, setting: Mapping[str, Any], *, default_name: str | None = None) -> P:
        """Build from a setting shaped ``{"class": <registered name>, **options}``."""
        if not isinstance(setting, Mapping):
            raise self.error(f"{self.kind} setting must be an object {{'class': name, ...}}, not {setting!r}")
        config = dict(setting)
        name = config.pop("class", default_name)
        if not isinstance(name, str) or not name:
            raise self.error(f"{self.kind} setting names no class (known: {', '.join(self.names())})")
        return self.build(name, config)
