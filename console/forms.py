"""Form data of the console's dialogs.

These only read what was posted; every rule (lengths, tags, quota, base64) is checked by
the core, whose error is then shown beside the field it names.
"""

from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass, field

from django.http import QueryDict

from kms import validation
from kms.errors import KmsError

# Which console field shows an error the core reports for an OKMS field.
FIELD_OF = {
    "Description": "description",
    "Tags": "tags",
    "Tags[]": "tags",
    "Tags[].TagKey": "tags",
    "Tags[].TagValue": "tags",
    "TagKey": "tags",
    "TagValue": "tags",
    "PendingWindowInDays": "pending_window",
    "Plaintext": "plaintext",
    "CiphertextBlob": "ciphertext",
    "EncryptionContext": "context",
    "EncryptionContext entries": "context",
    "KeySpec": "key_spec",
    "NumberOfBytes": "key_spec",
}


@dataclass
class PairRows:
    """Editable key/value rows (tags, encryption context) that work without JavaScript:
    "Add" and "Remove" are submit buttons that come back with the rows changed."""

    prefix: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    # The row to focus when the form comes back after "Add".
    focus: int | None = None
    edited: bool = False

    @classmethod
    def read(cls, data: QueryDict, prefix: str) -> PairRows:
        keys, values = data.getlist(f"{prefix}_key"), data.getlist(f"{prefix}_value")
        rows = list(zip(keys, values, strict=False))
        pairs = cls(prefix, rows)
        if f"remove_{prefix}" in data:
            pairs.edited = True
            with contextlib.suppress(ValueError, IndexError):
                del rows[int(data[f"remove_{prefix}"])]
        if f"add_{prefix}" in data:
            pairs.edited = True
            rows.append(("", ""))
            pairs.focus = len(rows) - 1
        return pairs

    def filled(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.rows if k.strip() != "" or v != ""]

    def as_tags(self) -> list[dict]:
        """OKMS Tags; a value without a key is sent without one, so that the core names
        the missing field."""
        return [{"TagValue": v, **({"TagKey": k} if k.strip() else {})}
                for k, v in self.filled()]

    def as_context(self) -> dict[str, str]:
        return dict(self.filled())


@dataclass
class Form:
    errors: dict[str, str] = field(default_factory=dict)

    def add_error(self, exc: KmsError) -> None:
        self.errors[FIELD_OF.get(exc.field or "", "__all__")] = exc.message

    @property
    def non_field_error(self) -> str | None:
        return self.errors.get("__all__")


def _text(data: QueryDict, name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; count and keep them as LF.
    return data.get(name, "").replace("\r\n", "\n")


@dataclass
class CreateKeyForm(Form):
    description: str = ""
    tags: PairRows = field(default_factory=lambda: PairRows("tag"))

    @classmethod
    def from_post(cls, data: QueryDict) -> CreateKeyForm:
        return cls(description=_text(data, "description"), tags=PairRows.read(data, "tag"))

    @property
    def editing(self) -> bool:
        """True when the post only added or removed a row: nothing to submit yet."""
        return self.tags.edited


@dataclass
class CryptoForm(Form):
    """The Encrypt / Decrypt dialog: one of three operations, with a context."""

    operation: str = "encrypt"
    input_format: str = "text"
    plaintext: str = ""
    ciphertext: str = ""
    key_spec: str = "AES_256"
    context: PairRows = field(default_factory=lambda: PairRows("ctx"))

    OPERATIONS = ("encrypt", "decrypt", "generate-data-key")

    @classmethod
    def from_post(cls, data: QueryDict) -> CryptoForm:
        operation = data.get("operation", "encrypt")
        return cls(
            operation=operation if operation in cls.OPERATIONS else "encrypt",
            input_format="base64" if data.get("input_format") == "base64" else "text",
            plaintext=_text(data, "plaintext"),
            ciphertext=data.get("ciphertext", "").strip(),
            key_spec=data.get("key_spec", "AES_256"),
            context=PairRows.read(data, "ctx"),
        )

    @property
    def editing(self) -> bool:
        return self.context.edited

    def plaintext_bytes(self) -> bytes | None:
        if self.input_format == "base64":
            return validation.base64_bytes(self.plaintext, "Plaintext")
        return self.plaintext.encode("utf-8")

    def ciphertext_bytes(self) -> bytes | None:
        return validation.base64_bytes(self.ciphertext, "CiphertextBlob") or None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
