from kms import operations as ops
from kms.models import AccessKey


def test_it_lists_only_the_accounts_access_keys(alice, bob, alice_client):
    mine = ops.create_access_key(alice).access_key_id
    theirs = ops.create_access_key(bob).access_key_id
    html = alice_client.get("/access-keys/").content.decode()
    assert mine in html and theirs not in html
    assert "Never" in html


def test_the_secret_is_shown_once_with_a_profile_and_a_snippet(alice, alice_client):
    response = alice_client.post("/access-keys/create/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    ak = AccessKey.objects.for_account(alice).get()
    secret = ops.access_key_secret(ak)
    html = response.content.decode()
    assert secret in html
    assert (f'{{"sandbox": {{"access_key": "{ak.access_key_id}", "secret_key": "{secret}", '
            '"region_name": "eu-west-2", "endpoint": "http://testserver"}}') in html.replace(
                "&quot;", '"')
    assert "boto3.client(" in html
    # Never again: the list page does not show it.
    assert secret not in alice_client.get("/access-keys/").content.decode()


def test_the_secret_is_stored_sealed(alice):
    new = ops.create_access_key(alice)
    ak = AccessKey.objects.get(access_key_id=new.access_key_id)
    assert new.secret_key.encode() not in bytes(ak.secret)


def test_it_deletes_an_access_key(alice, alice_client):
    ak = ops.create_access_key(alice).access_key_id
    response = alice_client.post(f"/access-keys/{ak}/delete/")
    assert response.status_code == 302
    assert not AccessKey.objects.filter(access_key_id=ak).exists()


def test_it_cannot_delete_another_accounts_access_key(bob, alice_client):
    theirs = ops.create_access_key(bob).access_key_id
    assert alice_client.post(f"/access-keys/{theirs}/delete/").status_code == 404
    assert AccessKey.objects.filter(access_key_id=theirs).exists()


def test_the_api_records_when_a_key_was_last_used(alice, alice_creds):
    from django.test import Client

    from tests.conftest import signed_post
    assert signed_post(Client(), alice_creds, "ListKeys").status_code == 200
    assert AccessKey.objects.get(access_key_id=alice_creds.access_key).last_used_at is not None
