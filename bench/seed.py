"""Fill the bench database: an API account, and two console accounts with 100 and
10,000 CMKs; print what the benchmark needs as JSON. Run with the server's environment."""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from kms import clock, keystore  # noqa: E402
from kms import operations as ops  # noqa: E402
from kms.models import Key, User  # noqa: E402


def console_account(name: str, n_keys: int, base: int) -> str:
    account = ops.create_account(email=f"{name}@bench.local", password="bench-password-1")
    account.key_quota = n_keys + 10
    account.save()
    start = clock.now() - timedelta(days=1)
    keys = []
    for i in range(n_keys - 1):
        key_id = f"cmk-{base + i:08x}"
        keys.append(Key(key_id=key_id, account=account, description=f"bench key {i}",
                        created_at=start + timedelta(seconds=i),
                        material=keystore.wrap(os.urandom(32), f"cmk:{key_id}:1")))
    Key.objects.bulk_create(keys, batch_size=1000)
    user = User.objects.get(email=f"{name}@bench.local")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


api = ops.create_account(email="api@bench.local", password="bench-password-1")
api.key_quota = 10_000_000
api.save()
new = ops.create_access_key(api)
key_id = ops.create_key(api, description="bench")["KeyId"]
print(json.dumps({
    "access_key": new.access_key_id,
    "secret_key": new.secret_key,
    "key_id": key_id,
    "session_100": console_account("small", 100, 0x10000000),
    "session_10000": console_account("big", 10_000, 0x20000000),
}))
