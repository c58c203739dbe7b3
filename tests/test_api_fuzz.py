"""Arbitrary JSON bodies and targets: never a 5xx, always a JSON answer."""

import json

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kms.api.views import ACTIONS
from tests.conftest import signed_post

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from([
    "KeyId", "Description", "Tags", "TagKeys", "Limit", "Marker", "PendingWindowInDays",
    "Plaintext", "CiphertextBlob", "EncryptionContext", "KeySpec", "NumberOfBytes",
    "KeyUsage", "Origin", "DestinationKeyId", "SourceKeyId", "GrantTokens",
]) | st.text(max_size=12)
bodies = st.dictionaries(field_names, json_values, max_size=6).map(json.dumps) | st.one_of(
    json_values.map(json.dumps), st.binary(max_size=40))
targets = st.sampled_from(sorted(ACTIONS)) | st.text(max_size=30)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=targets, body=bodies)
def test_any_body_and_target_gets_a_json_answer_and_no_5xx(alice_creds, target, body):
    target = target.replace("\n", " ").replace("\r", " ")
    response = signed_post(Client(), alice_creds, target or None, body)
    assert response.status_code < 500, response.content
    assert response["Content-Type"] == "application/x-amz-json-1.1"
    payload = json.loads(response.content)
    assert isinstance(payload, dict)
    if response.status_code != 200:
        assert set(payload) == {"__type", "message"}
