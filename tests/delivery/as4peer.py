"""The live interop peer: the PyPI package ``as4`` in a virtualenv of its own, run as a subprocess.

``as4`` 0.2.0 pins cryptography<47 and the portal locks 50, so it cannot share the test
interpreter. The virtualenv is made once from ``as4-peer-requirements.txt`` (hash-pinned,
``pip install --require-hashes``) under ``var/as4-peer/<hash of that file>/`` and reused by later
runs until the file changes. ``as4_peer.py`` runs in it; requests and answers are JSON.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from portal.delivery.as4.keys import KeyPair

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "as4-peer-requirements.txt"
SCRIPT = HERE / "as4_peer.py"
CACHE = HERE.parent.parent / "var" / "as4-peer"
INSTALL_TIMEOUT = 600


class PeerUnavailable(RuntimeError):
    """The peer's virtualenv could not be made (no registry, no Python 3.11 venv, a hash mismatch)."""


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PeerUnavailable(f"{what} failed: {error}") from error
    if done.returncode != 0:
        raise PeerUnavailable(
            f"{what} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-4000:]}"
        )


def ensure_venv(cache: Path = CACHE) -> Path:
    """The peer's python, making its virtualenv first when this requirements file has none yet.

    Several test processes may ask at once: a file lock lets one build while the others wait, and
    the folder only gets its final name once the install succeeded.
    """
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    target = cache / digest
    python = target / "bin" / "python"
    if python.exists():
        return python
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists():
            return python
        building = cache / f"{digest}.building"
        shutil.rmtree(building, ignore_errors=True)
        # the test interpreter is the project's Python 3.11; venv bases the new one on its base install
        _run([sys.executable, "-m", "venv", str(building)], "creating the peer's Python 3.11 virtualenv")
        _run(
            [
                str(building / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--no-input", "--require-hashes", "-r", str(REQUIREMENTS),
            ],
            f"installing the as4 peer from the package registry ({REQUIREMENTS.name})",
        )  # fmt: skip
        # only `bin/python` is used, which (unlike the venv's scripts) works from the renamed folder
        building.rename(target)
    return python


def pem_key(key: KeyPair) -> str:
    return key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def pem_certificate(key: KeyPair) -> str:
    return key.certificate.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class As4Peer:
    python: Path
    setup_seconds: float

    def call(self, command: str, **request: object) -> dict:
        done = subprocess.run(
            [str(self.python), str(SCRIPT)],
            input=json.dumps({"command": command, **request}),
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": ""},
        )
        if done.returncode != 0:
            raise AssertionError(f"the as4 peer crashed on {command!r}:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout)


def start_peer() -> As4Peer:
    started = time.monotonic()
    python = ensure_venv()
    return As4Peer(python, time.monotonic() - started)
