"""Input rules of the core, written once: both faces pass raw values through these.

Values arrive as plain Python (from JSON on the API, from form fields in the console);
every check raises a ``KmsError`` carrying the OKMS code and message.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from . import errors

DESCRIPTION_MAX = 8192
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_PER_KEY_MAX = 50
PLAINTEXT_MAX = 4096
CIPHERTEXT_MAX = 6144
RANDOM_BYTES_MAX = 1024
PENDING_WINDOW_MIN = 7
PENDING_WINDOW_MAX = 30
PENDING_WINDOW_DEFAULT = 30
LIST_LIMIT_MAX = 1000
LIST_LIMIT_DEFAULT = 100
KEY_USAGES = ("ENCRYPT_DECRYPT",)
ORIGINS = ("OKMS",)
KEY_SPECS = {"AES_128": 16, "AES_256": 32}

KEY_ID_RE = re.compile(r"cmk-[0-9a-f]{8}")
ARN_RE = re.compile(r"arn:aws:kms:(?P<region>[^:]*):(?P<account>[^:]*):key/(?P<key_id>.*)")


def text(value: Any, field: str, *, required: bool = False) -> str | None:
    """A free-text field. osc-cli sends numeric-looking values as JSON numbers, so an
    integer is read as its decimal text (``--Description 2024`` gives "2024")."""
    if value is None:
        if required:
            raise errors.MissingField(field)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise errors.InvalidType(field, "string")
    return value


def identifier(value: Any, field: str) -> str:
    """A required identifier (KeyId, DestinationKeyId): a non-empty string."""
    if value is None or value == "":
        raise errors.MissingField(field)
    if not isinstance(value, str):
        raise errors.InvalidType(field, "string")
    return value


def description(value: Any, *, required: bool = False, allow_empty: bool = True) -> str | None:
    """0–8192 Unicode characters, counted as characters (``é`` and an emoji are one).

    The console asks for 1–8192 (``allow_empty=False``), as the seed's Cockpit procedure
    says; the API accepts an empty description.
    """
    desc = text(value, "Description", required=required)
    if desc is None:
        return None
    if len(desc) > DESCRIPTION_MAX:
        raise errors.InvalidLength("Description", len(desc), 0, DESCRIPTION_MAX)
    if not allow_empty and desc == "":
        raise errors.EmptyParameter("Description")
    return desc


def choice(value: Any, field: str, allowed: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise errors.InvalidType(field, "string")
    if value not in allowed:
        raise errors.InvalidValue.choice(field, value, ", ".join(allowed))
    return value


def integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidType(field, "integer")
    return value


def tags(value: Any, *, field: str = "Tags", required: bool = False) -> list[tuple[str, str]]:
    """A list of ``{"TagKey", "TagValue"}``: key 1–128 characters, value 0–256, no
    ``aws:`` prefix, no key twice in one request."""
    if value is None:
        if required:
            raise errors.MissingField(field)
        return []
    if not isinstance(value, list):
        raise errors.InvalidType(field, "list")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict):
            raise errors.InvalidType(f"{field}[]", "object")
        key = text(item.get("TagKey"), "Tags[].TagKey", required=True)
        val = text(item.get("TagValue"), "Tags[].TagValue", required=True)
        out.append((tag_key(key), tag_value(val)))
        if key in seen:
            raise errors.TagError(f"Duplicate tag key: {key}", field=field)
        seen.add(key)
    if len(out) > TAGS_PER_KEY_MAX:
        raise errors.TagError(
            f"Too many tags: {len(out)}. A CMK can have at most {TAGS_PER_KEY_MAX} tags.",
            field=field,
        )
    return out


def tag_key(key: str) -> str:
    if not 1 <= len(key) <= TAG_KEY_MAX:
        raise errors.InvalidLength("TagKey", len(key), 1, TAG_KEY_MAX)
    if key.lower().startswith("aws:"):
        raise errors.TagError(f"Tag keys beginning with 'aws:' are reserved: {key}", field="Tags")
    return key


def tag_value(value: str) -> str:
    if len(value) > TAG_VALUE_MAX:
        raise errors.InvalidLength("TagValue", len(value), 0, TAG_VALUE_MAX)
    return value


def tag_keys(value: Any) -> list[str]:
    if value is None:
        raise errors.MissingField("TagKeys")
    if not isinstance(value, list):
        raise errors.InvalidType("TagKeys", "list")
    out = []
    for item in value:
        key = text(item, "TagKeys[]", required=True)
        if not 1 <= len(key) <= TAG_KEY_MAX:
            raise errors.InvalidLength("TagKey", len(key), 1, TAG_KEY_MAX)
        out.append(key)
    return out


def pending_window(value: Any) -> int:
    if value is None:
        return PENDING_WINDOW_DEFAULT
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not PENDING_WINDOW_MIN <= value <= PENDING_WINDOW_MAX
    ):
        raise errors.InvalidValue(
            f"Pending window must be between {PENDING_WINDOW_MIN} and {PENDING_WINDOW_MAX} days.",
            field="PendingWindowInDays",
        )
    return value


def list_limit(value: Any) -> int:
    if value is None:
        return LIST_LIMIT_DEFAULT
    value = integer(value, "Limit")
    if not 1 <= value <= LIST_LIMIT_MAX:
        raise errors.InvalidValue.choice("Limit", value, f"(1, {LIST_LIMIT_MAX})")
    return value


def number_of_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidValue.choice("NumberOfBytes", value, f"(1, {RANDOM_BYTES_MAX})")
    if not 1 <= value <= RANDOM_BYTES_MAX:
        raise errors.InvalidValue.choice("NumberOfBytes", value, f"(1, {RANDOM_BYTES_MAX})")
    return value


def data_key_size(key_spec: Any, n_bytes: Any) -> int:
    if key_spec is not None and n_bytes is not None:
        raise errors.InvalidCombination("KeySpec", "NumberOfBytes")
    if key_spec is not None:
        if not isinstance(key_spec, str) or key_spec not in KEY_SPECS:
            raise errors.InvalidValue.choice("KeySpec", key_spec, ", ".join(KEY_SPECS))
        return KEY_SPECS[key_spec]
    if n_bytes is not None:
        return number_of_bytes(n_bytes)
    raise errors.ClientError("Field KeySpec or NumberOfBytes is required", field="KeySpec")


def plaintext(value: Any) -> bytes:
    if value is None:
        raise errors.MissingField("Plaintext")
    if not isinstance(value, bytes | bytearray):
        raise errors.InvalidType("Plaintext", "binary")
    if len(value) == 0:
        raise errors.EmptyParameter("Plaintext")
    if len(value) > PLAINTEXT_MAX:
        raise errors.InvalidLength("Plaintext", len(value), 1, PLAINTEXT_MAX)
    return bytes(value)


def ciphertext(value: Any, field: str = "CiphertextBlob") -> bytes:
    if value is None:
        raise errors.MissingField(field)
    if not isinstance(value, bytes | bytearray):
        raise errors.InvalidType(field, "binary")
    if len(value) == 0:
        raise errors.EmptyParameter(field)
    if len(value) > CIPHERTEXT_MAX:
        raise errors.InvalidLength(field, len(value), 1, CIPHERTEXT_MAX)
    return bytes(value)


def context(value: Any, field: str = "EncryptionContext") -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.InvalidType(field, "map")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise errors.InvalidType(f"{field} entries", "string")
    return value


def base64_bytes(value: Any, field: str) -> Any:
    """Bytes from a base64 string, as the API and the console's base64 inputs carry
    them. Anything not a string is passed on for the field's own check to name."""
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise errors.KmsError(
            f"Value of parameter '{field}' is not valid base64", field=field,
            code="SerializationException",
        ) from None
