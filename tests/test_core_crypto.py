"""Encrypt, decrypt and data keys in the core: blobs, contexts, states, accounts."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kms import crypto, errors, keystore
from kms import operations as ops
from kms.models import Key


@pytest.fixture
def key_id(alice):
    return ops.create_key(alice, description="crypto")["KeyId"]


def enc(account, key_id, data=b"secret", ctx=None):
    return ops.encrypt(account, key_id=key_id, plaintext=data,
                       encryption_context=ctx)["CiphertextBlob"]


def dec(account, blob, ctx=None, **kwargs):
    return ops.decrypt(account, ciphertext_blob=blob, encryption_context=ctx, **kwargs)


@pytest.mark.parametrize("size", [1, 4096])
def test_round_trips_at_1_and_4096_bytes(alice, key_id, size):
    data = os.urandom(size)
    out = dec(alice, enc(alice, key_id, data))
    assert out == {"KeyId": key_id, "Plaintext": data}


def test_4097_bytes_are_refused(alice, key_id):
    with pytest.raises(errors.InvalidLength) as excinfo:
        enc(alice, key_id, b"x" * 4097)
    assert excinfo.value.message == (
        "Length of parameter 'Plaintext' is invalid: 4097. Expected: {(1, 4096)}.")


def test_the_same_plaintext_encrypts_differently_each_time(alice, key_id):
    assert enc(alice, key_id) != enc(alice, key_id)


def test_every_flipped_byte_of_a_blob_is_refused(alice, key_id):
    blob = enc(alice, key_id, b"x", {"purpose": "test"})
    for i in range(len(blob)):
        changed = bytearray(blob)
        changed[i] ^= 0x01
        with pytest.raises(errors.InvalidCiphertext):
            dec(alice, bytes(changed), {"purpose": "test"})
    # A truncated or extended blob too.
    for bad in (blob[:-1], blob + b"\x00", blob[:20], b""):
        with pytest.raises((errors.InvalidCiphertext, errors.EmptyParameter)):
            dec(alice, bad, {"purpose": "test"})


def test_the_blob_names_its_key_and_material_version(alice, key_id):
    parsed = crypto.parse_blob(enc(alice, key_id))
    assert (parsed.key_id, parsed.material_version) == (key_id, 1)


def test_pairs_in_another_order_decrypt(alice, key_id):
    blob = enc(alice, key_id, ctx={"a": "1", "b": "2", "c": "3"})
    assert dec(alice, blob, {"c": "3", "a": "1", "b": "2"})["Plaintext"] == b"secret"


@pytest.mark.parametrize(("made_with", "given"), [
    ({"ab": "c"}, {"a": "bc"}),
    ({"a": "bc"}, {"ab": "c"}),
    ({"a": "1", "b": "2"}, {"a": "1"}),                # missing pair
    ({"a": "1"}, {"a": "1", "b": "2"}),                # extra pair
    ({"a": "1"}, {"A": "1"}),                          # case of a key
    ({"a": "x"}, {"a": "X"}),                          # case of a value
    ({"a": "1"}, {}),                                  # no context at all
    ({}, {"a": "1"}),
    ({"a": "1", "b": ""}, {"a": "1"}),                 # an empty value still counts
    ({"k\x00": "v"}, {"k": "\x00v"}),
])
def test_a_different_context_is_refused(alice, key_id, made_with, given):
    blob = enc(alice, key_id, ctx=made_with)
    with pytest.raises(errors.InvalidCiphertext) as excinfo:
        dec(alice, blob, given)
    assert excinfo.value.message == "Cryptographic operation failed in cipher operation"


def test_context_encoding_is_canonical_and_unambiguous():
    assert crypto.encode_context({"a": "1", "b": "2"}) == crypto.encode_context(
        {"b": "2", "a": "1"})
    assert crypto.encode_context({"ab": "c"}) != crypto.encode_context({"a": "bc"})
    assert crypto.encode_context(None) == crypto.encode_context({})


def test_a_disabled_key_neither_encrypts_nor_decrypts(alice, key_id):
    blob = enc(alice, key_id)
    ops.disable_key(alice, key_id=key_id)
    with pytest.raises(errors.Disabled):
        enc(alice, key_id)
    with pytest.raises(errors.Disabled):
        dec(alice, blob)
    with pytest.raises(errors.Disabled):
        ops.generate_data_key(alice, key_id=key_id, key_spec="AES_256")
    ops.enable_key(alice, key_id=key_id)
    assert dec(alice, blob)["Plaintext"] == b"secret"


def test_a_key_pending_deletion_neither_encrypts_nor_decrypts(alice, key_id):
    blob = enc(alice, key_id)
    ops.schedule_key_deletion(alice, key_id=key_id, pending_window_in_days=7)
    for call in (lambda: enc(alice, key_id), lambda: dec(alice, blob),
                 lambda: ops.generate_data_key_without_plaintext(alice, key_id=key_id,
                                                                 number_of_bytes=8)):
        with pytest.raises(errors.InvalidState) as excinfo:
            call()
        assert excinfo.value.message == (
            f"Invalid state to perform this action: {key_id}. State: PendingDeletion")


def test_a_deleted_keys_blobs_never_decrypt_again(alice, key_id):
    blob = enc(alice, key_id)
    ops.schedule_key_deletion(alice, key_id=key_id, pending_window_in_days=7)
    Key.objects.filter(key_id=key_id).update(
        deletion_date=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(errors.InvalidCiphertext):
        dec(alice, blob)
    assert ops.purge_expired_keys() == [key_id]
    with pytest.raises(errors.InvalidCiphertext):
        dec(alice, blob)


def test_another_accounts_blob_is_an_invalid_ciphertext(alice, bob, key_id):
    blob = enc(alice, key_id)
    with pytest.raises(errors.InvalidCiphertext) as excinfo:
        dec(bob, blob)
    assert key_id not in excinfo.value.message


def test_a_key_id_that_is_not_the_blobs_is_an_incorrect_key(alice, key_id):
    blob = enc(alice, key_id)
    with pytest.raises(errors.IncorrectKey):
        dec(alice, blob, key_id=alice.default_key_id)
    assert dec(alice, blob, key_id=key_id)["KeyId"] == key_id
    assert dec(alice, blob, key_id=ops.key_arn(alice, key_id))["KeyId"] == key_id


def test_no_error_message_contains_the_plaintext(alice, key_id):
    secret = b"TOP-SECRET-PLAINTEXT"
    blob = enc(alice, key_id, secret, {"k": "v"})
    messages = []
    for call in (lambda: dec(alice, blob, {"k": "w"}),
                 lambda: enc(alice, key_id, secret * 300),
                 lambda: dec(alice, blob[:-3])):
        with pytest.raises(errors.KmsError) as excinfo:
            call()
        messages.append(excinfo.value.message)
    assert not any("TOP-SECRET" in m for m in messages)


def test_envelope_encryption_the_way_users_do_it(alice, key_id, tmp_path):
    # 1. Ask for a data key: its plaintext and its copy encrypted under the CMK.
    dk = ops.generate_data_key(alice, key_id=key_id, key_spec="AES_256",
                               encryption_context={"file": "report.pdf"})
    assert len(dk["Plaintext"]) == 32
    # 2. Encrypt a file locally with the plaintext data key.
    document = os.urandom(100_000)
    nonce = os.urandom(12)
    (tmp_path / "report.enc").write_bytes(nonce + AESGCM(dk["Plaintext"]).encrypt(
        nonce, document, None))
    (tmp_path / "report.key").write_bytes(dk["CiphertextBlob"])
    # 3. Throw the plaintext key away.
    del dk
    # 4. Later: decrypt the encrypted data key with OKMS, then the file.
    data_key = dec(alice, (tmp_path / "report.key").read_bytes(),
                   {"file": "report.pdf"})["Plaintext"]
    sealed = (tmp_path / "report.enc").read_bytes()
    assert AESGCM(data_key).decrypt(sealed[:12], sealed[12:], None) == document


@pytest.mark.parametrize(("spec", "n", "size"), [("AES_128", None, 16), ("AES_256", None, 32),
                                                 (None, 1, 1), (None, 1024, 1024)])
def test_data_key_sizes(alice, key_id, spec, n, size):
    dk = ops.generate_data_key(alice, key_id=key_id, key_spec=spec, number_of_bytes=n)
    assert len(dk["Plaintext"]) == size
    assert dec(alice, dk["CiphertextBlob"])["Plaintext"] == dk["Plaintext"]
    without = ops.generate_data_key_without_plaintext(alice, key_id=key_id, key_spec=spec,
                                                      number_of_bytes=n)
    assert "Plaintext" not in without
    assert len(dec(alice, without["CiphertextBlob"])["Plaintext"]) == size


def test_re_encrypt_moves_a_blob_to_another_key_and_context(alice, key_id):
    blob = enc(alice, key_id, b"moving", {"from": "a"})
    out = ops.re_encrypt(alice, ciphertext_blob=blob, source_encryption_context={"from": "a"},
                         destination_key_id=alice.default_key_id,
                         destination_encryption_context={"to": "b"})
    assert (out["SourceKeyId"], out["KeyId"]) == (key_id, alice.default_key_id)
    assert dec(alice, out["CiphertextBlob"], {"to": "b"})["Plaintext"] == b"moving"


@pytest.mark.parametrize("n", [1, 1024])
def test_generate_random(alice, n):
    assert len(ops.generate_random(alice, number_of_bytes=n)["Plaintext"]) == n


def test_a_blob_over_6144_bytes_is_refused(alice):
    with pytest.raises(errors.InvalidLength):
        dec(alice, b"\x01" * 6145)


def test_a_wrong_root_key_is_a_clear_error_never_garbage(alice, key_id, settings):
    blob = enc(alice, key_id)
    import base64
    settings.KMS_ROOT_KEY = base64.b64encode(b"\x42" * 32).decode()
    keystore.root_key.cache_clear()
    try:
        with pytest.raises(keystore.RootKeyMismatch, match="root key"):
            dec(alice, blob)
        with pytest.raises(keystore.RootKeyMismatch):
            keystore.verify_root_key()
    finally:
        keystore.root_key.cache_clear()


@pytest.mark.parametrize("raw", ["not base64!", "c2hvcnQ=", ""])
def test_a_malformed_root_key_setting_is_refused(settings, raw):
    from django.core.exceptions import ImproperlyConfigured
    settings.KMS_ROOT_KEY = raw or "AAAA"
    keystore.root_key.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="KMS_ROOT_KEY"):
            keystore.root_key()
    finally:
        keystore.root_key.cache_clear()
