"""The keys toolbar and its dialogs: every action, its refusals, and the same message as
the API for the same rule."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from kms import clock
from kms import operations as ops
from kms.models import Key
from tests.conftest import error_of, signed_post

HX = {"HX-Request": "true"}


def act(client, action, *key_ids, htmx=True, **data):
    return client.post("/keys/actions/", {"action": action, "key_id": list(key_ids), **data},
                       headers=HX if htmx else {})


def notices(response) -> list[tuple[str, str]]:
    events = json.loads(response["HX-Trigger"])
    return [(m["level"], m["text"]) for m in events["showNotice"]["messages"]]


def state(key_id) -> str:
    return Key.objects.get(key_id=key_id).state


@pytest.fixture
def two_keys(alice):
    return [ops.create_key(alice, description=f"k{i}")["KeyId"] for i in range(2)]


def test_disable_and_enable_several_keys_at_once(alice_client, two_keys):
    response = act(alice_client, "DisableKey", *two_keys)
    assert response.status_code == 204
    assert notices(response) == [("success", f"{k} is disabled") for k in two_keys]
    assert "keysChanged" in json.loads(response["HX-Trigger"])
    assert [state(k) for k in two_keys] == ["Disabled", "Disabled"]
    response = act(alice_client, "EnableKey", *two_keys)
    assert [state(k) for k in two_keys] == ["Enabled", "Enabled"]


def test_each_key_reports_its_own_result(alice, alice_client, two_keys):
    response = act(alice_client, "DisableKey", two_keys[0], alice.default_key_id)
    assert notices(response) == [
        ("success", f"{two_keys[0]} is disabled"),
        ("error", f"{alice.default_key_id}: The default CMK of an account cannot be disabled: "
                  f"{alice.default_key_id}"),
    ]
    assert state(alice.default_key_id) == "Enabled"


def test_the_same_rule_gives_the_same_message_in_the_console_and_the_api(
        alice, alice_client, alice_creds, two_keys):
    ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    cases = [("DisableKey", alice.default_key_id), ("EnableKey", two_keys[0]),
             ("CancelKeyDeletion", two_keys[1]), ("DisableKey", two_keys[0])]
    for action, key_id in cases:
        console = notices(act(alice_client, action, key_id))[0][1]
        api = error_of(signed_post(Client(), alice_creds, action, {"KeyId": key_id}))[2]
        assert console == f"{key_id}: {api}"


def test_another_accounts_key_is_not_found_from_the_toolbar(bob, alice_client):
    response = act(alice_client, "DisableKey", bob.default_key_id)
    assert notices(response) == [("error", f"{bob.default_key_id}: The customer master key "
                                           f"does not exist: {bob.default_key_id}")]
    for action in ("ScheduleKeyDeletion", "UpdateKeyDescription", "TagResource"):
        response = act(alice_client, action, bob.default_key_id)
        assert response.status_code == 204
        assert notices(response)[0][0] == "error"
    assert state(bob.default_key_id) == "Enabled"


def test_an_empty_selection_is_refused(alice_client):
    assert notices(act(alice_client, "DisableKey")) == [
        ("error", "Disable: select at least one CMK.")]


def test_edit_description_and_manage_tags_need_exactly_one_key(alice_client, two_keys):
    assert notices(act(alice_client, "UpdateKeyDescription", *two_keys)) == [
        ("error", "Edit description: select exactly one CMK.")]
    assert notices(act(alice_client, "TagResource", *two_keys)) == [
        ("error", "Manage tags: select exactly one CMK.")]


def test_an_unknown_action_is_a_bad_request(alice_client, two_keys):
    assert act(alice_client, "DeleteEverything", *two_keys).status_code == 400


def test_actions_are_post_only(alice_client):
    assert alice_client.get("/keys/actions/").status_code == 405


def test_without_javascript_actions_redirect_with_messages(alice_client, two_keys):
    response = act(alice_client, "DisableKey", *two_keys, htmx=False, next="/keys/?state=Disabled")
    assert response.status_code == 302 and response["Location"] == "/keys/?state=Disabled"
    html = alice_client.get(response["Location"]).content.decode()
    assert f"{two_keys[0]} is disabled" in html


def test_an_offsite_next_is_ignored(alice_client, two_keys):
    response = act(alice_client, "DisableKey", two_keys[0], htmx=False,
                   next="https://evil.example/")
    assert response["Location"] == "/keys/"


# --- schedule deletion ------------------------------------------------------------------


def test_the_schedule_dialog_defaults_to_30_days(alice_client, two_keys):
    response = act(alice_client, "ScheduleKeyDeletion", two_keys[0])
    html = response.content.decode()
    assert html.lstrip().startswith("<dialog")
    assert '<h2 id="action-title">SCHEDULE CMK DELETION</h2>' in html
    assert 'name="pending_window" value="30"' in html
    expected = (clock.now() + timedelta(days=30)).strftime("%Y-%m-%d")
    assert expected in html
    assert "osc-cli okms ScheduleKeyDeletion --KeyId" in html
    assert state(two_keys[0]) == "Enabled"


@pytest.mark.parametrize(("days", "ok"), [("6", False), ("7", True), ("30", True),
                                          ("31", False), ("", False), ("seven", False)])
def test_the_waiting_period_is_7_to_30_days(alice_client, two_keys, days, ok):
    response = act(alice_client, "ScheduleKeyDeletion", two_keys[0], confirm="1",
                   pending_window=days)
    key = Key.objects.get(key_id=two_keys[0])
    if ok:
        assert response.status_code == 204
        assert key.state == "PendingDeletion"
        expected = clock.now() + timedelta(days=int(days))
        assert abs((key.deletion_date - expected).total_seconds()) < 60
        assert notices(response)[0][1].startswith(f"{key.key_id} is pending deletion until")
    else:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Pending window must be between 7 and 30 days." in html
        assert html.lstrip().startswith('<div id="action-body">')
        assert key.state == "Enabled"


def test_the_default_cmk_cannot_be_scheduled_from_the_console(alice, alice_client):
    response = act(alice_client, "ScheduleKeyDeletion", alice.default_key_id, confirm="1",
                   pending_window="7")
    assert notices(response) == [("error", f"{alice.default_key_id}: The default CMK of an "
                                           f"account cannot be deleted: {alice.default_key_id}")]


def test_cancel_deletion_leaves_the_key_disabled(alice, alice_client, two_keys):
    ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    response = act(alice_client, "CancelKeyDeletion", two_keys[0])
    assert notices(response)[0][0] == "success"
    key = Key.objects.get(key_id=two_keys[0])
    assert (key.state, key.deletion_date) == ("Disabled", None)


def test_the_list_shows_the_time_left_before_deletion(alice, alice_client, two_keys):
    ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    html = alice_client.get("/keys/").content.decode()
    assert "deleted in 6\xa0days" in html or "deleted in 1\xa0week" in html


def test_a_short_day_makes_the_waiting_period_short(alice, settings, two_keys):
    settings.KMS_DAY_SECONDS = 60
    answer = ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    key = Key.objects.get(key_id=two_keys[0])
    assert abs((key.deletion_date - clock.now()).total_seconds() - 7 * 60) < 5
    assert answer["DeletionDate"] == clock.isoformat(key.deletion_date)


def test_keys_are_purged_at_their_deletion_date(alice, settings, monkeypatch, two_keys):
    from django.core.management import call_command

    from kms.models import Activity
    settings.KMS_DAY_SECONDS = 1
    ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    call_command("purge_keys")
    assert Key.objects.filter(key_id=two_keys[0]).exists()
    later = clock.now() + timedelta(seconds=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    call_command("purge_keys")
    assert not Key.objects.filter(key_id=two_keys[0]).exists()
    assert Key.objects.filter(key_id=two_keys[1]).exists()
    assert Activity.objects.filter(action="DeleteKey", key_id=two_keys[0]).exists()


# --- edit description and manage tags ----------------------------------------------------


def test_edit_description(alice_client, two_keys):
    html = act(alice_client, "UpdateKeyDescription", two_keys[0]).content.decode()
    assert ">k0</textarea>" in html and "EDIT CMK DESCRIPTION" in html
    response = act(alice_client, "UpdateKeyDescription", two_keys[0], confirm="1",
                   description="")
    assert "Parameter cannot be empty: Description" in response.content.decode()
    assert Key.objects.get(key_id=two_keys[0]).description == "k0"
    response = act(alice_client, "UpdateKeyDescription", two_keys[0], confirm="1",
                   description="renamed 🔑")
    assert response.status_code == 204
    assert Key.objects.get(key_id=two_keys[0]).description == "renamed 🔑"


def test_manage_tags_shows_replaces_and_loses_nothing_on_a_mistake(alice, alice_client):
    key_id = ops.create_key(alice, tags=[{"TagKey": "a", "TagValue": "1"},
                                         {"TagKey": "b", "TagValue": "2"}])["KeyId"]
    html = act(alice_client, "TagResource", key_id).content.decode()
    assert 'value="a"' in html and 'value="2"' in html and "MANAGE CMK TAGS" in html
    response = act(alice_client, "TagResource", key_id, confirm="1",
                   tag_key=["a", "aws:x"], tag_value=["1", "bad"])
    assert "Tag keys beginning with &#x27;aws:&#x27; are reserved: aws:x" in (
        response.content.decode())
    assert ops.list_resource_tags(alice, key_id=key_id)["Tags"] == [
        {"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"}]
    response = act(alice_client, "TagResource", key_id, confirm="1",
                   tag_key=["a", "c"], tag_value=["changed", "3"])
    assert response.status_code == 204
    assert ops.list_resource_tags(alice, key_id=key_id)["Tags"] == [
        {"TagKey": "a", "TagValue": "changed"}, {"TagKey": "c", "TagValue": "3"}]


def test_a_key_pending_deletion_refuses_description_and_tags(alice, alice_client, two_keys):
    ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    response = act(alice_client, "UpdateKeyDescription", two_keys[0], confirm="1",
                   description="x")
    assert (f"Invalid state to perform this action: {two_keys[0]}. State: PendingDeletion"
            in response.content.decode())


# --- refusals shown before clicking ------------------------------------------------------


def test_rows_carry_the_reasons_of_refused_actions(alice, alice_client, two_keys):
    ops.schedule_key_deletion(alice, key_id=two_keys[0], pending_window_in_days=7)
    html = alice_client.get("/keys/").content.decode()
    default_row = html[html.index(f'id="row-{alice.default_key_id}"'):]
    default_row = default_row[:default_row.index(">")]
    assert (f'data-refuse-disablekey="The default CMK of an account cannot be disabled: '
            f'{alice.default_key_id}"') in default_row
    assert "data-refuse-schedulekeydeletion" in default_row
    pending_row = html[html.index(f'id="row-{two_keys[0]}"'):]
    pending_row = pending_row[:pending_row.index(">")]
    assert "data-refuse-enablekey" in pending_row
    assert "data-refuse-cancelkeydeletion" not in pending_row


def test_the_detail_page_shows_refused_actions_disabled_with_the_reason(alice, alice_client):
    html = alice_client.get(f"/keys/{alice.default_key_id}/").content.decode()
    assert (f'value="DisableKey" disabled title="The default CMK of an account cannot be '
            f'disabled: {alice.default_key_id}"') in html
    assert f"osc-cli okms DisableKey --KeyId {alice.default_key_id}" in html
    assert "ScheduleKeyDeletion" in html


def test_the_detail_page_shows_the_keys_history(alice, alice_client, two_keys):
    ops.disable_key(alice, key_id=two_keys[0], actor=ops.Actor("api", "AKHISTORY", "req-9"))
    html = alice_client.get(f"/keys/{two_keys[0]}/").content.decode()
    assert "AKHISTORY" in html and "DisableKey" in html and "req-9" in html


@pytest.mark.parametrize("state", ["Enabled", "Disabled", "PendingDeletion", "default"])
@pytest.mark.parametrize("action", ["EnableKey", "DisableKey", "UpdateKeyDescription",
                                    "TagResource", "UntagResource", "ScheduleKeyDeletion",
                                    "CancelKeyDeletion"])
def test_the_reason_shown_before_clicking_is_what_the_operation_says(alice, state, action):
    """ops.refusal (greyed-out buttons) and the operations can never disagree."""
    from kms import errors
    if state == "default":
        key_id = alice.default_key_id
    else:
        key_id = ops.create_key(alice)["KeyId"]
        if state == "Disabled":
            ops.disable_key(alice, key_id=key_id)
        elif state == "PendingDeletion":
            ops.schedule_key_deletion(alice, key_id=key_id, pending_window_in_days=7)
    key = Key.objects.select_related("account").get(key_id=key_id)
    predicted = ops.refusal(key, action)
    args = {"UpdateKeyDescription": {"description": "d"},
            "TagResource": {"tags": [{"TagKey": "k", "TagValue": "v"}]},
            "UntagResource": {"tag_keys": ["k"]},
            "ScheduleKeyDeletion": {"pending_window_in_days": 7}}.get(action, {})
    method = getattr(ops, "".join("_" + c.lower() if c.isupper() else c
                                  for c in action).lstrip("_"))
    try:
        method(alice, key_id=key_id, **args)
    except errors.KmsError as exc:
        assert predicted == exc.message
    else:
        assert predicted is None
