"""Production runs without the demo: no portal.demo app, no test QTSP, and no building block imports it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SECRET_KEY", "SIGNING_", "PORTAL_DEMO", "STORAGE_"))
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789ABCDEF",
        "ALLOWED_HOSTS": "psc.example.eu",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "STORAGE_ROOT": str(tmp_path / "storage"),
        **extra,
    }


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_production_checks_and_serves_without_the_demo(tmp_path):
    result = run_python(
        "import json, django\n"
        "from django.core.management import call_command\n"
        "import portal.wsgi\n"  # django.setup() and the WSGI handler, as gunicorn loads them
        "from django.apps import apps\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "call_command('check')\n"
        "call_command('migrate', verbosity=0)\n"
        "response = Client().get('/healthz', HTTP_HOST='psc.example.eu', secure=True)\n"
        "print(json.dumps({\n"
        "    'demo_installed': apps.is_installed('portal.demo'),\n"
        "    'demo_in_settings': 'portal.demo' in settings.INSTALLED_APPS,\n"
        "    'signers': settings.SIGNING_SIGNERS,\n"
        "    'status': response.status_code,\n"
        "    'health': response.json()['checks'],\n"
        "    'handler': type(portal.wsgi.application).__name__,\n"
        "}))\n",
        production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["demo_installed"] is False
    assert outcome["demo_in_settings"] is False
    assert outcome["signers"] == {}
    assert outcome["handler"] == "WSGIHandler"
    assert outcome["status"] == 200, outcome
    assert outcome["health"]["database"]["ok"] is True


def test_production_check_names_a_signer_no_installed_app_provides(tmp_path):
    env = production_env(
        tmp_path, SIGNING_SIGNERS='{"qtsp": {"class": "test-qtsp", "service_url": "http://127.0.0.1:9"}}'
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode != 0
    assert "signing.E001" in result.stderr and "no signer named 'test-qtsp'" in result.stderr


def test_production_refuses_the_demo_switch(tmp_path):
    result = run_python("import django; django.setup()", production_env(tmp_path, PORTAL_DEMO="1"))
    assert result.returncode != 0
    assert "PORTAL_DEMO=1 cannot be combined with DJANGO_ENV=production" in result.stderr


def imported_modules(source: str, package: str) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in ``source`` names, relative ones resolved
    against ``package`` (the package the module is in)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                module = ".".join([*parts[: len(parts) - node.level + 1], *([module] if module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def demo_imports(path: Path) -> list[str]:
    package = ".".join(path.relative_to(ROOT).parts[:-1])
    found = imported_modules(path.read_text(encoding="utf-8"), package)
    return sorted(name for name in found if name == "portal.demo" or name.startswith("portal.demo."))


ALLOWED_TO_IMPORT_DEMO = {ROOT / "portal" / "settings.py", ROOT / "portal" / "urls.py"}


@pytest.mark.parametrize("top", ["portal", "procedures"])
def test_no_building_block_imports_the_demo(top):
    offenders = [
        f"{path.relative_to(ROOT)}: {', '.join(found)}"
        for path in sorted((ROOT / top).rglob("*.py"))
        if path not in ALLOWED_TO_IMPORT_DEMO
        and ROOT / "portal" / "demo" not in path.parents
        and (found := demo_imports(path))
    ]
    assert not offenders, "building blocks must not import portal.demo:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        "from portal.demo import catalogue",
        "import portal.demo.qtsp.pki",
        "from portal import demo",
        "from ..demo.signers import TestQTSPSigner",
        "def later():\n    from portal.demo.catalogue import ensure_catalogue",
    ],
)
def test_the_import_scan_sees_every_form_of_demo_import(source):
    names = imported_modules(source, "portal.core")
    assert any(name == "portal.demo" or name.startswith("portal.demo.") for name in names), names
