"""osc-cli (PyPI osc-sdk) and curl against a live server, as trainees run them."""

import json
import re
import shutil
import subprocess

import pytest

from kms.models import Key

pytestmark = pytest.mark.live


def test_the_seeds_osc_cli_command(osc, alice):
    meta = osc.json("CreateKey", "--Description", "DESCRIPTION",
                    "--Tags", '[{"TagKey": "AAAA", "TagValue": "BBBB"}]')["KeyMetadata"]
    assert list(meta) == ["Origin", "KeyId", "Description", "DeletionDate", "KeyManager",
                          "Enabled", "KeyUsage", "KeyState", "CreationDate", "Arn",
                          "AWSAccountId"]
    assert meta["Origin"] == "OKMS"
    assert re.fullmatch(r"cmk-[0-9a-f]{8}", meta["KeyId"])
    assert meta["Description"] == "DESCRIPTION"
    assert meta["DeletionDate"] is None
    assert meta["KeyManager"] == "CUSTOMER"
    assert meta["Enabled"] is True
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeyState"] == "Enabled"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", meta["CreationDate"])
    assert meta["Arn"] == f"arn:aws:kms:eu-west-2:111111111111:key/{meta['KeyId']}"
    assert meta["AWSAccountId"] == "111111111111"
    key = Key.objects.get(key_id=meta["KeyId"])
    assert [(t.tag_key, t.tag_value) for t in key.tags.all()] == [("AAAA", "BBBB")]


def test_osc_cli_describe_list_schedule_and_cancel(osc, alice):
    key_id = osc.json("CreateKey", "--Description", "lifecycle")["KeyMetadata"]["KeyId"]
    assert osc.json("DescribeKey", "--KeyId", key_id)["KeyMetadata"]["KeyId"] == key_id
    listed = [k["KeyId"] for k in osc.json("ListKeys")["Keys"]]
    assert listed == [alice.default_key_id, key_id]
    scheduled = osc.json("ScheduleKeyDeletion", "--KeyId", key_id, "--PendingWindowInDays", "7")
    assert scheduled["KeyId"] == key_id and scheduled["DeletionDate"]
    assert osc.json("DescribeKey", "--KeyId", key_id)["KeyMetadata"]["KeyState"] == (
        "PendingDeletion")
    assert osc.json("CancelKeyDeletion", "--KeyId", key_id) == {"KeyId": key_id}
    assert osc.json("DescribeKey", "--KeyId", key_id)["KeyMetadata"]["KeyState"] == "Disabled"


def test_osc_cli_actions_without_output_print_nothing(osc, alice):
    key_id = osc.json("CreateKey", "--Description", "quiet")["KeyMetadata"]["KeyId"]
    done = osc.run("DisableKey", "--KeyId", key_id)
    assert done.returncode == 0 and done.stdout.strip() == ""


def test_osc_cli_sees_the_okms_error(osc, alice):
    done = osc.run("DescribeKey", "--KeyId", "cmk-00000000")
    assert done.returncode != 0
    assert "NotFoundException" in done.stderr + done.stdout
    assert "The customer master key does not exist: cmk-00000000" in done.stderr + done.stdout


def test_osc_cli_numeric_description_is_kept_as_text(osc, alice):
    meta = osc.json("CreateKey", "--Description", "2024")["KeyMetadata"]
    assert meta["Description"] == "2024"


def test_osc_cli_encrypt_and_decrypt(osc, alice):
    import base64
    blob = osc.json("Encrypt", "--KeyId", alice.default_key_id,
                    "--Plaintext", base64.b64encode(b"hello trainee").decode())["CiphertextBlob"]
    plain = osc.json("Decrypt", "--CiphertextBlob", blob)["Plaintext"]
    assert base64.b64decode(plain) == b"hello trainee"


@pytest.fixture
def curl():
    exe = shutil.which("curl")
    if exe is None:
        pytest.fail("curl is required (apt-get install curl)")
    return exe


def run_curl(curl, live_server, creds, target, body="{}", region="eu-west-2"):
    done = subprocess.run(
        [curl, "-s", "-X", "POST", live_server.url, "--user",
         f"{creds.access_key}:{creds.secret_key}", "--aws-sigv4", f"aws:amz:{region}:kms",
         "-H", f"x-amz-target: TrentService.{target}",
         "-H", "Content-Type: application/x-amz-json-1.1", "--data", body,
         "-w", "\n%{http_code}"],
        capture_output=True, text=True, timeout=30,
    )
    body_text, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body_text)


def test_curl_with_aws_sigv4(curl, live_server, alice_creds, alice):
    status, payload = run_curl(curl, live_server, alice_creds, "ListKeys")
    assert status == 200
    assert [k["KeyId"] for k in payload["Keys"]] == [alice.default_key_id]
    status, payload = run_curl(curl, live_server, alice_creds, "CreateKey",
                               '{"Description": "from curl"}')
    assert status == 200 and payload["KeyMetadata"]["Description"] == "from curl"


def test_curl_signed_for_another_region_is_refused(curl, live_server, alice_creds):
    status, payload = run_curl(curl, live_server, alice_creds, "ListKeys", region="us-east-1")
    assert (status, payload["__type"]) == (403, "SignatureDoesNotMatch")
