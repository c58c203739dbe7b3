import re
from datetime import datetime

import pytest
from django.db import connection
from django.test import override_settings

from kms import errors, keystore
from kms import operations as ops
from kms.models import Activity, Key, Tag

SEED_FIELDS = ["Origin", "KeyId", "Description", "DeletionDate", "KeyManager", "Enabled",
               "KeyUsage", "KeyState", "CreationDate", "Arn", "AWSAccountId"]


def test_create_key_returns_the_seeds_key_metadata(alice):
    meta = ops.create_key(alice, description="DESCRIPTION")
    assert list(meta) == SEED_FIELDS
    assert meta["Origin"] == "OKMS"
    assert meta["KeyManager"] == "CUSTOMER"
    assert meta["Enabled"] is True
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeyState"] == "Enabled"
    assert meta["DeletionDate"] is None
    assert meta["Description"] == "DESCRIPTION"
    assert re.fullmatch(r"cmk-[0-9a-f]{8}", meta["KeyId"])
    assert meta["Arn"] == f"arn:aws:kms:eu-west-2:111111111111:key/{meta['KeyId']}"
    assert meta["AWSAccountId"] == "111111111111"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", meta["CreationDate"])
    datetime.fromisoformat(meta["CreationDate"])


def test_description_is_null_when_none_is_given(alice):
    assert ops.create_key(alice)["Description"] is None


@pytest.mark.parametrize("length", [0, 1, 8192])
@pytest.mark.parametrize("char", ["a", "é", "🔑"])
def test_description_accepts_0_to_8192_characters(alice, length, char):
    meta = ops.create_key(alice, description=char * length)
    assert Key.objects.get(key_id=meta["KeyId"]).description == char * length


@pytest.mark.parametrize("char", ["a", "é", "🔑"])
def test_description_refuses_8193_characters_counted_as_characters(alice, char):
    with pytest.raises(errors.InvalidLength) as excinfo:
        ops.create_key(alice, description=char * 8193)
    assert excinfo.value.code == "InvalidParameterValueLength"
    assert excinfo.value.message == (
        "Length of parameter 'Description' is invalid: 8193. Expected: {(0, 8192)}."
    )
    assert Key.objects.for_account(alice).count() == 1


def test_the_console_requires_a_description(alice):
    with pytest.raises(errors.EmptyParameter, match="Parameter cannot be empty: Description"):
        ops.create_key(alice, description="", console=True)


@pytest.mark.parametrize("tag", [
    {"TagKey": "k" * 128, "TagValue": ""},
    {"TagKey": "k", "TagValue": "v" * 256},
    {"TagKey": "🔑" * 128, "TagValue": "é" * 256},
])
def test_tags_at_their_bounds_are_kept(alice, tag):
    meta = ops.create_key(alice, tags=[tag])
    saved = Tag.objects.get(key__key_id=meta["KeyId"])
    assert (saved.tag_key, saved.tag_value) == (tag["TagKey"], tag["TagValue"])


@pytest.mark.parametrize(("tags", "code", "message"), [
    ([{"TagKey": "k" * 129, "TagValue": ""}], "InvalidParameterValueLength",
     "Length of parameter 'TagKey' is invalid: 129. Expected: {(1, 128)}."),
    ([{"TagKey": "", "TagValue": ""}], "InvalidParameterValueLength",
     "Length of parameter 'TagKey' is invalid: 0. Expected: {(1, 128)}."),
    ([{"TagKey": "k", "TagValue": "v" * 257}], "InvalidParameterValueLength",
     "Length of parameter 'TagValue' is invalid: 257. Expected: {(0, 256)}."),
    ([{"TagValue": "v"}], "KMSClientException", "Field Tags[].TagKey is required"),
    ([{"TagKey": "k"}], "KMSClientException", "Field Tags[].TagValue is required"),
    ({"TagKey": "k", "TagValue": "v"}, "KMSClientException", "Invalid type, Tags must be a list"),
    ([{"TagKey": "aws:x", "TagValue": "v"}], "TagException",
     "Tag keys beginning with 'aws:' are reserved: aws:x"),
    ([{"TagKey": "k", "TagValue": "1"}, {"TagKey": "k", "TagValue": "2"}], "TagException",
     "Duplicate tag key: k"),
    ([{"TagKey": f"k{i}", "TagValue": ""} for i in range(51)], "TagException",
     "Too many tags: 51. A CMK can have at most 50 tags."),
])
def test_bad_tags_are_refused_and_nothing_is_created(alice, tags, code, message):
    with pytest.raises(errors.KmsError) as excinfo:
        ops.create_key(alice, tags=tags)
    assert (excinfo.value.code, excinfo.value.message) == (code, message)
    assert Key.objects.for_account(alice).count() == 1


def test_fifty_tags_are_allowed(alice):
    meta = ops.create_key(alice, tags=[{"TagKey": f"k{i}", "TagValue": ""} for i in range(50)])
    assert Tag.objects.filter(key__key_id=meta["KeyId"]).count() == 50


def test_the_quota_is_20_keys_default_cmk_included(alice):
    for _ in range(19):
        ops.create_key(alice)
    assert Key.objects.for_account(alice).count() == 20
    with pytest.raises(errors.LimitExceeded) as excinfo:
        ops.create_key(alice)
    assert excinfo.value.code == "LimitExceededException"
    assert "20" in excinfo.value.message
    assert Key.objects.for_account(alice).count() == 20


def test_the_quota_is_per_account(alice, bob):
    for _ in range(19):
        ops.create_key(alice)
    ops.create_key(bob)
    assert Key.objects.for_account(bob).count() == 2


@override_settings(KMS_DEFAULT_KEY_QUOTA=3)
def test_the_quota_comes_from_the_setting(db):
    from tests.conftest import make_account
    account = make_account("carol")
    assert account.key_quota == 3


def test_key_material_is_never_stored_in_clear(alice):
    meta = ops.create_key(alice, description="material check")
    key = Key.objects.get(key_id=meta["KeyId"])
    clear = keystore.unwrap(key.material, f"cmk:{key.key_id}:1")
    assert len(clear) == 32
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM kms_key WHERE key_id = %s", [meta["KeyId"]])
        row = cursor.fetchone()
    raw = b"".join(bytes(c) if isinstance(c, bytes | memoryview) else str(c).encode()
                   for c in row)
    assert clear not in raw
    assert clear.hex().encode() not in raw.lower()


def test_each_key_has_its_own_material(alice):
    a = Key.objects.get(key_id=ops.create_key(alice)["KeyId"])
    b = Key.objects.get(key_id=ops.create_key(alice)["KeyId"])
    assert keystore.unwrap(a.material, f"cmk:{a.key_id}:1") != keystore.unwrap(
        b.material, f"cmk:{b.key_id}:1")


def test_wrapped_material_does_not_open_under_another_key_id(alice):
    a = Key.objects.get(key_id=ops.create_key(alice)["KeyId"])
    with pytest.raises(keystore.RootKeyMismatch):
        keystore.unwrap(a.material, "cmk:cmk-00000000:1")


def test_creation_and_refusal_are_both_recorded(alice):
    meta = ops.create_key(alice, actor=ops.Actor("api", "AKTEST", "req-1"))
    with pytest.raises(errors.KmsError):
        ops.create_key(alice, description="x" * 9000, actor=ops.Actor("api", "AKTEST", "req-2"))
    rows = list(Activity.objects.for_account(alice).filter(action="CreateKey")
                .order_by("id").values_list("key_id", "result", "request_id"))
    assert rows == [(meta["KeyId"], "Success", "req-1"), ("", "InvalidParameterValueLength",
                                                           "req-2")]
