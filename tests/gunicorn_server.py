"""A real server for load, race and crash tests: gunicorn as shipped (gunicorn.conf.py,
two workers, production settings), on its own database: a SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROOT_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # test-only root key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """A database of the server's own, on the suite's engine."""

    def __init__(self, tmp: Path):
        db = settings.DATABASES["default"]
        self.postgres = db["ENGINE"].endswith("postgresql")
        if self.postgres:
            self.conn_args = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432,
                              "user": db["USER"], "password": db["PASSWORD"]}
            self.name = f"okms_srv_{secrets.token_hex(4)}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            a = self.conn_args
            self.url = (f"postgres://{a['user']}:{a['password']}@{a['host']}:{a['port']}/"
                        f"{self.name}")
        else:
            self.url = f"sqlite:///{tmp / 'server.sqlite3'}"

    def _admin(self, sql: str) -> None:
        import psycopg
        with psycopg.connect(dbname="postgres", autocommit=True, **self.conn_args) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Server:
    def __init__(self, tmp: Path, database: Database):
        self.tmp = tmp
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "gunicorn.log"
        self.proc: subprocess.Popen | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW")},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "KMS_ROOT_KEY": ROOT_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_COOKIES": "0",
            "DATABASE_URL": database.url,
            "KMS_DATA_DIR": str(tmp / "data"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESSLOG": "/dev/null",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def account(self, name: str, *, quota: int) -> tuple[str, str, str]:
        """A new account with an access key: (account id, access key, secret key)."""
        account_id = self.manage("createaccount", "--email", f"{name}@example.com",
                                 "--password", "pw-123456789", "--quota", str(quota))
        ak, sk = self.manage("createaccesskey", "--email", f"{name}@example.com").split()
        return account_id, ak, sk

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
