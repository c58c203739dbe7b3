"""Encrypt, Decrypt, ReEncrypt, data keys and random bytes over the wire with boto3."""

import base64
import os

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

pytestmark = pytest.mark.live


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def key_id(kms):
    return kms.create_key(Description="crypto")["KeyMetadata"]["KeyId"]


@pytest.mark.parametrize("size", [1, 4096])
def test_boto3_round_trip(kms, key_id, size):
    data = os.urandom(size)
    out = kms.encrypt(KeyId=key_id, Plaintext=data, EncryptionContext={"a": "1", "b": "2"})
    assert out["KeyId"] == key_id
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"],
                       EncryptionContext={"b": "2", "a": "1"})
    assert (back["Plaintext"], back["KeyId"]) == (data, key_id)


def test_boto3_refuses_4097_bytes(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4097)
    assert code(excinfo) == "InvalidParameterValueLength"


def test_boto3_context_and_key_errors(kms, key_id, alice):
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"ab": "c"})[
        "CiphertextBlob"]
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "bc"})
    assert code(excinfo) == "InvalidCiphertextException"
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"ab": "c"},
                    KeyId=alice.default_key_id)
    assert code(excinfo) == "IncorrectKeyException"
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"ab": "c"})
    assert code(excinfo) == "DisabledException"


def test_boto3_envelope_encryption(kms, key_id):
    dk = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    nonce = os.urandom(12)
    sealed = AESGCM(dk["Plaintext"]).encrypt(nonce, b"a large file" * 1000, None)
    encrypted_key = dk["CiphertextBlob"]
    del dk
    data_key = kms.decrypt(CiphertextBlob=encrypted_key)["Plaintext"]
    assert AESGCM(data_key).decrypt(nonce, sealed, None) == b"a large file" * 1000


def test_boto3_data_key_without_plaintext_and_random(kms, key_id):
    out = kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=64)
    assert "Plaintext" not in out
    assert len(kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"]) == 64
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024


def test_boto3_re_encrypt(kms, key_id, alice):
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"move me")["CiphertextBlob"]
    out = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=alice.default_key_id,
                         DestinationEncryptionContext={"to": "default"})
    assert (out["SourceKeyId"], out["KeyId"]) == (key_id, alice.default_key_id)
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"],
                       EncryptionContext={"to": "default"})
    assert back["Plaintext"] == b"move me"


def test_the_wire_never_echoes_a_plaintext_in_an_error(kms, key_id):
    secret = b"VERY-SECRET-VALUE-" * 300  # over 4096 bytes
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=secret)
    body = str(excinfo.value.response)
    assert "VERY-SECRET" not in body
    assert base64.b64encode(secret)[:40].decode() not in body


def test_invalid_base64_is_a_serialization_error(live_server, alice_creds):
    from django.test import Client

    from tests.conftest import error_of, signed_post
    response = signed_post(Client(), alice_creds, "Encrypt",
                           {"KeyId": alice_creds.account.default_key_id,
                            "Plaintext": "***not base64***"})
    status, kind, message = error_of(response)
    assert (status, kind) == (400, "SerializationException")
    assert "not base64" not in message
