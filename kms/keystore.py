"""The root key, and wrapping of every secret the database holds.

The root key comes from ``KMS_ROOT_KEY`` (base64 of 32 bytes) or, in the sandbox, from a
key file created on first run with mode 0600. CMK material and access-key secrets are
stored only sealed under it, each bound to its owner's id so that a sealed value copied
onto another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import crypto


class RootKeyMismatch(RuntimeError):
    """The configured root key is not the one the stored secrets were sealed with."""


def _decode(raw: str, origin: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{origin} is not valid base64") from None
    if len(key) != crypto.KEY_BYTES:
        raise ImproperlyConfigured(
            f"{origin} must be the base64 of {crypto.KEY_BYTES} bytes, got {len(key)} bytes"
        )
    return key


@cache
def root_key() -> bytes:
    if settings.KMS_ROOT_KEY:
        return _decode(settings.KMS_ROOT_KEY, "KMS_ROOT_KEY")
    path = settings.KMS_ROOT_KEY_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.b64encode(crypto.new_key()).decode() + "\n")
    return _decode(path.read_text(), f"root key file {path}")


def wrap(secret: bytes, label: str) -> bytes:
    return crypto.seal(root_key(), secret, label.encode())


def unwrap(sealed: bytes, label: str) -> bytes:
    try:
        return crypto.unseal(root_key(), bytes(sealed), label.encode())
    except crypto.CryptoError:
        raise RootKeyMismatch(
            f"Stored secret {label!r} cannot be unwrapped: the root key (KMS_ROOT_KEY or "
            f"{settings.KMS_ROOT_KEY_FILE}) is not the one this database was created with"
        ) from None


def verify_root_key() -> None:
    """Fail loudly, before anything is served, when the root key cannot open what the
    database holds (another KMS_ROOT_KEY, a lost key file)."""
    from .models import Key

    key = Key.objects.order_by("id").only("key_id", "material", "material_version").first()
    if key is not None:
        unwrap(key.material, f"cmk:{key.key_id}:{key.material_version}")
