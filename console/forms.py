"""Form data of the console's dialogs.

These only read what was posted; every rule (lengths, tags, quota) is checked by the core,
whose error is then shown beside the field it names.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.http import QueryDict

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
}


@dataclass
class Form:
    errors: dict[str, str] = field(default_factory=dict)

    def add_error(self, exc: KmsError) -> None:
        self.errors[FIELD_OF.get(exc.field or "", "__all__")] = exc.message

    @property
    def non_field_error(self) -> str | None:
        return self.errors.get("__all__")


@dataclass
class TagRows(Form):
    rows: list[tuple[str, str]] = field(default_factory=list)
    # Which field gets the focus when the form comes back: the new tag row after
    # "Add tag", the description otherwise.
    focus_tag: int | None = None

    def read_tags(self, data: QueryDict) -> None:
        keys, values = data.getlist("tag_key"), data.getlist("tag_value")
        rows = list(zip(keys, values, strict=False))
        if "remove_tag" in data:
            with contextlib.suppress(ValueError, IndexError):
                del rows[int(data["remove_tag"])]
        if "add_tag" in data:
            rows.append(("", ""))
            self.focus_tag = len(rows) - 1
        self.rows = rows

    @property
    def editing(self) -> bool:
        """True when the post only added or removed a tag row: nothing to submit yet."""
        return self._editing

    def tags(self) -> list[dict]:
        """The rows as OKMS Tags; a row left blank on both sides is ignored, a value
        without a key is sent without one so that the core names the missing field."""
        out = []
        for key, value in self.rows:
            if key.strip() == "" and value == "":
                continue
            tag = {"TagValue": value}
            if key.strip() != "":
                tag["TagKey"] = key
            out.append(tag)
        return out


@dataclass
class CreateKeyForm(TagRows):
    description: str = ""
    _editing: bool = False

    @classmethod
    def from_post(cls, data: QueryDict) -> CreateKeyForm:
        form = cls(description=data.get("description", "").replace("\r\n", "\n"))
        form.read_tags(data)
        form._editing = "add_tag" in data or "remove_tag" in data
        return form
