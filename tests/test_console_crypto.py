import base64
import re

from kms import operations as ops

HX = {"HX-Request": "true"}


def post(client, key_id, data, **headers):
    return client.post(f"/keys/{key_id}/crypto/", data, headers={**HX, **headers})


def test_the_crypto_dialog_opens_for_htmx(alice, alice_client):
    response = alice_client.get(f"/keys/{alice.default_key_id}/crypto/", headers=HX)
    html = response.content.decode()
    assert html.lstrip().startswith("<dialog")
    assert '<h2 id="crypto-title">ENCRYPT / DECRYPT</h2>' in html
    assert 'hx-history="false"' in html
    assert response["Cache-Control"] == "no-store"


def test_encrypt_text_with_a_context_and_decrypt_it_back(alice, alice_client):
    key_id = alice.default_key_id
    response = post(alice_client, key_id, {"operation": "encrypt", "input_format": "text",
                                           "plaintext": "héllo", "ctx_key": ["app"],
                                           "ctx_value": ["demo"]})
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    blob = re.search(r'<pre class="snippet" id="result-ciphertext">([^<]+)</pre>', html)[1]
    assert ops.decrypt(alice, ciphertext_blob=base64.b64decode(blob),
                       encryption_context={"app": "demo"})["Plaintext"] == "héllo".encode()
    plain_b64 = base64.b64encode("héllo".encode()).decode()
    assert (f"osc-cli okms Encrypt --KeyId {key_id} --Plaintext {plain_b64} "
            "--EncryptionContext &#x27;{&quot;app&quot;: &quot;demo&quot;}&#x27;") in html

    response = post(alice_client, key_id, {"operation": "decrypt", "ciphertext": blob,
                                           "ctx_key": ["app"], "ctx_value": ["demo"]})
    html = response.content.decode()
    assert '<pre class="snippet" id="result-plaintext">héllo</pre>' in html


def test_encrypt_base64_input(alice, alice_client):
    response = post(alice_client, alice.default_key_id, {
        "operation": "encrypt", "input_format": "base64",
        "plaintext": base64.b64encode(b"\x00\xff").decode()})
    blob = re.search(r'id="result-ciphertext">([^<]+)<', response.content.decode())[1]
    assert ops.decrypt(alice, ciphertext_blob=base64.b64decode(blob))["Plaintext"] == b"\x00\xff"


def test_bad_input_shows_the_cores_message_beside_the_field(alice, alice_client):
    key_id = alice.default_key_id
    html = post(alice_client, key_id, {"operation": "encrypt", "plaintext": ""}).content.decode()
    assert "Parameter cannot be empty: Plaintext" in html and 'id="plaintext-error"' in html
    html = post(alice_client, key_id, {"operation": "encrypt",
                                       "plaintext": "x" * 4097}).content.decode()
    assert "Length of parameter &#x27;Plaintext&#x27; is invalid: 4097" in html
    html = post(alice_client, key_id, {"operation": "decrypt",
                                       "ciphertext": "AAAA" * 20}).content.decode()
    assert "Cryptographic operation failed in cipher operation" in html
    html = post(alice_client, key_id, {"operation": "encrypt", "input_format": "base64",
                                       "plaintext": "%%%"}).content.decode()
    assert "Value of parameter &#x27;Plaintext&#x27; is not valid base64" in html


def test_a_disabled_key_says_so_in_the_dialog(alice, alice_client):
    key_id = ops.create_key(alice)["KeyId"]
    ops.disable_key(alice, key_id=key_id)
    html = post(alice_client, key_id, {"operation": "encrypt", "plaintext": "x"}).content.decode()
    assert f"The customer master key is disabled: {key_id}" in html


def test_generate_data_key_shows_both_forms(alice, alice_client):
    html = post(alice_client, alice.default_key_id, {
        "operation": "generate-data-key", "key_spec": "AES_128"}).content.decode()
    plain = re.search(r'id="result-data-key">([^<]+)<', html)[1]
    blob = re.search(r'id="result-ciphertext">([^<]+)<', html)[1]
    assert len(base64.b64decode(plain)) == 16
    assert ops.decrypt(alice, ciphertext_blob=base64.b64decode(blob))["Plaintext"] == (
        base64.b64decode(plain))
    assert "osc-cli okms GenerateDataKey --KeySpec" not in html
    assert f"osc-cli okms GenerateDataKey --KeyId {alice.default_key_id} --KeySpec AES_128" in html


def test_another_accounts_key_has_no_crypto_dialog(bob, alice_client):
    assert alice_client.get(f"/keys/{bob.default_key_id}/crypto/").status_code == 404
    assert post(alice_client, bob.default_key_id, {"operation": "encrypt",
                                                   "plaintext": "x"}).status_code == 404


def test_the_dialog_works_without_javascript(alice, alice_client):
    response = alice_client.post(f"/keys/{alice.default_key_id}/crypto/",
                                 {"operation": "encrypt", "plaintext": "no js"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="result-ciphertext"' in html
    assert response["Cache-Control"] == "no-store"
