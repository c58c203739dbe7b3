"""Pure cryptography of the core: no Django, no database.

* ``seal``/``unseal``: AES-256-GCM with a fresh 96-bit random nonce per call; the sealed
  form is ``nonce || ciphertext || tag``.
* Ciphertext blobs handed to clients are self-describing (see ``encode_blob``).
* The encryption context is bound as additional authenticated data through
  ``encode_context``, a canonical and unambiguous encoding.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
BLOB_VERSION = 1


class CryptoError(Exception):
    """Authentication failed or the input is not of the expected shape."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError("sealed data too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise CryptoError("authentication failed") from None


def encode_context(context: dict[str, str] | None) -> bytes:
    """Canonical bytes of an encryption context.

    Pairs are sorted by the UTF-8 bytes of their key, and every key and value is
    length-prefixed, so ``{"ab": "c"}`` and ``{"a": "bc"}`` encode differently while the
    order in which a client lists the pairs does not matter. No context and ``{}`` are
    the same context, as in AWS KMS.
    """
    items = sorted(
        ((k.encode("utf-8"), v.encode("utf-8")) for k, v in (context or {}).items()),
    )
    out = [b"ctx1", struct.pack(">I", len(items))]
    for k, v in items:
        out += [struct.pack(">I", len(k)), k, struct.pack(">I", len(v)), v]
    return b"".join(out)


@dataclass(frozen=True)
class Blob:
    key_id: str
    material_version: int
    header: bytes
    sealed: bytes


def blob_header(key_id: str, material_version: int) -> bytes:
    kid = key_id.encode("ascii")
    return struct.pack(">BB", BLOB_VERSION, len(kid)) + kid + struct.pack(">I", material_version)


def encode_blob(key_id: str, material_version: int, key: bytes, plaintext: bytes,
                context: dict[str, str] | None) -> bytes:
    """A ciphertext blob.

    Layout: ``version (1 byte) | len(KeyId) (1) | KeyId (ASCII) | material version
    (4, big-endian) | nonce (12) | ciphertext | GCM tag (16)``. The header (everything
    before the nonce) and the canonical context are the additional data, so changing
    any byte of the blob or any pair of the context makes decryption fail.
    """
    header = blob_header(key_id, material_version)
    return header + seal(key, plaintext, header + encode_context(context))


def parse_blob(blob: bytes) -> Blob:
    if len(blob) < 2 or blob[0] != BLOB_VERSION:
        raise CryptoError("unknown blob version")
    n = blob[1]
    end = 2 + n + 4
    if len(blob) < end + NONCE_BYTES + TAG_BYTES:
        raise CryptoError("blob too short")
    try:
        key_id = blob[2 : 2 + n].decode("ascii")
    except UnicodeDecodeError:
        raise CryptoError("bad key id") from None
    (version,) = struct.unpack(">I", blob[2 + n : end])
    return Blob(key_id=key_id, material_version=version, header=blob[:end], sealed=blob[end:])


def open_blob(blob: Blob, key: bytes, context: dict[str, str] | None) -> bytes:
    return unseal(key, blob.sealed, blob.header + encode_context(context))
