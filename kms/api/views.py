"""The wire face: AWS JSON 1.1 over ``POST /``, signed with SigV4.

It reads the request, authenticates the access key, turns the JSON body into the core's
arguments, and the core's result or error back into JSON. It decides nothing else.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kms import clock, errors, keystore, validation
from kms import operations as ops

from . import sigv4

log = logging.getLogger("kms.api")

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "TrentService."

AUTH_FAILURE = (
    "Outscale was not able to validate the provided access credentials. "
    "Invalid login/password or password has expired."
)
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- argument helpers ------------------------------------------------------------------


def _b64in(body: dict, field: str) -> Any:
    return validation.base64_bytes(body.get(field), field)


def _b64out(result: dict) -> dict:
    return {
        k: base64.b64encode(val).decode() if isinstance(val, bytes) else val
        for k, val in result.items()
    }


def _none(_: Any) -> dict:
    return {}


Handler = Callable[[Any, dict, ops.Actor], dict]

ACTIONS: dict[str, Handler] = {
    "CreateKey": lambda a, b, who: {"KeyMetadata": ops.create_key(
        a, actor=who, description=b.get("Description"), key_usage=b.get("KeyUsage"),
        origin=b.get("Origin"), tags=b.get("Tags"))},
    "DescribeKey": lambda a, b, who: {"KeyMetadata": ops.describe_key(
        a, actor=who, key_id=b.get("KeyId"))},
    "ListKeys": lambda a, b, who: ops.list_keys(
        a, actor=who, limit=b.get("Limit"), marker=b.get("Marker")),
    "EnableKey": lambda a, b, who: _none(ops.enable_key(a, actor=who, key_id=b.get("KeyId"))),
    "DisableKey": lambda a, b, who: _none(ops.disable_key(a, actor=who, key_id=b.get("KeyId"))),
    "UpdateKeyDescription": lambda a, b, who: _none(ops.update_key_description(
        a, actor=who, key_id=b.get("KeyId"), description=b.get("Description"))),
    "ScheduleKeyDeletion": lambda a, b, who: ops.schedule_key_deletion(
        a, actor=who, key_id=b.get("KeyId"),
        pending_window_in_days=b.get("PendingWindowInDays")),
    "CancelKeyDeletion": lambda a, b, who: ops.cancel_key_deletion(
        a, actor=who, key_id=b.get("KeyId")),
    "TagResource": lambda a, b, who: _none(ops.tag_resource(
        a, actor=who, key_id=b.get("KeyId"), tags=b.get("Tags"))),
    "UntagResource": lambda a, b, who: _none(ops.untag_resource(
        a, actor=who, key_id=b.get("KeyId"), tag_keys=b.get("TagKeys"))),
    "ListResourceTags": lambda a, b, who: ops.list_resource_tags(
        a, actor=who, key_id=b.get("KeyId")),
    "Encrypt": lambda a, b, who: _b64out(ops.encrypt(
        a, actor=who, key_id=b.get("KeyId"), plaintext=_b64in(b, "Plaintext"),
        encryption_context=b.get("EncryptionContext"))),
    "Decrypt": lambda a, b, who: _b64out(ops.decrypt(
        a, actor=who, ciphertext_blob=_b64in(b, "CiphertextBlob"),
        encryption_context=b.get("EncryptionContext"), key_id=b.get("KeyId"))),
    "ReEncrypt": lambda a, b, who: _b64out(ops.re_encrypt(
        a, actor=who, ciphertext_blob=_b64in(b, "CiphertextBlob"),
        destination_key_id=b.get("DestinationKeyId"),
        source_encryption_context=b.get("SourceEncryptionContext"),
        destination_encryption_context=b.get("DestinationEncryptionContext"),
        source_key_id=b.get("SourceKeyId"))),
    "GenerateDataKey": lambda a, b, who: _b64out(ops.generate_data_key(
        a, actor=who, key_id=b.get("KeyId"), key_spec=b.get("KeySpec"),
        number_of_bytes=b.get("NumberOfBytes"),
        encryption_context=b.get("EncryptionContext"))),
    "GenerateDataKeyWithoutPlaintext": lambda a, b, who: _b64out(
        ops.generate_data_key_without_plaintext(
            a, actor=who, key_id=b.get("KeyId"), key_spec=b.get("KeySpec"),
            number_of_bytes=b.get("NumberOfBytes"),
            encryption_context=b.get("EncryptionContext"))),
    "GenerateRandom": lambda a, b, who: _b64out(ops.generate_random(
        a, actor=who, number_of_bytes=b.get("NumberOfBytes"))),
}


# --- the endpoint ----------------------------------------------------------------------


# The largest body the API reads. The largest legitimate one is a description of 8192
# characters, each escaped by the client as a surrogate pair: about 100 KB.
MAX_BODY = 1 << 20


@dataclass(frozen=True)
class ApiRequest:
    """What the endpoint reads of an HTTP request, whichever server delivered it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes | None  # None: larger than MAX_BODY, left unread


def content_length(headers: dict[str, str]) -> int:
    try:
        return max(int(headers.get("content-length") or 0), 0)
    except ValueError:
        return 0


@dataclass
class ApiResponse:
    status: int
    payload: dict
    request_id: str

    def content(self) -> bytes:
        return json.dumps(self.payload, separators=(",", ":")).encode()

    def header_items(self) -> list[tuple[str, str]]:
        return [("Content-Type", CONTENT_TYPE), ("x-amz-requestid", self.request_id),
                ("x-amzn-RequestId", self.request_id)]


def headers_from_environ(environ: dict) -> dict[str, str]:
    out = {}
    for name, value in environ.items():
        if name.startswith("HTTP_"):
            out[name[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        out["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        out["content-length"] = environ["CONTENT_LENGTH"]
    return out


def _authenticate(request: ApiRequest):
    found: dict[str, Any] = {}

    def secret_for(access_key_id: str) -> str | None:
        found_key = ops.access_key_and_secret(access_key_id)
        if found_key is None:
            return None
        found["ak"], secret = found_key
        return secret

    try:
        sigv4.verify(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            region=settings.KMS_REGION,
            service="kms",
            now=clock.now(),
            max_skew=settings.KMS_MAX_CLOCK_SKEW,
            secret_for=secret_for,
        )
    except sigv4.NoCredentials:
        raise ApiError(401, "AuthFailure", AUTH_FAILURE) from None
    except sigv4.BadSignature as exc:
        log.info("signature refused: %s", exc)
        raise ApiError(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH) from None
    return found["ak"]


def _parse_body(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "SerializationException", "The request body is not valid JSON"
        ) from None
    if not isinstance(parsed, dict):
        raise ApiError(400, "SerializationException", "The request body must be a JSON object")
    return parsed


def handle(request: ApiRequest) -> ApiResponse:
    """Authenticate, dispatch to the core, and turn its answer or error into JSON."""
    request_id = str(uuid.uuid4())

    def error(status: int, code: str, message: str) -> ApiResponse:
        return ApiResponse(status, {"__type": code, "message": message}, request_id)

    try:
        if request.method != "POST":
            raise ApiError(
                400, "SerializationException", f"The API accepts only POST, not {request.method}"
            )
        if request.body is None:
            raise ApiError(400, "SerializationException",
                           f"The request body is larger than {MAX_BODY} bytes")
        access_key = _authenticate(request)
        target = request.headers.get("x-amz-target", "")
        action = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
        handler = ACTIONS.get(action or "")
        if handler is None:
            raise ApiError(400, "UnknownOperationException",
                           f"Unknown operation: {target[:100] or '(no X-Amz-Target)'}")
        params = _parse_body(request.body)
        ops.touch_access_key(access_key)
        actor = ops.Actor.api(access_key.access_key_id, request_id)
        return ApiResponse(200, handler(access_key.account, params, actor), request_id)
    except ApiError as exc:
        return error(exc.status, exc.code, exc.message)
    except errors.KmsError as exc:
        return error(exc.status, exc.code, exc.message)
    except keystore.RootKeyMismatch:
        log.exception("root key mismatch (request %s)", request_id)
        return error(500, "KMSServerException",
                     "The server cannot unwrap its stored keys: its root key is wrong")
    except Exception:
        log.exception("internal error (request %s)", request_id)
        return error(500, "KMSServerException", "Internal server error")


def endpoint(request: HttpRequest) -> HttpResponse:
    """The endpoint as a Django view (the test client, runserver, live_server)."""
    headers = headers_from_environ(request.META)
    answer = handle(ApiRequest(
        method=request.method or "", path=request.path,
        query=request.META.get("QUERY_STRING", ""), headers=headers,
        body=request.body if content_length(headers) <= MAX_BODY else None))
    response = HttpResponse(answer.content(), status=answer.status,
                            content_type=CONTENT_TYPE)
    for name, value in answer.header_items()[1:]:
        response[name] = value
    return response
