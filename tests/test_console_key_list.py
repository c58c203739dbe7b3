"""The keys page at 10,000 CMKs: same query count as at 10; search, filter, sort, paging."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kms import clock, keystore
from kms.models import DISABLED, ENABLED, Key, Tag

HX = {"HX-Request": "true"}


def bulk_keys(account, n: int) -> list[str]:
    """n keys made in bulk (as create_key would, but in one insert): every 7th Disabled,
    every 100th tagged team=blue, descriptions 'key 00000' and up."""
    start = clock.now() - timedelta(days=1)
    keys = []
    for i in range(n):
        key_id = f"cmk-{i + 0x10000000:08x}"
        keys.append(Key(key_id=key_id, account=account, description=f"key {i:05d}",
                        state=DISABLED if i % 7 == 0 else ENABLED,
                        created_at=start + timedelta(seconds=i),
                        material=keystore.wrap(b"\0" * 32, f"cmk:{key_id}:1")))
    Key.objects.bulk_create(keys, batch_size=1000)
    saved = {k.key_id: k.pk for k in Key.objects.for_account(account).only("id", "key_id")}
    Tag.objects.bulk_create([Tag(key_id=saved[k.key_id], tag_key="team", tag_value="blue")
                             for i, k in enumerate(keys) if i % 100 == 0])
    return [k.key_id for k in keys]


def ids_in(html: str) -> list[str]:
    return re.findall(r'<tr id="row-(cmk-[0-9a-f]{8})"', html)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=HX).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def big(alice):
    alice.key_quota = 20_000
    alice.save()
    return bulk_keys(alice, 10_000)


def test_the_query_count_is_the_same_at_10_and_10000_keys(alice, alice_client):
    alice.key_quota = 20_000
    alice.save()
    bulk_keys(alice, 10)
    urls = ["/keys/", "/keys/?q=blue", "/keys/?state=Disabled&sort=id&dir=asc",
            "/keys/?page=3"]
    few = [queries(alice_client, url) for url in urls]
    Key.objects.for_account(alice).exclude(key_id=alice.default_key_id).delete()
    bulk_keys(alice, 10_000)
    assert [queries(alice_client, url) for url in urls] == few


def test_paging_shows_50_newest_first(alice, alice_client, big):
    html = alice_client.get("/keys/").content.decode()
    assert ids_in(html) == [alice.default_key_id, *big[::-1][:49]]
    assert "Page 1 of 201" in html
    last = alice_client.get("/keys/?page=201").content.decode()
    assert len(ids_in(last)) == 1  # 10,001 keys with the default CMK


def test_search_by_id_description_and_tag(alice_client, big):
    assert ids_in(alice_client.get(f"/keys/?q={big[1234]}").content.decode()) == [big[1234]]
    assert ids_in(alice_client.get("/keys/?q=key 04321").content.decode()) == [big[4321]]
    tagged = ids_in(alice_client.get("/keys/?q=blue&sort=id&dir=asc").content.decode())
    assert tagged == big[0:5000:100]


def test_filter_by_state(alice_client, big):
    html = alice_client.get("/keys/?state=Disabled&sort=id&dir=asc").content.decode()
    assert ids_in(html) == big[0:350:7]
    assert "1429 matching" in html


@pytest.mark.parametrize(("sort", "direction", "expected"), [
    ("id", "asc", lambda big, default: sorted([*big, default])[:50]),
    ("id", "desc", lambda big, default: sorted([*big, default], reverse=True)[:50]),
    ("created", "asc", lambda big, default: big[:50]),
    ("description", "desc", lambda big, default: big[::-1][:50]),
])
def test_sort_by_column(alice, alice_client, big, sort, direction, expected):
    html = alice_client.get(f"/keys/?sort={sort}&dir={direction}").content.decode()
    assert ids_in(html) == expected(big, alice.default_key_id)


def test_bad_list_parameters_fall_back_to_defaults(alice, alice_client, big):
    html = alice_client.get("/keys/?sort=material&dir=sideways&state=Bogus&page=abc")
    assert html.status_code == 200
    assert ids_in(html.content.decode()) == [alice.default_key_id, *big[::-1][:49]]
