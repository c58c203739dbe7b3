"""boto3 against a live server: every action, the error rows of okms-api.md, paging, and
the key-state matrix cell by cell."""

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from kms import operations as ops
from kms.models import Key

pytestmark = pytest.mark.live


def error(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def make_key(kms, **kwargs) -> str:
    return kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]


# --- every action ------------------------------------------------------------------------


def test_create_key_returns_the_seeds_metadata(kms, alice):
    meta = kms.create_key(Description="DESCRIPTION",
                          Tags=[{"TagKey": "AAAA", "TagValue": "BBBB"}])["KeyMetadata"]
    assert meta["Origin"] == "OKMS"
    assert meta["KeyManager"] == "CUSTOMER"
    assert meta["Enabled"] is True
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeyState"] == "Enabled"
    assert meta["Description"] == "DESCRIPTION"
    assert "DeletionDate" not in meta  # null on the wire: botocore drops it
    assert meta["AWSAccountId"] == "111111111111"
    assert meta["Arn"] == f"arn:aws:kms:eu-west-2:111111111111:key/{meta['KeyId']}"
    assert abs(meta["CreationDate"] - datetime.now(UTC)) < timedelta(minutes=1)
    assert kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"] == [
        {"TagKey": "AAAA", "TagValue": "BBBB"}]


def test_describe_key_by_id_and_by_arn(kms, alice):
    key_id = make_key(kms, Description="d")
    by_id = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    by_arn = kms.describe_key(KeyId=by_id["Arn"])["KeyMetadata"]
    assert by_id == by_arn
    assert by_id["KeyId"] == key_id


def test_the_default_cmk_is_managed_by_okms(kms, alice):
    meta = kms.describe_key(KeyId=alice.default_key_id)["KeyMetadata"]
    assert meta["KeyManager"] == "OKMS"
    assert meta["KeyState"] == "Enabled"


def test_a_new_account_lists_exactly_its_default_cmk(kms, alice):
    listed = kms.list_keys()
    assert listed["Keys"] == [{
        "KeyId": alice.default_key_id,
        "KeyArn": f"arn:aws:kms:eu-west-2:111111111111:key/{alice.default_key_id}",
    }]
    assert listed["Truncated"] is False
    assert "NextMarker" not in listed


def test_list_keys_pages_over_250_keys(kms, alice):
    alice.key_quota = 300
    alice.save()
    created = {ops.create_key(alice)["KeyId"] for _ in range(250)}
    seen, marker, pages = [], None, 0
    while True:
        kwargs = {"Limit": 100, **({"Marker": marker} if marker else {})}
        page = kms.list_keys(**kwargs)
        pages += 1
        seen += [k["KeyId"] for k in page["Keys"]]
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 251
    assert set(seen) == created | {alice.default_key_id}
    # boto3's own paginator agrees.
    pager = kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 60})
    assert sum(len(p["Keys"]) for p in pager) == 251


@pytest.mark.parametrize(("limit", "ok"), [(1, True), (1000, True), (0, False), (1001, False)])
def test_list_keys_limit_is_1_to_1000(kms, alice, limit, ok):
    if ok:
        assert len(kms.list_keys(Limit=limit)["Keys"]) == 1
    else:
        with pytest.raises(ClientError) as excinfo:
            kms.list_keys(Limit=limit)
        assert error(excinfo)[0] == "InvalidParameterValue"


def test_a_forged_marker_is_refused(kms, alice):
    with pytest.raises(ClientError) as excinfo:
        kms.list_keys(Marker="not-a-marker")
    assert error(excinfo)[0] == "InvalidMarkerException"


def test_enable_and_disable(kms, alice):
    key_id = make_key(kms)
    assert kms.disable_key(KeyId=key_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)
    kms.enable_key(KeyId=key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


def test_update_key_description(kms, alice):
    key_id = make_key(kms, Description="before")
    kms.update_key_description(KeyId=key_id, Description="after é🔑")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "after é🔑"
    kms.update_key_description(KeyId=key_id, Description="")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == ""


@pytest.mark.parametrize("days", [7, 30, None])
def test_schedule_key_deletion(kms, alice, days):
    key_id = make_key(kms)
    before = datetime.now(UTC)
    kwargs = {"PendingWindowInDays": days} if days else {}
    answer = kms.schedule_key_deletion(KeyId=key_id, **kwargs)
    assert answer["KeyId"] == key_id
    expected = before + timedelta(days=days or 30)
    assert abs(answer["DeletionDate"] - expected) < timedelta(minutes=1)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"
    assert meta["Enabled"] is False
    assert meta["DeletionDate"] == answer["DeletionDate"]


@pytest.mark.parametrize("days", [6, 31, 0, -1])
def test_the_waiting_period_is_7_to_30_days(kms, alice, days):
    key_id = make_key(kms)
    with pytest.raises(ClientError) as excinfo:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    assert error(excinfo) == ("InvalidParameterValue",
                              "Pending window must be between 7 and 30 days.")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_cancel_key_deletion_leaves_the_key_disabled(kms, alice):
    key_id = make_key(kms)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == key_id
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled"
    assert "DeletionDate" not in meta


def test_a_key_past_its_deletion_date_is_gone(kms, alice):
    key_id = make_key(kms)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    Key.objects.filter(key_id=key_id).update(
        deletion_date=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId=key_id)
    assert error(excinfo) == ("NotFoundException",
                              f"The customer master key does not exist: {key_id}")
    assert key_id not in [k["KeyId"] for k in kms.list_keys()["Keys"]]
    assert not Key.objects.filter(key_id=key_id).exists()


def test_tags_add_overwrite_list_and_remove(kms, alice):
    key_id = make_key(kms)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "1"},
                                         {"TagKey": "b", "TagValue": "2"}])
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "changed"}])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [
        {"TagKey": "a", "TagValue": "changed"}, {"TagKey": "b", "TagValue": "2"}]
    kms.untag_resource(KeyId=key_id, TagKeys=["a", "missing"])
    listed = kms.list_resource_tags(KeyId=key_id)
    assert listed["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    assert listed["Truncated"] is False


def test_a_key_can_hold_50_tags_and_no_more(kms, alice):
    key_id = make_key(kms)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": f"k{i}", "TagValue": ""}
                                         for i in range(50)])
    with pytest.raises(ClientError) as excinfo:
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "one-more", "TagValue": ""}])
    assert error(excinfo)[0] == "TagException"
    # Overwriting an existing key is still allowed at 50.
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "k0", "TagValue": "new"}])
    assert len(kms.list_resource_tags(KeyId=key_id)["Tags"]) == 50


def test_encrypt_decrypt_round_trip(kms, alice):
    key_id = make_key(kms)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"hello",
                       EncryptionContext={"app": "demo"})["CiphertextBlob"]
    out = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "demo"})
    assert (out["Plaintext"], out["KeyId"]) == (b"hello", key_id)


def test_quota_is_limit_exceeded(kms, alice):
    for _ in range(19):
        make_key(kms)
    with pytest.raises(ClientError) as excinfo:
        make_key(kms)
    assert error(excinfo) == (
        "LimitExceededException",
        "The CMK quota of this account is reached: 20 CMKs, the default CMK included.")


# --- the error rows of okms-api.md -------------------------------------------------------


@pytest.mark.parametrize(("call", "kwargs", "field"), [
    ("describe_key", {}, "KeyId"),
    ("enable_key", {}, "KeyId"),
    ("encrypt", {"KeyId": "{key}"}, "Plaintext"),
    ("decrypt", {}, "CiphertextBlob"),
    ("update_key_description", {"KeyId": "{key}"}, "Description"),
    ("tag_resource", {"KeyId": "{key}"}, "Tags"),
    ("untag_resource", {"KeyId": "{key}"}, "TagKeys"),
])
def test_a_missing_required_field(kms, alice, call, kwargs, field):
    kwargs = {k: (alice.default_key_id if v == "{key}" else v) for k, v in kwargs.items()}
    with pytest.raises(ClientError) as excinfo:
        getattr(kms, call)(**kwargs)
    assert error(excinfo) == ("KMSClientException", f"Field {field} is required")


@pytest.mark.parametrize(("tag", "message"), [
    ({"TagValue": "v"}, "Field Tags[].TagKey is required"),
    ({"TagKey": "k"}, "Field Tags[].TagValue is required"),
])
def test_a_tag_without_key_or_value(kms, alice, tag, message):
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(Tags=[tag])
    assert error(excinfo) == ("KMSClientException", message)
    with pytest.raises(ClientError) as excinfo:
        kms.tag_resource(KeyId=alice.default_key_id, Tags=[tag])
    assert error(excinfo) == ("KMSClientException", message)


@pytest.mark.parametrize("bad", ["cmk-1234", "CMK-12345678", "key-12345678", "cmk-1234567g",
                                 "12345678", "cmk-123456789"])
def test_a_malformed_key_id(kms, alice, bad):
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId=bad)
    assert error(excinfo) == ("InvalidCustomerMasterKeyID.Malformed",
                              f"Invalid ID received: {bad}. Expected format: cmk-")


def test_an_unknown_key(kms, alice):
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId="cmk-00000000")
    assert error(excinfo) == ("NotFoundException",
                              "The customer master key does not exist: cmk-00000000")


def test_a_description_over_8192_characters(kms, alice):
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(Description="é" * 8193)
    assert error(excinfo) == (
        "InvalidParameterValueLength",
        "Length of parameter 'Description' is invalid: 8193. Expected: {(0, 8192)}.")
    with pytest.raises(ClientError) as excinfo:
        kms.update_key_description(KeyId=alice.default_key_id, Description="x" * 8193)
    assert error(excinfo)[0] == "InvalidParameterValueLength"
    assert kms.create_key(Description="🔑" * 8192)["KeyMetadata"]["Description"] == "🔑" * 8192


@pytest.mark.parametrize(("size", "code", "message"), [
    (4097, "InvalidParameterValueLength",
     "Length of parameter 'Plaintext' is invalid: 4097. Expected: {(1, 4096)}."),
    (0, "MissingParameter", "Parameter cannot be empty: Plaintext"),
])
def test_a_plaintext_too_long_or_empty(kms, alice, size, code, message):
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=alice.default_key_id, Plaintext=b"p" * size)
    assert error(excinfo) == (code, message)


@pytest.mark.parametrize(("call", "kwargs", "message"), [
    ("create_key", {"KeyUsage": "SIGN_VERIFY"},
     "Value of parameter 'KeyUsage' is not valid: SIGN_VERIFY. Supported values: ENCRYPT_DECRYPT"),
    ("create_key", {"Origin": "AWS_CLOUDHSM"},
     "Value of parameter 'Origin' is not valid: AWS_CLOUDHSM. Supported values: OKMS"),
    ("generate_data_key", {"KeyId": "{key}", "KeySpec": "foobar"},
     "Value of parameter 'KeySpec' is not valid: foobar. Supported values: AES_128, AES_256"),
    ("generate_data_key", {"KeyId": "{key}", "NumberOfBytes": 0},
     "Value of parameter 'NumberOfBytes' is not valid: 0. Supported values: (1, 1024)"),
    ("generate_data_key", {"KeyId": "{key}", "NumberOfBytes": 1025},
     "Value of parameter 'NumberOfBytes' is not valid: 1025. Supported values: (1, 1024)"),
    ("generate_random", {"NumberOfBytes": 0},
     "Value of parameter 'NumberOfBytes' is not valid: 0. Supported values: (1, 1024)"),
])
def test_a_value_outside_its_choices(kms, alice, call, kwargs, message):
    kwargs = {k: (alice.default_key_id if v == "{key}" else v) for k, v in kwargs.items()}
    with pytest.raises(ClientError) as excinfo:
        getattr(kms, call)(**kwargs)
    assert error(excinfo) == ("InvalidParameterValue", message)


def test_key_spec_and_number_of_bytes_together(kms, alice):
    with pytest.raises(ClientError) as excinfo:
        kms.generate_data_key(KeyId=alice.default_key_id, KeySpec="AES_256", NumberOfBytes=32)
    assert error(excinfo) == (
        "InvalidParameterCombination",
        "These parameters cannot be provided together: KeySpec, NumberOfBytes. Expected at most: 1")


def test_a_bad_ciphertext(kms, alice):
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=b"\x01garbage-that-is-long-enough-to-parse-0123456789")
    assert error(excinfo) == ("InvalidCiphertextException",
                              "Cryptographic operation failed in cipher operation")


def test_unsigned_and_wrongly_signed_requests(live_server, alice_creds):
    from tests.conftest import Credentials, boto3_client

    class Wrong(Credentials):
        def __init__(self):
            self.access_key, self.secret_key = alice_creds.access_key, "W" * 40

    with pytest.raises(ClientError) as excinfo:
        boto3_client(live_server.url, Wrong()).list_keys()
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error(excinfo)[0] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as excinfo:
        boto3_client(live_server.url, alice_creds, region="us-east-1").list_keys()
    assert error(excinfo)[0] == "SignatureDoesNotMatch"


# --- the state matrix --------------------------------------------------------------------

OK = "ok"
INVALID = "KMSInvalidStateException"
DISABLED = "DisabledException"

MATRIX = {
    #                        Enabled  Disabled  PendingDeletion
    "EnableKey":            (OK,      OK,       INVALID),
    "DisableKey":           (OK,      OK,       INVALID),
    "UpdateKeyDescription": (OK,      OK,       INVALID),
    "ScheduleKeyDeletion":  (OK,      OK,       INVALID),
    "CancelKeyDeletion":    (INVALID, INVALID,  OK),
    "TagResource":          (OK,      OK,       INVALID),
    "UntagResource":        (OK,      OK,       INVALID),
    "ListResourceTags":     (OK,      OK,       OK),
    "DescribeKey":          (OK,      OK,       OK),
    "Encrypt":              (OK,      DISABLED, INVALID),
    "GenerateDataKey":      (OK,      DISABLED, INVALID),
    "GenerateDataKeyWithoutPlaintext": (OK, DISABLED, INVALID),
}
AFTER = {"EnableKey": "Enabled", "DisableKey": "Disabled", "ScheduleKeyDeletion":
         "PendingDeletion", "CancelKeyDeletion": "Disabled"}
STATES = ("Enabled", "Disabled", "PendingDeletion")


def call_action(kms, action: str, key_id: str):
    args = {
        "UpdateKeyDescription": {"Description": "new"},
        "ScheduleKeyDeletion": {"PendingWindowInDays": 7},
        "TagResource": {"Tags": [{"TagKey": "k", "TagValue": "v"}]},
        "UntagResource": {"TagKeys": ["k"]},
        "Encrypt": {"Plaintext": b"x"},
        "GenerateDataKey": {"KeySpec": "AES_256"},
        "GenerateDataKeyWithoutPlaintext": {"NumberOfBytes": 16},
    }.get(action, {})
    method = "".join("_" + c.lower() if c.isupper() else c for c in action).lstrip("_")
    return getattr(kms, method)(KeyId=key_id, **args)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_state_matrix(kms, alice, action, state):
    key_id = make_key(kms)
    if state == "Disabled":
        kms.disable_key(KeyId=key_id)
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    expected = MATRIX[action][STATES.index(state)]
    if expected == OK:
        call_action(kms, action, key_id)
        after = AFTER.get(action, state)
    else:
        with pytest.raises(ClientError) as excinfo:
            call_action(kms, action, key_id)
        code, message = error(excinfo)
        assert code == expected
        if code == INVALID:
            assert message == f"Invalid state to perform this action: {key_id}. State: {state}"
        after = state
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == after


@pytest.mark.parametrize(("action", "verb"), [("DisableKey", "disabled"),
                                              ("ScheduleKeyDeletion", "deleted")])
def test_the_default_cmk_refuses_to_be_disabled_or_deleted(kms, alice, action, verb):
    with pytest.raises(ClientError) as excinfo:
        call_action(kms, action, alice.default_key_id)
    assert error(excinfo) == (
        "UnsupportedOperationException",
        f"The default CMK of an account cannot be {verb}: {alice.default_key_id}")
    assert kms.describe_key(KeyId=alice.default_key_id)["KeyMetadata"]["KeyState"] == "Enabled"
