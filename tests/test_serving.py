"""Serving: the health check, production settings, static files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_checks_the_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_says_when_the_database_is_down(db, monkeypatch):
    from django.db import DatabaseError, connection

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken)
        response = Client().get("/healthz")
    assert response.status_code == 503


def django_setup(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DJANGO_SECRET_KEY", "KMS_ROOT_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG",
                          "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60)


PROD = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k3y-" + "".join(map(chr, range(65, 123))),
        "KMS_ROOT_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "ALLOWED_HOSTS": "kms.example.com"}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "KMS_ROOT_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    done = django_setup({k: v for k, v in PROD.items() if k != missing})
    assert done.returncode != 0
    assert f"{missing} must be set when DJANGO_DEBUG is off" in done.stderr


def test_production_settings_are_secure():
    done = django_setup({**PROD, "DJANGO_DEBUG": "0"})
    assert done.returncode == 0, done.stderr
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_CONTENT_TYPE_NOSNIFF, "
            "s.X_FRAME_OPTIONS, s.DEBUG)")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                         env={**os.environ, **PROD}, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "True True True True DENY False"


def test_a_bad_setting_fails_loudly():
    done = django_setup({**PROD, "KMS_DEFAULT_KEY_QUOTA": "twenty"})
    assert done.returncode != 0
    assert "KMS_DEFAULT_KEY_QUOTA must be an integer" in done.stderr


def test_static_files_are_served_without_a_build_step(db):
    response = Client().get("/static/console/console.css")
    assert response.status_code == 200
    response = Client().get("/static/django_htmx/htmx-2.min.js")
    assert response.status_code == 200


def test_pages_load_nothing_from_the_network(alice_client):
    html = alice_client.get("/keys/").content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html and 'src="//' not in html
    assert "/static/django_htmx/htmx-2" in html
