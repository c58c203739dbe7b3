"""Shared fixtures. Accounts are made through the core (``create_account``), so every
account has its default CMK exactly as users get it. Alice and Bob are two accounts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from kms import operations as ops
from kms.models import Account

# Playwright's sync API runs an event loop in the test thread; the ORM calls that tests
# make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery"
REGION = "eu-west-2"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def make_account(name: str, account_id: str | None = None) -> Account:
    return ops.create_account(
        email=f"{name}@example.com", password=PASSWORD, account_id=account_id, name=name
    )


@pytest.fixture
def alice(db) -> Account:
    return make_account("alice", "111111111111")


@pytest.fixture
def bob(db) -> Account:
    return make_account("bob", "222222222222")


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice.users.get())
    return client


@pytest.fixture
def bob_client(bob) -> Client:
    client = Client()
    client.force_login(bob.users.get())
    return client


class Credentials:
    def __init__(self, account: Account):
        new = ops.create_access_key(account)
        self.account = account
        self.access_key = new.access_key_id
        self.secret_key = new.secret_key


@pytest.fixture
def alice_creds(alice) -> Credentials:
    return Credentials(alice)


@pytest.fixture
def bob_creds(bob) -> Credentials:
    return Credentials(bob)


def boto3_client(url: str, creds: Credentials, *, validate: bool = False, region: str = REGION):
    """A real boto3 KMS client. Client-side validation is off by default so that the
    server's own answers to bad input are what the tests see."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "kms",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
    )


@pytest.fixture
def kms(live_server, alice_creds):
    return boto3_client(live_server.url, alice_creds)


@pytest.fixture
def kms_bob(live_server, bob_creds):
    return boto3_client(live_server.url, bob_creds)


class OscCli:
    """osc-cli (PyPI osc-sdk) run as a subprocess with a profile for the live server."""

    def __init__(self, home: Path, url: str, creds: Credentials):
        self.home = home
        (home / ".osc").mkdir(parents=True, exist_ok=True)
        (home / ".osc" / "config.json").write_text(json.dumps({"sandbox": {
            "access_key": creds.access_key, "secret_key": creds.secret_key,
            "region_name": REGION, "endpoint": url,
        }}))
        self.exe = shutil.which("osc-cli", path=str(Path(sys.executable).parent)) or "osc-cli"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "HOME": str(self.home)}
        return subprocess.run(
            [self.exe, "okms", *args, "--profile", "sandbox"],
            capture_output=True, text=True, env=env, timeout=60,
        )

    def json(self, *args: str) -> dict:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture
def osc(tmp_path, live_server, alice_creds) -> OscCli:
    return OscCli(tmp_path, live_server.url, alice_creds)


# --- browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is required for browser tests: {CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic",
                  "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, live_server, email: str = "alice@example.com") -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # PBKDF2 costs ~0.3 s a user; the tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every activity record written at once, so that tests see it (test_activity.py
    # covers the batched mode).
    settings.KMS_ACTIVITY_FLUSH_SECONDS = 0


def signed_post(client: Client, creds: Credentials | None, target: str | None, body=b"{}", *,
                region: str = REGION, service: str = "kms", when=None,
                headers: dict | None = None, tamper_body: bytes | None = None,
                secret_key: str | None = None, method: str = "POST"):
    """Sign a request with botocore's own SigV4 signer and send it through the test client.

    ``when`` signs at another time; ``tamper_body`` replaces the body after signing.
    """
    from unittest import mock

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    if isinstance(body, dict | list):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    hdrs = {"Content-Type": "application/x-amz-json-1.1", **(headers or {})}
    if target is not None:
        hdrs["X-Amz-Target"] = f"TrentService.{target}" if "." not in target else target
    request = AWSRequest(method=method, url="http://testserver/", data=body, headers=hdrs)
    if creds is not None:
        signer = SigV4Auth(BotoCredentials(creds.access_key, secret_key or creds.secret_key),
                           service, region)
        if when is not None:
            with mock.patch("botocore.auth.get_current_datetime", return_value=when):
                signer.add_auth(request)
        else:
            signer.add_auth(request)
    meta = {"HTTP_HOST": "testserver", "CONTENT_TYPE": hdrs["Content-Type"]}
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            continue
        meta[f"HTTP_{key}"] = value
    data = tamper_body if tamper_body is not None else body
    return client.generic(method, "/", data=data, content_type=hdrs["Content-Type"], **meta)


def error_of(response) -> tuple[int, str, str]:
    assert response["Content-Type"] == "application/x-amz-json-1.1"
    payload = json.loads(response.content)
    return response.status_code, payload["__type"], payload["message"]
