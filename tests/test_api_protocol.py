"""The wire protocol: JSON 1.1 framing, request ids, typed errors, SigV4 refusals."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from kms import operations as ops
from kms.api.views import AUTH_FAILURE, SIGNATURE_MISMATCH
from tests.conftest import error_of, signed_post


@pytest.fixture
def client():
    return Client()


def test_a_signed_request_succeeds_with_both_request_id_headers(client, alice_creds):
    response = signed_post(client, alice_creds, "ListKeys", {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-amz-json-1.1"
    assert uuid.UUID(response["x-amz-requestid"])
    assert response["x-amzn-RequestId"] == response["x-amz-requestid"]
    assert json.loads(response.content)["Keys"][0]["KeyId"] == alice_creds.account.default_key_id


def test_an_empty_body_means_no_parameters(client, alice_creds):
    assert signed_post(client, alice_creds, "ListKeys", b"").status_code == 200


def test_unknown_parameters_are_ignored(client, alice_creds):
    response = signed_post(client, alice_creds, "ListKeys", {"Foo": "bar"})
    assert response.status_code == 200


def test_actions_without_output_answer_an_empty_object(client, alice_creds):
    key_id = ops.create_key(alice_creds.account)["KeyId"]
    response = signed_post(client, alice_creds, "DisableKey", {"KeyId": key_id})
    assert (response.status_code, response.content) == (200, b"{}")


def test_get_with_the_apis_headers_is_a_serialization_error(client, alice_creds):
    response = signed_post(client, alice_creds, "ListKeys", b"", method="GET")
    assert error_of(response)[:2] == (400, "SerializationException")


def test_get_without_the_apis_headers_is_the_console(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_unknown_target_is_an_unknown_operation(client, alice_creds):
    assert error_of(signed_post(client, alice_creds, "DeleteEverything"))[:2] == (
        400, "UnknownOperationException")
    assert error_of(signed_post(client, alice_creds, "Other.ListKeys"))[:2] == (
        400, "UnknownOperationException")
    assert error_of(signed_post(client, alice_creds, None))[:2] == (
        400, "UnknownOperationException")


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"{not json", b"\xff\xfe", b"null"])
def test_a_body_that_is_not_a_json_object_is_refused(client, alice_creds, body):
    assert error_of(signed_post(client, alice_creds, "ListKeys", body))[:2] == (
        400, "SerializationException")


@pytest.mark.parametrize(("target", "body", "message"), [
    ("ListKeys", {"Limit": "10"}, "Invalid type, Limit must be a integer"),
    ("DescribeKey", {"KeyId": 12345678}, "Invalid type, KeyId must be a string"),
    ("CreateKey", {"Description": ["x"]}, "Invalid type, Description must be a string"),
    ("CreateKey", {"Tags": "AAAA"}, "Invalid type, Tags must be a list"),
    ("TagResource", {"KeyId": "{default}", "Tags": [1]},
     "Invalid type, Tags[] must be a object"),
    ("Encrypt", {"KeyId": "{default}", "Plaintext": 42},
     "Invalid type, Plaintext must be a binary"),
    ("Encrypt", {"KeyId": "{default}", "Plaintext": "eA==", "EncryptionContext": ["a"]},
     "Invalid type, EncryptionContext must be a map"),
])
def test_a_field_of_the_wrong_type_is_a_typed_error(client, alice_creds, target, body, message):
    body = {k: alice_creds.account.default_key_id if v == "{default}" else v
            for k, v in body.items()}
    assert error_of(signed_post(client, alice_creds, target, body)) == (
        400, "KMSClientException", message)


def test_no_credentials_is_an_auth_failure(client, db):
    assert error_of(signed_post(client, None, "ListKeys")) == (401, "AuthFailure", AUTH_FAILURE)


def test_an_unreadable_authorization_is_an_auth_failure(client, db):
    response = signed_post(client, None, "ListKeys", headers={"Authorization": "Basic abc"})
    assert error_of(response) == (401, "AuthFailure", AUTH_FAILURE)


class Unknown:
    access_key = "AKUNKNOWN00000000000"
    secret_key = "S" * 40


@pytest.mark.parametrize("case", ["unknown key", "wrong secret", "changed body", "stale date",
                                  "future date", "service s3", "other region"])
def test_a_wrong_signature_is_refused(client, alice_creds, case):
    kwargs = {}
    creds = alice_creds
    if case == "unknown key":
        creds = Unknown()
    elif case == "wrong secret":
        kwargs["secret_key"] = "X" * 40
    elif case == "changed body":
        kwargs["tamper_body"] = b'{"Limit": 1}'
    elif case == "stale date":
        kwargs["when"] = datetime.now(UTC) - timedelta(minutes=16)
    elif case == "future date":
        kwargs["when"] = datetime.now(UTC) + timedelta(minutes=16)
    elif case == "service s3":
        kwargs["service"] = "s3"
    elif case == "other region":
        kwargs["region"] = "us-east-2"
    response = signed_post(client, creds, "ListKeys", {}, **kwargs)
    assert error_of(response) == (403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)


def test_a_date_14_minutes_off_is_accepted(client, alice_creds):
    when = datetime.now(UTC) - timedelta(minutes=14)
    assert signed_post(client, alice_creds, "ListKeys", {}, when=when).status_code == 200


def test_a_deleted_access_key_is_refused(client, alice_creds):
    ops.delete_access_key(alice_creds.account, access_key_id=alice_creds.access_key)
    assert signed_post(client, alice_creds, "ListKeys").status_code == 403


def test_the_api_sets_no_session_or_csrf_cookie(client, alice_creds):
    response = signed_post(client, alice_creds, "CreateKey", {"Description": "x"})
    assert response.status_code == 200
    assert not response.cookies


def test_an_unexpected_error_is_a_json_500(client, alice_creds, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(ops, "list_keys", boom)
    response = signed_post(client, alice_creds, "ListKeys")
    status, code, message = error_of(response)
    assert (status, code) == (500, "KMSServerException")
    assert "secret detail" not in message


def call_wsgi(environ_extra: dict, body: bytes = b"") -> tuple[str, dict, bytes]:
    """Call the WSGI application gunicorn serves, with no Django test client between."""
    import io

    from console.wsgi import application

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "",
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
               "HTTP_HOST": "testserver", **environ_extra}
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    content = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], content


def signed_environ(creds, target: str, body: bytes) -> dict:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    request = AWSRequest(method="POST", url="http://testserver/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{target}"})
    SigV4Auth(BotoCredentials(creds.access_key, creds.secret_key), "kms", "eu-west-2").add_auth(
        request)
    environ = {"CONTENT_TYPE": "application/x-amz-json-1.1"}
    for name, value in request.headers.items():
        if name.lower() != "content-type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def test_the_wsgi_entry_serves_the_api_without_django(alice_creds):
    body = json.dumps({"KeyId": alice_creds.account.default_key_id}).encode()
    status, headers, content = call_wsgi(signed_environ(alice_creds, "DescribeKey", body), body)
    assert status == "200 OK"
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["x-amz-requestid"] == headers["x-amzn-RequestId"]
    assert int(headers["Content-Length"]) == len(content)
    assert json.loads(content)["KeyMetadata"]["KeyManager"] == "OKMS"


def test_the_wsgi_entry_answers_errors_in_json(alice_creds, db):
    status, _, content = call_wsgi({"HTTP_X_AMZ_TARGET": "TrentService.ListKeys"}, b"{}")
    assert status == "401 Unauthorized"
    assert json.loads(content)["__type"] == "AuthFailure"
    status, _, content = call_wsgi({"REQUEST_METHOD": "GET",
                                    "HTTP_X_AMZ_TARGET": "TrentService.ListKeys"})
    assert (status, json.loads(content)["__type"]) == ("400 Bad Request",
                                                       "SerializationException")


def test_the_wsgi_entry_leaves_the_console_to_django(db):
    status, headers, _ = call_wsgi({"REQUEST_METHOD": "GET", "PATH_INFO": "/keys/"})
    assert status.startswith("302")
    assert headers["Location"].startswith("/login/")


def test_a_body_over_a_megabyte_is_refused_unread_in_json(client, alice_creds):
    big = b'{"Description": "' + b"x" * (1 << 20) + b'"}'
    status, code, message = error_of(signed_post(client, alice_creds, "CreateKey", big))
    assert (status, code) == (400, "SerializationException")
    assert "larger than 1048576 bytes" in message
    status, _, content = call_wsgi({"HTTP_X_AMZ_TARGET": "TrentService.CreateKey",
                                    "CONTENT_LENGTH": str(len(big))}, big)
    assert status == "400 Bad Request"
    assert json.loads(content)["__type"] == "SerializationException"


def test_a_description_of_8192_escaped_emoji_fits(client, alice_creds):
    body = json.dumps({"Description": "🔑" * 8192}).encode()  # escaped: ~98 KB
    assert len(body) > 90_000
    response = signed_post(client, alice_creds, "CreateKey", body)
    assert response.status_code == 200
