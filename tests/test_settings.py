"""Configuration comes only from the environment; bad values stop the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal import env

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789ABCDEF",
    "ALLOWED_HOSTS": "psc.example.eu",
    "DATABASE_URL": "sqlite:////tmp/psc-deploy-check.sqlite3",
}


def run_manage(args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_has_no_warnings():
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL"),
        ("CELERY_BROKER_URL", "kafka://localhost", "CELERY_BROKER_URL"),
        ("DJANGO_ENV", "staging", "DJANGO_ENV='staging' is not one of"),
        ("CACHE_URL", "memcached://x", "CACHE_URL"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT"),
        ("STORAGE_BACKEND", "ftp", "STORAGE_BACKEND"),
    ],
)
def test_bad_configuration_stops_with_a_message_naming_the_variable(variable, value, message):
    result = run_manage(["check"], {variable: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = run_manage(["check"], {**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_manage(["check"], {**PRODUCTION_ENV, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_s3_storage_is_selected_by_environment():
    code = (
        "from django.conf import settings; import django; django.setup();"
        "from django.core.files.storage import storages;"
        "s = storages['private']; print(type(s).__name__, s.location, s.bucket_name, s.default_acl)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "psc-files",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "private", "psc-files", "private"]


class TestEnvHelpers:
    def test_bool(self, monkeypatch):
        monkeypatch.setenv("X_FLAG", "Yes")
        assert env.env_bool("X_FLAG") is True
        monkeypatch.setenv("X_FLAG", "off")
        assert env.env_bool("X_FLAG", default=True) is False
        monkeypatch.setenv("X_FLAG", "maybe")
        with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a yes/no value"):
            env.env_bool("X_FLAG")

    def test_int_with_minimum(self, monkeypatch):
        monkeypatch.setenv("X_NUMBER", "-3")
        with pytest.raises(ImproperlyConfigured, match="below the minimum"):
            env.env_int("X_NUMBER", 1, minimum=0)
        monkeypatch.delenv("X_NUMBER")
        assert env.env_int("X_NUMBER", 7) == 7

    def test_list(self, monkeypatch):
        monkeypatch.setenv("X_HOSTS", " a.eu, ,b.eu ")
        assert env.env_list("X_HOSTS") == ["a.eu", "b.eu"]
