"""Account B's credentials never reach account A's keys, by id or by ARN."""

import pytest
from botocore.exceptions import ClientError

from kms import operations as ops

pytestmark = pytest.mark.live

ACTIONS = {
    "describe_key": {},
    "enable_key": {},
    "disable_key": {},
    "update_key_description": {"Description": "hijacked"},
    "schedule_key_deletion": {"PendingWindowInDays": 7},
    "cancel_key_deletion": {},
    "tag_resource": {"Tags": [{"TagKey": "k", "TagValue": "v"}]},
    "untag_resource": {"TagKeys": ["k"]},
    "list_resource_tags": {},
    "encrypt": {"Plaintext": b"x"},
    "generate_data_key": {"KeySpec": "AES_256"},
    "generate_data_key_without_plaintext": {"KeySpec": "AES_128"},
}


@pytest.mark.parametrize("form", ["id", "arn"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_another_accounts_key_is_not_found(kms_bob, alice, action, form):
    key_id = ops.create_key(alice, description="alice only")["KeyId"]
    ref = key_id if form == "id" else ops.key_arn(alice, key_id)
    with pytest.raises(ClientError) as excinfo:
        getattr(kms_bob, action)(KeyId=ref, **ACTIONS[action])
    err = excinfo.value.response["Error"]
    assert (err["Code"], err["Message"]) == (
        "NotFoundException", f"The customer master key does not exist: {ref}")
    meta = ops.describe_key(alice, key_id=key_id)
    assert (meta["KeyState"], meta["Description"]) == ("Enabled", "alice only")


def test_an_arn_naming_bobs_account_with_alices_key_is_not_found(kms_bob, alice, bob):
    key_id = ops.create_key(alice)["KeyId"]
    forged = ops.key_arn(bob, key_id)
    with pytest.raises(ClientError) as excinfo:
        kms_bob.describe_key(KeyId=forged)
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"


def test_list_keys_never_shows_another_accounts_keys(kms, kms_bob, alice, bob):
    for _ in range(5):
        ops.create_key(alice)
    mine = {k["KeyId"] for k in kms_bob.list_keys()["Keys"]}
    assert mine == {bob.default_key_id}
    assert len(kms.list_keys()["Keys"]) == 6


def test_another_accounts_ciphertext_does_not_decrypt(kms, kms_bob, alice):
    blob = kms.encrypt(KeyId=alice.default_key_id, Plaintext=b"alice's secret")["CiphertextBlob"]
    with pytest.raises(ClientError) as excinfo:
        kms_bob.decrypt(CiphertextBlob=blob)
    err = excinfo.value.response["Error"]
    assert (err["Code"], err["Message"]) == (
        "InvalidCiphertextException", "Cryptographic operation failed in cipher operation")
    with pytest.raises(ClientError) as excinfo:
        kms_bob.re_encrypt(CiphertextBlob=blob, DestinationKeyId=alice.default_key_id)
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"
