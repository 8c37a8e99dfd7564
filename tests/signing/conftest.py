from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from portal.demo.qtsp import pki as test_pki
from tests.fixtures.processes import answers, free_port, serving

from .pki import SigningPKI, build_pki


@pytest.fixture(scope="session")
def pki() -> SigningPKI:
    return build_pki()


@dataclass
class RunningQTSP:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pki(self) -> test_pki.TestPKI:
        return test_pki.load(test_pki.folder_for(django_settings.STORAGE_ROOT, self.url))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def test_qtsp(tmp_path_factory) -> Iterator[RunningQTSP]:
    """``manage.py run_test_qtsp`` as a real process on a free loopback port, PKI under STORAGE_ROOT."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("qtsp") / "test-qtsp.log"
    env = {**os.environ, "STORAGE_ROOT": str(django_settings.STORAGE_ROOT), "PYTHONUNBUFFERED": "1"}
    try:
        with serving(
            [sys.executable, "manage.py", "run_test_qtsp", "--port", str(port)],
            name="the test QTSP",
            ready=answers(f"{url}/csc/v2/info"),
            log_path=log_path,
            env=env,
        ) as process:
            yield RunningQTSP(url, process, log_path)
    finally:
        shutil.rmtree(test_pki.folder_for(django_settings.STORAGE_ROOT, url), ignore_errors=True)


@pytest.fixture
def qtsp_signer(test_qtsp, settings, monkeypatch) -> RunningQTSP:
    """The running test QTSP as the configured default signer, here and in worker processes."""
    settings.SIGNING_TEST_QTSP_URL = test_qtsp.url
    settings.SIGNING_SIGNERS = {"test-qtsp": {"class": "test-qtsp", "service_url": test_qtsp.url}}
    settings.SIGNING_DEFAULT_SIGNER = "test-qtsp"
    monkeypatch.setenv("SIGNING_TEST_QTSP_URL", test_qtsp.url)
    return test_qtsp
