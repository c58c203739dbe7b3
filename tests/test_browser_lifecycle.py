"""Key lifecycle in the console, clicked in Debian's Chromium."""

import pytest
from playwright.sync_api import expect

from kms import operations as ops
from kms.models import Key
from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_keys(page, live_server):
    sign_in(page, live_server)
    page.goto(live_server.url + "/keys/")


def select(page, key_id):
    page.get_by_label(f"Select {key_id}", exact=True).check()


def test_schedule_a_deletion_then_cancel_it(page, live_server, alice):
    key_id = ops.create_key(alice, description="to delete")["KeyId"]
    open_keys(page, live_server)
    select(page, key_id)
    page.get_by_role("button", name="Schedule deletion").click()
    dialog = page.get_by_role("dialog", name="SCHEDULE CMK DELETION")
    expect(dialog).to_be_visible()
    window = dialog.get_by_label("Waiting period (days)")
    expect(window).to_have_value("30")
    window.fill("6")
    expect(dialog.locator("[data-deletion-preview]")).to_have_text("—")
    dialog.get_by_role("button", name="Schedule deletion").click()
    expect(dialog.locator("#pending-window-error")).to_have_text(
        "Pending window must be between 7 and 30 days.")
    dialog.get_by_label("Waiting period (days)").fill("7")
    expect(dialog.locator("[data-deletion-preview]")).to_contain_text("UTC")
    screenshot(page, "schedule-deletion-dialog")
    dialog.get_by_role("button", name="Schedule deletion").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.locator(f"#row-{key_id}")
    expect(row).to_contain_text("PendingDeletion")
    expect(row).to_contain_text("deleted in 6")
    expect(page.locator("#notices")).to_contain_text(f"{key_id} is pending deletion until")
    screenshot(page, "keys-pending-deletion")

    select(page, key_id)
    expect(page.get_by_role("button", name="Enable", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Cancel deletion").click()
    expect(row.locator(".state")).to_have_text("Disabled")
    assert Key.objects.get(key_id=key_id).deletion_date is None


def test_the_default_cmk_refusals_are_visible(page, live_server, alice):
    open_keys(page, live_server)
    select(page, alice.default_key_id)
    disable = page.get_by_role("button", name="Disable", exact=True)
    expect(disable).to_be_disabled()
    reason = f"The default CMK of an account cannot be disabled: {alice.default_key_id}"
    expect(disable).to_have_attribute("title", reason)
    expect(page.locator("#toolbar-reason")).to_contain_text(reason)
    expect(page.get_by_role("button", name="Schedule deletion")).to_be_disabled()
    expect(page.get_by_role("button", name="Edit description")).to_be_enabled()
    screenshot(page, "default-cmk-refusals")
    page.goto(f"{live_server.url}/keys/{alice.default_key_id}/")
    expect(page.get_by_role("button", name="Disable", exact=True)).to_be_disabled()
    expect(page.get_by_text(reason).first).to_be_visible()
    screenshot(page, "key-details")


def test_multi_select_disable(page, live_server, alice):
    ids = [ops.create_key(alice, description=f"bulk {i}")["KeyId"] for i in range(3)]
    open_keys(page, live_server)
    for key_id in ids[:2]:
        select(page, key_id)
    select(page, alice.default_key_id)
    disable = page.get_by_role("button", name="Disable", exact=True)
    expect(disable).to_be_enabled()  # two of the three can be disabled
    disable.click()
    for key_id in ids[:2]:
        expect(page.locator(f"#row-{key_id} .state")).to_have_text("Disabled")
    expect(page.locator(f"#row-{ids[2]} .state")).to_have_text("Enabled")
    expect(page.locator(f"#row-{alice.default_key_id} .state")).to_have_text("Enabled")
    notices = page.locator("#notices")
    expect(notices).to_contain_text(f"{ids[0]} is disabled")
    expect(notices).to_contain_text(
        f"{alice.default_key_id}: The default CMK of an account cannot be disabled")
    screenshot(page, "multi-select-disable")


def test_select_all_and_search(page, live_server, alice):
    ops.create_key(alice, description="needle in the haystack")
    ops.create_key(alice, description="hay")
    open_keys(page, live_server)
    page.get_by_label("Search").fill("needle")
    expect(page.locator("#key-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}/keys/?q=needle&state=&sort=created&dir=desc")
    page.get_by_label("Select all CMKs").check()
    expect(page.get_by_role("button", name="Disable", exact=True)).to_be_enabled()


def test_edit_description_and_tags_in_dialogs(page, live_server, alice):
    key_id = ops.create_key(alice, description="old")["KeyId"]
    open_keys(page, live_server)
    select(page, key_id)
    page.get_by_role("button", name="Edit description").click()
    dialog = page.get_by_role("dialog", name="EDIT CMK DESCRIPTION")
    dialog.get_by_label("Description").fill("new description")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(f"#row-{key_id} .desc")).to_have_text("new description")
    select(page, key_id)
    page.get_by_role("button", name="Manage tags").click()
    dialog = page.get_by_role("dialog", name="MANAGE CMK TAGS")
    dialog.get_by_role("button", name="+ Add tag").click()
    expect(dialog.get_by_label("Tag key 1")).to_be_focused()
    dialog.get_by_label("Tag key 1").fill("owner")
    dialog.get_by_label("Tag value 1").fill("trainee")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(f"#row-{key_id} .tags")).to_have_text("owner=trainee")
