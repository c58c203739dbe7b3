"""The one hierarchy of errors the core raises.

Each carries the OKMS ``code`` (the ``__type`` of the wire API), the exact ``message`` of
``shared/okms-api.md`` and, when the mistake is in one input, the ``field`` it concerns so
that the console can show it beside that field. Both faces show ``message`` verbatim.
Messages never contain plaintext, key material or secrets.
"""

from __future__ import annotations


class KmsError(Exception):
    code = "KMSClientException"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ClientError(KmsError):
    code = "KMSClientException"


class MissingField(ClientError):
    def __init__(self, field: str):
        super().__init__(f"Field {field} is required", field=field)


class InvalidType(ClientError):
    def __init__(self, field: str, expected: str):
        super().__init__(f"Invalid type, {field} must be a {expected}", field=field)


class MalformedKeyId(KmsError):
    code = "InvalidCustomerMasterKeyID.Malformed"

    def __init__(self, key_id: str):
        super().__init__(f"Invalid ID received: {key_id}. Expected format: cmk-", field="KeyId")


class NotFound(KmsError):
    code = "NotFoundException"

    def __init__(self, key_id: str):
        super().__init__(f"The customer master key does not exist: {key_id}", field="KeyId")


class InvalidLength(KmsError):
    code = "InvalidParameterValueLength"

    def __init__(self, field: str, length: int, low: int, high: int):
        super().__init__(
            f"Length of parameter '{field}' is invalid: {length}. Expected: {{({low}, {high})}}.",
            field=field,
        )


class EmptyParameter(KmsError):
    code = "MissingParameter"

    def __init__(self, field: str):
        super().__init__(f"Parameter cannot be empty: {field}", field=field)


class InvalidValue(KmsError):
    code = "InvalidParameterValue"

    @classmethod
    def choice(cls, field: str, value: object, supported: str) -> InvalidValue:
        return cls(
            f"Value of parameter '{field}' is not valid: {value}. Supported values: {supported}",
            field=field,
        )


class InvalidCombination(KmsError):
    code = "InvalidParameterCombination"

    def __init__(self, *fields: str, at_most: int = 1):
        super().__init__(
            f"These parameters cannot be provided together: {', '.join(fields)}. "
            f"Expected at most: {at_most}",
            field=fields[0],
        )


class InvalidState(KmsError):
    code = "KMSInvalidStateException"

    def __init__(self, key_id: str, state: str):
        super().__init__(f"Invalid state to perform this action: {key_id}. State: {state}")


class Disabled(KmsError):
    code = "DisabledException"

    def __init__(self, key_id: str):
        super().__init__(f"The customer master key is disabled: {key_id}")


class Unsupported(KmsError):
    code = "UnsupportedOperationException"


class LimitExceeded(KmsError):
    code = "LimitExceededException"


class TagError(KmsError):
    code = "TagException"


class InvalidCiphertext(KmsError):
    code = "InvalidCiphertextException"

    def __init__(self) -> None:
        # Deliberately the same text for every cause: a bad blob, another account's,
        # a deleted key's or a wrong context must not be told apart.
        super().__init__("Cryptographic operation failed in cipher operation")


class IncorrectKey(KmsError):
    code = "IncorrectKeyException"

    def __init__(self) -> None:
        super().__init__(
            "The key ID in the request does not identify the CMK that encrypted the ciphertext."
        )


class InvalidMarker(KmsError):
    code = "InvalidMarkerException"

    def __init__(self) -> None:
        super().__init__("The marker is not valid", field="Marker")
