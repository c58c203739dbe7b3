"""Load, races and crashes against gunicorn as shipped, on the suite's database engine
(SQLite in the first CI run, PostgreSQL in the second)."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from tests.gunicorn_server import Database, Server

pytestmark = pytest.mark.live

LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "15"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    database = Database(tmp)
    srv = Server(tmp, database)
    srv.manage("migrate", "--noinput", "-v", "0")
    srv.start()
    yield srv
    srv.stop()
    database.drop()


def client(url: str, ak: str, sk: str):
    return boto3.client(
        "kms", endpoint_url=url, region_name="eu-west-2", aws_access_key_id=ak,
        aws_secret_access_key=sk,
        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                      max_pool_connections=4, connect_timeout=5, read_timeout=30),
    )


class Tally:
    """What the clients saw, and what the server acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.keys: set[str] = set()
        self.scheduled: set[str] = set()
        self.tags: dict[str, dict[str, str]] = {}
        self.ciphertexts: list[tuple[bytes, bytes, dict, str]] = []

    def status(self, code: int, detail: str = "") -> None:
        with self.lock:
            self.statuses[code] += 1
            if code >= 500:
                self.failures.append(detail)


def mixed_worker(kms, tally: Tally, stop_at: float, seed: int) -> None:
    rnd = random.Random(seed)
    mine: list[str] = []
    doomed: list[str] = []
    while time.monotonic() < stop_at:
        op = rnd.choice(["create", "encrypt", "encrypt", "decrypt", "tag", "schedule"])
        try:
            if op == "create" or not mine:
                key_id = kms.create_key(Description=f"load {seed}")["KeyMetadata"]["KeyId"]
                with tally.lock:
                    tally.keys.add(key_id)
                mine.append(key_id)
            elif op == "encrypt":
                key_id = rnd.choice(mine)
                data = os.urandom(rnd.choice([1, 100, 4096]))
                ctx = {"worker": str(seed), "n": str(rnd.randint(0, 9))}
                blob = kms.encrypt(KeyId=key_id, Plaintext=data,
                                   EncryptionContext=ctx)["CiphertextBlob"]
                with tally.lock:
                    tally.ciphertexts.append((blob, data, ctx, key_id))
            elif op == "decrypt" and tally.ciphertexts:
                with tally.lock:
                    blob, data, ctx, key_id = rnd.choice(tally.ciphertexts)
                if key_id in tally.scheduled:
                    continue
                assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)[
                    "Plaintext"] == data
            elif op == "tag":
                key_id = rnd.choice(mine)
                value = str(rnd.randint(0, 1000))
                kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": f"t{seed}", "TagValue": value}])
                with tally.lock:
                    tally.tags.setdefault(key_id, {})[f"t{seed}"] = value
            elif op == "schedule":
                key_id = kms.create_key(Description="doomed")["KeyMetadata"]["KeyId"]
                with tally.lock:
                    tally.keys.add(key_id)
                kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
                with tally.lock:
                    tally.scheduled.add(key_id)
                doomed.append(key_id)
            tally.status(200)
        except ClientError as exc:
            meta = exc.response["ResponseMetadata"]
            tally.status(meta["HTTPStatusCode"], str(exc.response.get("Error")))


def test_32_clients_mixing_writes_and_crypto_lose_nothing(server):
    _, ak, sk = server.account("load", quota=1_000_000)
    clients = [client(server.url, ak, sk) for _ in range(32)]
    tally = Tally()
    stop_at = time.monotonic() + LOAD_SECONDS
    with ThreadPoolExecutor(32) as pool:
        futures = [pool.submit(mixed_worker, c, tally, stop_at, i) for i, c in enumerate(clients)]
        for future in futures:
            future.result()

    total = sum(tally.statuses.values())
    assert total > 200, tally.statuses
    assert tally.statuses == Counter({200: total}), (tally.statuses, tally.failures[:5])
    assert "database is locked" not in server.log_text()
    assert "Traceback" not in server.log_text()

    kms = clients[0]
    listed = set()
    for page in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1000}):
        listed |= {k["KeyId"] for k in page["Keys"]}
    assert tally.keys <= listed
    for key_id in tally.scheduled:
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    for key_id, tags in tally.tags.items():
        have = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
        assert have == tags
    for blob, data, ctx, _ in tally.ciphertexts:
        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)["Plaintext"] == data


def test_20_concurrent_creates_one_below_the_quota_let_exactly_one_through(server):
    _, ak, sk = server.account("race", quota=5)
    kms = client(server.url, ak, sk)
    for _ in range(3):
        kms.create_key()
    barrier = threading.Barrier(20)
    clients = [client(server.url, ak, sk) for _ in range(20)]

    def create(c) -> str:
        barrier.wait()
        try:
            c.create_key(Description="race")
            return "created"
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    with ThreadPoolExecutor(20) as pool:
        outcomes = Counter(pool.map(create, clients))
    assert outcomes == Counter({"created": 1, "LimitExceededException": 19})
    assert len(kms.list_keys()["Keys"]) == 5


def test_concurrent_schedule_and_cancel_leave_a_valid_state(server):
    _, ak, sk = server.account("flipflop", quota=10)
    kms = client(server.url, ak, sk)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    clients = [client(server.url, ak, sk) for _ in range(16)]
    barrier = threading.Barrier(16)

    def flip(i: int) -> set[str]:
        barrier.wait()
        seen = set()
        for _ in range(10):
            try:
                if i % 2:
                    clients[i].schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
                else:
                    clients[i].cancel_key_deletion(KeyId=key_id)
                seen.add("ok")
            except ClientError as exc:
                seen.add(exc.response["Error"]["Code"])
        return seen

    with ThreadPoolExecutor(16) as pool:
        seen = set().union(*pool.map(flip, range(16)))
    assert seen <= {"ok", "KMSInvalidStateException"}
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    if meta["KeyState"] == "PendingDeletion":
        assert "DeletionDate" in meta
    else:
        assert meta["KeyState"] in ("Enabled", "Disabled") and "DeletionDate" not in meta


def test_sigkill_during_writes_loses_no_acknowledged_write(tmp_path):
    database = Database(tmp_path)
    srv = Server(tmp_path, database)
    try:
        srv.manage("migrate", "--noinput", "-v", "0")
        _, ak, sk = srv.account("crash", quota=1_000_000)
        srv.start()
        acked: dict[str, str] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def writer(i: int) -> None:
            kms = client(srv.url, ak, sk)
            while not stop.is_set():
                try:
                    key_id = kms.create_key(Description=f"w{i}")["KeyMetadata"]["KeyId"]
                    with lock:
                        acked[key_id] = ""
                    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "w", "TagValue": str(i)}])
                    with lock:
                        acked[key_id] = str(i)
                except (ClientError, ConnectionError, HTTPClientError):
                    time.sleep(0.05)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(4)
        srv.kill()  # SIGKILL to the master and its workers, mid-write
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert len(acked) > 20

        srv.start()
        kms = client(srv.url, ak, sk)
        listed = set()
        for page in kms.get_paginator("list_keys").paginate():
            listed |= {k["KeyId"] for k in page["Keys"]}
        missing = set(acked) - listed
        assert not missing
        for key_id, tag in acked.items():
            if tag:
                tags = kms.list_resource_tags(KeyId=key_id)["Tags"]
                assert tags == [{"TagKey": "w", "TagValue": tag}]
    finally:
        srv.kill()
        database.drop()
