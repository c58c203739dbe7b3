import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kms import operations as ops
from kms.models import Key

HX = {"HX-Request": "true"}


def test_every_console_page_requires_sign_in(db):
    client = Client()
    for url in ("/", "/keys/", "/keys/create/", "/keys/cmk-00000000/", "/access-keys/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_it_signs_in_with_email_and_password(alice):
    client = Client()
    response = client.post("/login/", {"username": "alice@example.com",
                                        "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/keys/").status_code == 200


def test_it_refuses_a_wrong_password(alice):
    response = Client().post("/login/", {"username": "alice@example.com", "password": "nope"})
    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content


def test_sign_out_is_post_only(alice_client):
    assert alice_client.get("/logout/").status_code == 405
    assert alice_client.post("/logout/").status_code == 302
    assert alice_client.get("/keys/").status_code == 302


def test_the_shell_shows_account_region_user_and_services(alice_client):
    html = alice_client.get("/").content.decode()
    assert "111111111111" in html
    assert "eu-west-2" in html
    assert "alice@example.com" in html
    assert "<summary>Services</summary>" in html
    assert ">Customer Master Keys</a>" in html


def test_it_lists_only_the_signed_in_accounts_keys(alice, bob, alice_client):
    mine = ops.create_key(alice, description="alice's key")["KeyId"]
    theirs = ops.create_key(bob, description="bob's key")["KeyId"]
    html = alice_client.get("/keys/").content.decode()
    assert mine in html and alice.default_key_id in html
    assert theirs not in html and bob.default_key_id not in html
    assert "bob&#x27;s key" not in html


def test_the_list_shows_newest_first_with_default_marked(alice, alice_client):
    first = ops.create_key(alice, description="first")["KeyId"]
    second = ops.create_key(alice, description="second", tags=[
        {"TagKey": "env", "TagValue": "prod"}])["KeyId"]
    html = alice_client.get("/keys/").content.decode()
    assert html.index(second) < html.index(first) < html.index(alice.default_key_id)
    assert ">Default</span>" in html
    assert "env=prod" in html
    headers = re.findall(
        r'<th scope="col"[^>]*>\s*(?:<a [^>]*>)?([^<▲▼]+?)\s*[▲▼]?\s*(?:</a>)?</th>', html)
    assert headers == ["ID", "Description", "State", "Key manager", "Creation date", "Tags"]


def test_an_empty_description_shows_a_dash(alice, alice_client):
    ops.create_key(alice)
    assert '<td class="desc">—</td>' in alice_client.get("/keys/").content.decode()


def test_another_accounts_key_is_not_found(alice, bob, alice_client, bob_client):
    theirs = ops.create_key(bob)["KeyId"]
    assert alice_client.get(f"/keys/{theirs}/").status_code == 404
    assert alice_client.get(f"/keys/{bob.default_key_id}/").status_code == 404
    assert bob_client.get(f"/keys/{theirs}/").status_code == 200


def test_the_key_page_shows_its_metadata(alice, alice_client):
    key_id = ops.create_key(alice, description="details", tags=[
        {"TagKey": "team", "TagValue": "blue"}])["KeyId"]
    html = alice_client.get(f"/keys/{key_id}/").content.decode()
    assert f"arn:aws:kms:eu-west-2:111111111111:key/{key_id}" in html
    assert "CUSTOMER" in html and "ENCRYPT_DECRYPT" in html
    assert "team" in html and "blue" in html


def test_the_create_dialog_is_a_labelled_dialog_for_htmx(alice_client):
    html = alice_client.get("/keys/create/", headers=HX).content.decode()
    assert html.lstrip().startswith("<dialog")
    assert 'aria-labelledby="create-key-title"' in html
    assert '<h2 id="create-key-title">CREATE CMK</h2>' in html
    assert "data-open-on-load" in html
    assert '<form method="dialog"><button type="submit" class="secondary">Cancel</button>' in html
    assert "autofocus" in html
    assert "<html" not in html


def test_the_create_dialog_is_a_normal_page_without_javascript(alice_client):
    html = alice_client.get("/keys/create/").content.decode()
    assert "<html" in html and "CREATE CMK" in html
    assert 'href="/keys/">Cancel</a>' in html


def test_htmx_create_answers_204_with_its_events(alice, alice_client):
    response = alice_client.post("/keys/create/", {"description": "from the dialog",
                                                   "tag_key": ["AAAA"], "tag_value": ["BBBB"]},
                                 headers=HX)
    assert response.status_code == 204
    events = json.loads(response["HX-Trigger"])
    key = Key.objects.for_account(alice).get(description="from the dialog")
    assert events["keysChanged"] == {"keyId": key.key_id}
    assert "closeDialog" in events
    assert events["showNotice"]["message"] == f"The CMK is created. {key.key_id}"
    assert [(t.tag_key, t.tag_value) for t in key.tags.all()] == [("AAAA", "BBBB")]
    assert key.state == "Enabled"


def test_create_without_javascript_redirects_with_a_notice(alice, alice_client):
    response = alice_client.post("/keys/create/", {"description": "no js"}, follow=True)
    assert response.redirect_chain == [("/keys/", 302)]
    key = Key.objects.for_account(alice).get(description="no js")
    assert f"The CMK is created. {key.key_id}" in response.content.decode()


@pytest.mark.parametrize(("data", "field_error"), [
    ({"description": ""}, "Parameter cannot be empty: Description"),
    ({"description": "x" * 8193},
     "Length of parameter &#x27;Description&#x27; is invalid: 8193. Expected: {(0, 8192)}."),
    ({"description": "ok", "tag_key": [""], "tag_value": ["orphan"]},
     "Field Tags[].TagKey is required"),
    ({"description": "ok", "tag_key": ["k" * 129], "tag_value": [""]},
     "Length of parameter &#x27;TagKey&#x27; is invalid: 129. Expected: {(1, 128)}."),
])
def test_invalid_input_comes_back_in_the_form_and_creates_nothing(alice, alice_client, data,
                                                                  field_error):
    response = alice_client.post("/keys/create/", data, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert field_error in html
    assert 'role="alert"' in html
    assert Key.objects.for_account(alice).count() == 1
    # What was typed is kept.
    if data["description"] == "ok":
        assert ">ok</textarea>" in html


def test_the_description_counts_unicode_characters_in_the_console(alice, alice_client):
    response = alice_client.post("/keys/create/", {"description": "🔑" * 8192}, headers=HX)
    assert response.status_code == 204


def test_at_the_quota_the_dialog_shows_the_apis_message(alice, alice_client):
    for _ in range(19):
        ops.create_key(alice)
    response = alice_client.post("/keys/create/", {"description": "one too many"}, headers=HX)
    assert response.status_code == 200
    assert ("The CMK quota of this account is reached: 20 CMKs, the default CMK included."
            in response.content.decode())
    assert Key.objects.for_account(alice).count() == 20


def test_add_and_remove_tag_rows_create_nothing(alice, alice_client):
    response = alice_client.post("/keys/create/", {
        "description": "d", "tag_key": ["a"], "tag_value": ["1"], "add_tag": "1"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="tag_key"') == 2
    assert 'aria-label="Tag key 2" autofocus' in html
    response = alice_client.post("/keys/create/", {
        "description": "d", "tag_key": ["a", "b"], "tag_value": ["1", "2"], "remove_tag": "0"},
        headers=HX)
    html = response.content.decode()
    assert html.count('name="tag_key"') == 1 and 'value="b"' in html
    assert Key.objects.for_account(alice).count() == 1


def test_csrf_is_enforced(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.users.get())
    response = client.post("/keys/create/", {"description": "forged"}, headers=HX)
    assert response.status_code == 403
    assert Key.objects.for_account(alice).count() == 1


def test_post_only_urls_refuse_get(alice_client):
    assert alice_client.get("/access-keys/create/").status_code == 405
    assert alice_client.get("/access-keys/AK/delete/").status_code == 405
    assert alice_client.delete("/keys/create/").status_code == 405


def test_the_list_query_count_does_not_grow_with_the_keys(alice, alice_client, settings):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get("/keys/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    alice.key_quota = 200
    alice.save()
    for i in range(40):
        ops.create_key(alice, description=f"k{i}", tags=[{"TagKey": "n", "TagValue": str(i)}])
    assert count() == few


def test_the_htmx_refresh_returns_only_the_table(alice, alice_client):
    html = alice_client.get("/keys/", headers=HX).content.decode()
    assert html.lstrip().startswith('<div id="key-table"')
    assert "<html" not in html


def test_the_key_table_paginates(alice, alice_client):
    alice.key_quota = 200
    alice.save()
    ids = [ops.create_key(alice)["KeyId"] for _ in range(60)]
    first = alice_client.get("/keys/").content.decode()
    second = alice_client.get("/keys/?page=2").content.decode()
    assert ids[-1] in first and ids[0] not in first
    assert ids[0] in second and alice.default_key_id in second
    assert "Page 1 of 2" in first
