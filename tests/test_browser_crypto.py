"""The Encrypt / Decrypt dialog in Debian's Chromium."""

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_encrypt_then_decrypt_in_the_dialog(page, live_server, alice):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/keys/{alice.default_key_id}/")
    page.get_by_role("link", name="Encrypt / Decrypt").click()
    dialog = page.get_by_role("dialog", name="ENCRYPT / DECRYPT")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Plaintext")).to_be_focused()
    dialog.get_by_label("Plaintext").fill("Bonjour, OKMS")
    dialog.get_by_role("button", name="+ Add context").click()
    expect(dialog.get_by_label("Context key 1")).to_be_focused()
    dialog.get_by_label("Context key 1").fill("purpose")
    dialog.get_by_label("Context value 1").fill("training")
    dialog.get_by_role("button", name="Encrypt", exact=True).click()
    blob = dialog.locator("#result-ciphertext")
    expect(blob).not_to_be_empty()
    expect(dialog.locator("#result-cli")).to_contain_text("osc-cli okms Encrypt --KeyId")
    screenshot(page, "crypto-dialog-encrypt")
    ciphertext = blob.text_content()

    dialog.get_by_role("link", name="Decrypt").click()
    dialog.get_by_label("Ciphertext blob (base64)").fill(ciphertext)
    dialog.get_by_role("button", name="+ Add context").click()
    dialog.get_by_label("Context key 1").fill("purpose")
    dialog.get_by_label("Context value 1").fill("training")
    dialog.get_by_role("button", name="Decrypt", exact=True).click()
    expect(dialog.locator("#result-plaintext")).to_have_text("Bonjour, OKMS")
    screenshot(page, "crypto-dialog-decrypt")

    # A wrong context is refused inside the dialog.
    dialog.get_by_label("Context value 1").fill("production")
    dialog.get_by_role("button", name="Decrypt", exact=True).click()
    expect(dialog.locator("#crypto-error")).to_have_text(
        "Cryptographic operation failed in cipher operation")
    dialog.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
