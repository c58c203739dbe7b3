"""The activity log: console and API operations, who, what, result, request id; no secret."""

import base64

import pytest
from django.core.management import call_command
from django.test import Client

from kms import keystore
from kms import operations as ops
from kms.models import Activity, Key
from tests.conftest import signed_post

HX = {"HX-Request": "true"}


def test_console_and_api_operations_are_recorded(alice, alice_client, alice_creds):
    alice_client.post("/keys/create/", {"description": "from console"}, headers=HX)
    console_key = Key.objects.get(description="from console").key_id
    response = signed_post(Client(), alice_creds, "DisableKey", {"KeyId": console_key})
    request_id = response["x-amz-requestid"]
    signed_post(Client(), alice_creds, "DisableKey", {"KeyId": alice.default_key_id})
    rows = list(Activity.objects.for_account(alice).exclude(action="CreateAccessKey")
                .order_by("id")
                .values_list("source", "actor", "action", "key_id", "result", "request_id"))
    assert rows[0][:5] == ("system", "system", "CreateAccount", alice.default_key_id, "Success")
    assert rows[1][:5] == ("console", "alice@example.com", "CreateKey", console_key, "Success")
    assert rows[1][5]  # a request id for console operations too
    assert rows[2] == ("api", alice_creds.access_key, "DisableKey", console_key, "Success",
                       request_id)
    assert rows[3][:5] == ("api", alice_creds.access_key, "DisableKey", alice.default_key_id,
                           "UnsupportedOperationException")


def test_the_log_never_holds_a_plaintext_a_key_or_a_secret(alice, alice_creds):
    plaintext = b"PLAINTEXT-NEVER-LOGGED"
    key_id = ops.create_key(alice, description="log check")["KeyId"]
    blob = ops.encrypt(alice, key_id=key_id, plaintext=plaintext)["CiphertextBlob"]
    ops.decrypt(alice, ciphertext_blob=blob)
    data_key = ops.generate_data_key(alice, key_id=key_id, key_spec="AES_256")["Plaintext"]
    signed_post(Client(), alice_creds, "Encrypt",
                {"KeyId": key_id, "Plaintext": base64.b64encode(plaintext).decode()})
    with pytest.raises(ops.errors.KmsError):
        ops.encrypt(alice, key_id=key_id, plaintext=plaintext * 300)
    key = Key.objects.get(key_id=key_id)
    material = keystore.unwrap(key.material, f"cmk:{key_id}:1")
    secrets = [plaintext, base64.b64encode(plaintext), data_key, base64.b64encode(data_key),
               material, base64.b64encode(material), material.hex().encode(),
               alice_creds.secret_key.encode()]
    for row in Activity.objects.values_list():
        text = " ".join(str(v) for v in row).encode()
        for secret in secrets:
            assert secret not in text
    assert Activity.objects.filter(action="Encrypt").count() == 3


def test_the_activity_page_filters_and_shows_only_the_accounts_rows(alice, bob, alice_client):
    mine = ops.create_key(alice, actor=ops.Actor("api", "AKALICE", "r1"))["KeyId"]
    ops.create_key(bob, actor=ops.Actor("api", "AKBOB", "r2"))
    with pytest.raises(ops.errors.KmsError):
        ops.disable_key(alice, key_id=alice.default_key_id, actor=ops.Actor("console", "a"))
    html = alice_client.get("/activity/").content.decode()
    assert "AKALICE" in html and "AKBOB" not in html
    html = alice_client.get("/activity/?result=Error").content.decode()
    assert "UnsupportedOperationException" in html and "AKALICE" not in html
    html = alice_client.get(f"/activity/?key={mine}&source=api&action=CreateKey").content.decode()
    assert "AKALICE" in html and ">CreateAccount</td>" not in html
    html = alice_client.get("/activity/?source=console").content.decode()
    assert "AKALICE" not in html


def test_resetaccount_puts_an_account_back_to_its_first_state(alice, bob, capsys):
    kept = ops.create_key(bob)["KeyId"]
    for _ in range(3):
        ops.create_key(alice, tags=[{"TagKey": "t", "TagValue": "v"}])
    ops.tag_resource(alice, key_id=alice.default_key_id, tags=[{"TagKey": "x", "TagValue": ""}])
    call_command("resetaccount", "--email", "alice@example.com")
    keys = list(Key.objects.for_account(alice))
    assert [k.key_id for k in keys] == [alice.default_key_id]
    assert keys[0].state == "Enabled" and not keys[0].tags.exists()
    assert Key.objects.filter(key_id=kept).exists()
    assert Activity.objects.for_account(alice).filter(action="ResetAccount").exists()


def test_seeddemo_makes_keys_in_every_state(db, capsys):
    call_command("seeddemo", "--email", "trainer@example.com", "--password", "pw-123456")
    account = ops.User.objects.get(email="trainer@example.com").account
    states = set(Key.objects.for_account(account).values_list("state", flat=True))
    assert states == {"Enabled", "Disabled", "PendingDeletion"}
    assert Key.objects.for_account(account).filter(tags__isnull=False).exists()
    results = set(Activity.objects.for_account(account).values_list("result", flat=True))
    assert {"Success", "UnsupportedOperationException", "DisabledException"} <= results


def test_the_admin_resets_accounts(alice, db):
    from kms.models import User
    User.objects.create_superuser(email="trainer@example.com", password="pw-123456")
    client = Client()
    client.login(username="trainer@example.com", password="pw-123456")
    ops.create_key(alice)
    response = client.post("/admin/kms/account/", {
        "action": "reset_accounts", "_selected_action": [alice.pk]}, follow=True)
    assert response.status_code == 200
    assert Key.objects.for_account(alice).count() == 1
    page = client.get(f"/admin/kms/account/{alice.pk}/change/").content.decode()
    assert "alice@example.com" in page


def test_the_admin_never_shows_an_access_key_secret(alice, db):
    from kms.models import AccessKey, User
    User.objects.create_superuser(email="trainer@example.com", password="pw-123456")
    client = Client()
    client.login(username="trainer@example.com", password="pw-123456")
    new = ops.create_access_key(alice)
    ak = AccessKey.objects.get(access_key_id=new.access_key_id)
    for url in (f"/admin/kms/account/{alice.pk}/change/", f"/admin/kms/accesskey/{ak.pk}/change/",
                "/admin/kms/accesskey/"):
        page = client.get(url).content.decode()
        assert new.access_key_id in page
        assert new.secret_key not in page


def test_reads_are_recorded_in_batches_and_changes_at_once(alice, settings):
    from kms import activity
    settings.KMS_ACTIVITY_FLUSH_SECONDS = 3600
    key_id = ops.create_key(alice)["KeyId"]
    assert Activity.objects.filter(action="CreateKey", key_id=key_id).exists()
    ops.describe_key(alice, key_id=key_id)
    with pytest.raises(ops.errors.KmsError):
        ops.disable_key(alice, key_id=alice.default_key_id)
    assert not Activity.objects.filter(action__in=["DescribeKey", "DisableKey"]).exists()
    assert activity.flush() == 2
    assert set(Activity.objects.filter(action__in=["DescribeKey", "DisableKey"])
               .values_list("action", "result")) == {
        ("DescribeKey", "Success"), ("DisableKey", "UnsupportedOperationException")}
