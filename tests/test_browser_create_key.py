"""The seed's Cockpit procedure, clicked literally in Debian's Chromium."""

import re

import pytest
from playwright.sync_api import expect

from kms.models import Key
from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_seed_procedure_creates_a_cmk(page, live_server, alice):
    sign_in(page, live_server)
    # 1. Click Services > Customer Master Keys.
    page.locator("header").get_by_text("Services", exact=True).click()
    page.get_by_role("menuitem", name="Customer Master Keys").click()
    expect(page.get_by_role("heading", name="Customer Master Keys")).to_be_visible()
    expect(page.locator(f"#row-{alice.default_key_id}")).to_contain_text("Default")
    screenshot(page, "keys-page")

    # 2. Click Create. The CREATE CMK dialog box appears.
    page.get_by_role("link", name="Create").click()
    dialog = page.get_by_role("dialog", name="CREATE CMK")
    expect(dialog).to_be_visible()
    description = dialog.get_by_label("Description")
    expect(description).to_be_focused()

    # 3. In the Description field, type a description for the CMK.
    description.fill("My first CMK 🔑")
    expect(dialog.locator("#description-count")).to_have_text("14")
    dialog.get_by_role("button", name="+ Add tag").click()
    expect(dialog.get_by_label("Tag key 1")).to_be_focused()
    dialog.get_by_label("Tag key 1").fill("AAAA")
    dialog.get_by_label("Tag value 1").fill("BBBB")
    screenshot(page, "create-cmk-dialog")

    # 4. Click Create to validate. The CMK is created.
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    key = Key.objects.for_account(alice).get(description="My first CMK 🔑")
    row = page.locator(f"#row-{key.key_id}")
    expect(row).to_contain_text("Enabled")
    expect(row).to_contain_text("AAAA=BBBB")
    expect(page.locator("#notices")).to_contain_text(f"The CMK is created. {key.key_id}")
    # The new row is at the top, and the page was not reloaded.
    expect(page.locator("#key-table tbody tr").first).to_have_id(f"row-{key.key_id}")
    assert page.url == live_server.url + "/keys/"
    screenshot(page, "keys-page-after-create")


def test_an_empty_description_is_refused_inside_the_dialog(page, live_server, alice):
    sign_in(page, live_server)
    page.goto(live_server.url + "/keys/")
    page.get_by_role("link", name="Create").click()
    dialog = page.get_by_role("dialog", name="CREATE CMK")
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(dialog.locator("#description-error")).to_have_text(
        "Parameter cannot be empty: Description")
    expect(dialog).to_be_visible()
    screenshot(page, "create-cmk-error")
    assert Key.objects.for_account(alice).count() == 1


def test_cancel_and_escape_close_the_dialog(page, live_server, alice):
    sign_in(page, live_server)
    page.goto(live_server.url + "/keys/")
    page.get_by_role("link", name="Create").click()
    dialog = page.get_by_role("dialog", name="CREATE CMK")
    dialog.get_by_label("Description").fill("never created")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("link", name="Create").click()
    expect(page.get_by_role("dialog", name="CREATE CMK")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert Key.objects.for_account(alice).count() == 1


def test_it_works_without_javascript(browser, live_server, alice):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(live_server.url + "/keys/")
        page.get_by_role("link", name="Create").click()
        expect(page).to_have_url(re.compile(r"/keys/create/$"))
        page.get_by_label("Description").fill("made without js")
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page).to_have_url(re.compile(r"/keys/$"))
        key = Key.objects.for_account(alice).get(description="made without js")
        expect(page.locator("#notices")).to_contain_text(f"The CMK is created. {key.key_id}")
    finally:
        context.close()
