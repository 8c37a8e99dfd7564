"""``manage.py as4 build`` / ``as4 inspect --json``, run as an operator would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import VECTORS
from .pki import p12_bytes, pem

ROOT = Path(__file__).resolve().parents[2]
REPORT_KEYS = {
    "kind",
    "accepted",
    "signature_valid",
    "references",
    "signer",
    "key_reference",
    "message_id",
    "ref_to_message_id",
    "payloads",
    "error_code",
    "detail",
}


def as4(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "as4", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def inspect_json(*args: str) -> dict:
    run = as4("inspect", *args, "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) == REPORT_KEYS
    return report


@pytest.fixture(scope="module")
def files(tmp_path_factory, pki):
    folder = tmp_path_factory.mktemp("as4cli")
    (folder / "sender.p12").write_bytes(p12_bytes(pki.sender, "s3cret"))
    (folder / "receiver.p12").write_bytes(p12_bytes(pki.receiver, "r3cret"))
    (folder / "receiver.pem").write_bytes(pem(pki.receiver.certificate))
    (folder / "root.pem").write_bytes(pem(pki.root.certificate))
    (folder / "intermediate.pem").write_bytes(pem(pki.intermediate.certificate))
    (folder / "dossier.asice").write_bytes(os.urandom(30_000))
    (folder / "summary.xml").write_bytes(b"<summary>ok</summary>")
    run = as4(
        "build",
        "--payload",
        str(folder / "dossier.asice"),
        "--payload",
        str(folder / "summary.xml"),
        "--sign-key",
        str(folder / "sender.p12"),
        "--sign-key-password",
        "s3cret",
        "--to-cert",
        str(folder / "receiver.pem"),
        "--out",
        str(folder / "message.as4"),
    )
    assert run.returncode == 0, run.stderr
    folder.joinpath("message_id").write_text(run.stdout.strip())
    return folder


def test_build_then_inspect_with_key_and_trust(files):
    report = inspect_json(
        str(files / "message.as4"),
        "--key",
        str(files / "receiver.p12"),
        "--key-password",
        "r3cret",
        "--trust",
        str(files / "root.pem"),
        "--trust",
        str(files / "intermediate.pem"),
    )
    assert report["kind"] == "user_message" and report["accepted"] is True
    assert report["signature_valid"] is True and report["error_code"] is None
    assert report["message_id"] == (files / "message_id").read_text()
    assert report["signer"] == "CN=portal access point,O=PSC test PKI,C=EU"
    assert report["key_reference"] == "BST"
    assert len(report["references"]) == 4 and all(r["valid"] for r in report["references"])
    assert [(p["mime_type"], p["size"]) for p in report["payloads"]] == [
        ("application/vnd.etsi.asic-e+zip", 30_000),
        ("application/xml", len(b"<summary>ok</summary>")),
    ]


def test_inspect_without_key_reports_what_it_could_not_decrypt(files):
    report = inspect_json(
        str(files / "message.as4"),
        "--trust",
        str(files / "root.pem"),
        "--trust",
        str(files / "intermediate.pem"),
    )
    assert report["accepted"] is False and report["error_code"] is None
    assert report["signature_valid"] is None  # the attachment digests need the plaintext
    assert [r["valid"] for r in report["references"][:2]] == [True, True]
    assert "not decrypted" in report["detail"]
    assert all(p["size"] is None for p in report["payloads"])


def test_inspect_as_of_a_time_after_expiry(files):
    report = inspect_json(
        str(files / "message.as4"),
        "--key",
        str(files / "receiver.p12"),
        "--key-password",
        "r3cret",
        "--trust",
        str(files / "root.pem"),
        "--trust",
        str(files / "intermediate.pem"),
        "--at",
        "2099-01-01T00:00:00Z",
    )
    assert (
        report["accepted"] is False and report["error_code"] == "EBMS:0101" and "expired" in report["detail"]
    )


def test_inspect_a_foreign_receipt_and_a_tampered_one():
    good = inspect_json(str(VECTORS / "phase4/helger.as4in"), "--at", "2022-03-07T17:36:50Z")
    assert good["kind"] == "receipt" and good["signature_valid"] is True
    assert good["ref_to_message_id"] == "3b3775c9-e88d-47f9-be5a-8e045ca2bc07@phase4"
    assert good["error_code"] == "EBMS:0101" and "truststore" in good["detail"]  # no --trust: not accepted
    bad = inspect_json(str(VECTORS / "phase4/dataport1.as4in"))
    assert bad["accepted"] is False and bad["error_code"] == "EBMS:0101"
    assert [r["valid"] for r in bad["references"]] == [False, True]


def test_inspect_garbage_is_a_verdict_not_a_crash(tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(2000))
    report = inspect_json(str(garbage))
    assert report["accepted"] is False and report["error_code"].startswith("EBMS:")


def test_unreadable_message_exits_2(tmp_path):
    run = as4("inspect", str(tmp_path / "missing.as4"), "--json")
    assert run.returncode == 2 and "cannot read" in run.stderr


def test_human_output(files):
    run = as4(
        "inspect",
        str(files / "message.as4"),
        "--trust",
        str(files / "root.pem"),
        "--trust",
        str(files / "intermediate.pem"),
    )
    assert run.returncode == 0
    assert "NOT ACCEPTED" in run.stdout and "n/c cid:" in run.stdout
