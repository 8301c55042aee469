"""The real settings module (not the test overrides), loaded in fresh subprocesses.

Settings are read once per process, so each case starts its own interpreter with
exactly the environment it describes and nothing inherited from the test run.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds for one subprocess

# Variables the settings module reads; none may leak in from the caller's environment.
SETTINGS_VARIABLES = (
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "ACCOUNT_EMAIL_VERIFICATION",
)


def _env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SETTINGS_VARIABLES and not key.startswith(("CELERY_", "HYBRIDMD_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hybridmd.config.settings",
        HYBRIDMD_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(overrides)
    return env


def _production_env(tmp_path: Path) -> dict[str, str]:
    return _env(
        tmp_path,
        HYBRIDMD_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        ALLOWED_HOSTS="hybridmd.example.kr",
    )


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _settings_json(env: dict[str, str], body: str) -> dict[str, object]:
    """Set Django up in a fresh interpreter, run ``body`` and return its ``result`` dict."""
    code = "\n".join(
        [
            "import json, django",
            "django.setup()",
            "from django.conf import settings",
            body,
            "print(json.dumps(result))",
        ]
    )
    done = _run(["-c", code], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict), result
    return result


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = _env(tmp_path, HYBRIDMD_ENV="production", ALLOWED_HOSTS="hybridmd.example.kr")
    done = _run(["-c", "import django; django.setup()"], env)
    assert done.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY must be set" in done.stderr


def test_production_refuses_the_development_secret_key(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    env["SECRET_KEY"] = "insecure-development-key-never-use-in-production"
    done = _run(["-c", "import django; django.setup()"], env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_production_passes_the_deployment_checklist(tmp_path: Path) -> None:
    done = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_hashes_passwords_with_argon2(tmp_path: Path) -> None:
    reply = _settings_json(
        _production_env(tmp_path),
        "from django.contrib.auth.hashers import make_password\n"
        "result = {'first': settings.PASSWORD_HASHERS[0],"
        " 'encoded': make_password('correct horse battery staple')}",
    )
    assert reply["first"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert str(reply["encoded"]).startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("redis_url", "broker", "backend_scheme"),
    [
        ("", "filesystem://", "file://"),
        ("redis://x:6379/0", "redis://x:6379/0", "redis://x:6379/0"),
    ],
    ids=["embedded", "redis"],
)
def test_broker_follows_redis_url(
    tmp_path: Path, redis_url: str, broker: str, backend_scheme: str
) -> None:
    env = _env(tmp_path, REDIS_URL=redis_url)
    reply = _settings_json(
        env,
        "from hybridmd.config.celery import app\n"
        "result = {'settings': settings.CELERY_BROKER_URL,"
        " 'backend': settings.CELERY_RESULT_BACKEND,"
        " 'app': app.conf.broker_url}",
    )
    assert reply["settings"] == broker
    assert reply["app"] == broker
    assert str(reply["backend"]).startswith(backend_scheme)
