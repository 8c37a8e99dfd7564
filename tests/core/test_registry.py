"""The one plugin registry: names, duplicate check, declared and validated options."""

import pytest

from portal.core.registry import ConfigurationError, Option, Plugin, Registry


class Wrong(ValueError):
    pass


def _registry() -> Registry:
    registry: Registry = Registry("widget", error=Wrong)

    @registry.register
    class Plain(Plugin):
        name = "plain"
        options = (
            Option("address", str, help="where it listens"),
            Option("timeout", (int, float), required=False, default=10),
            Option("verbose", bool, required=False, default=False),
        )

        def check_options(self) -> None:
            if self.timeout <= 0:
                raise Wrong("widget 'plain': timeout must be positive")

    return registry


def test_build_fills_defaults_and_sets_attributes():
    widget = _registry().build("plain", {"address": "tcp://127.0.0.1:1"})
    assert widget.config == {"address": "tcp://127.0.0.1:1", "timeout": 10, "verbose": False}
    assert widget.address == "tcp://127.0.0.1:1"
    assert widget.timeout == 10


def test_from_setting_reads_the_class_key():
    widget = _registry().from_setting({"class": "plain", "address": "x", "timeout": 2.5})
    assert widget.timeout == 2.5


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "missing options ['address']"),
        ({"address": "x", "colour": "red"}, "unknown options ['colour']"),
        ({"address": 5}, "option 'address' must be str"),
        ({"address": "x", "timeout": True}, "option 'timeout' must be int or float"),
        ({"address": "x", "timeout": "5"}, "option 'timeout' must be int or float"),
        ({"address": "x", "timeout": 0}, "timeout must be positive"),
    ],
)
def test_bad_options_are_refused_naming_the_plugin_and_option(config, message):
    with pytest.raises(Wrong) as refused:
        _registry().build("plain", config)
    assert message in str(refused.value)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(Wrong, match=r"no widget named 'other' \(known: plain\)"):
        _registry().get("other")


def test_a_second_class_under_a_taken_name_is_refused():
    registry = _registry()

    class Impostor(Plugin):
        name = "plain"

    with pytest.raises(Wrong, match="registered twice"):
        registry.register(Impostor)
    registry.register(registry.get("plain"))  # the same class again is harmless (module reloaded)
    assert registry.names() == ["plain"]


def test_nameless_class_and_malformed_setting_are_refused():
    registry: Registry = Registry("widget")

    class Nameless(Plugin):
        pass

    with pytest.raises(ConfigurationError, match="has no name"):
        registry.register(Nameless)
    with pytest.raises(ConfigurationError, match="names no class"):
        registry.from_setting({"address": "x"})
    with pytest.raises(ConfigurationError, match="must be an object"):
        registry.from_setting(["plain"])


def test_an_option_named_like_a_method_property_or_the_plugin_name_stays_in_config_only():
    registry: Registry = Registry("widget")

    @registry.register
    class Shadowed(Plugin):
        name = "shadowed"
        options = (
            Option("anchors", list, required=False),
            Option("label", str, required=False),
            Option("name", str, required=False),
        )

        def anchors(self) -> list:
            return ["from the method", *(self.config["anchors"] or [])]

        @property
        def label(self) -> str:
            return self.config["label"] or "default label"

    widget = registry.build("shadowed", {"anchors": ["a.pem"], "name": "Shown to users"})
    assert widget.anchors() == ["from the method", "a.pem"]
    assert (widget.name, widget.config["name"]) == ("shadowed", "Shown to users")
    assert widget.label == "default label"
