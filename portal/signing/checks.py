"""System checks (``manage.py check``, and at every start): the configured signers must exist.

A signer configured with a class no installed app registers (e.g. ``test-qtsp`` without the demo
app) is reported here, before anyone tries to sign with it, rather than when settings are read."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error

from portal.signing.signers import SignerConfigurationError, signers


def check_signers(app_configs=None, **kwargs) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name, config in settings.SIGNING_SIGNERS.items():
        if not isinstance(config, dict):
            errors.append(Error(f"SIGNING_SIGNERS[{name!r}] must be an object", id="signing.E001"))
            continue
        try:
            signers.from_setting(config, default_name=name)
        except SignerConfigurationError as error:
            errors.append(Error(f"SIGNING_SIGNERS[{name!r}]: {error}", id="signing.E001"))
    default = settings.SIGNING_DEFAULT_SIGNER
    if default and default not in settings.SIGNING_SIGNERS:
        errors.append(
            Error(
                f"SIGNING_DEFAULT_SIGNER {default!r} is not configured in SIGNING_SIGNERS "
                f"({sorted(settings.SIGNING_SIGNERS)})",
                id="signing.E002",
            )
        )
    return errors
