"""The benchmark (`make bench`): the API under gunicorn as shipped, against moto's server
and a minimal WSGI app, all driven by wrk in the same run; and the console's keys page
at 100 and 10,000 CMKs. Prints one table of requests/s, p50 and p99, and the ratios.

Machines here are shared and noisy: read the ratios, which are taken in the same run,
rather than the absolute figures. BENCH_SECONDS sets the length of each wrk run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
THREADS, CONNECTIONS = 2, 16
PAGE_ROUNDS, PAGE_CONNECTIONS = 8, 4
REGION = "eu-west-2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def gunicorn_settings() -> dict:
    conf: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)
    return conf


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 (the process keeps it)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def sign(host: str, target: str, body: str, ak: str, sk: str) -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url=f"http://{host}/", data=body.encode(), headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{target}"})
    SigV4Auth(Credentials(ak, sk), "kms", REGION).add_auth(request)
    return dict(request.headers.items())


def wrk(url: str, *, method: str = "GET", body: str = "", headers: dict | None = None,
        tmp: Path, seconds: int = SECONDS, connections: int = CONNECTIONS) -> dict:
    script = tmp / f"wrk-{secrets.token_hex(4)}.lua"
    lines = [f'wrk.method = "{method}"']
    if body:
        lines.append(f"wrk.body = [==[{body}]==]")
    for name, value in (headers or {}).items():
        lines.append(f'wrk.headers["{name}"] = [==[{value}]==]')
    script.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
         str(script), url], capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"),
            "non2xx": int(non2xx[1]) if non2xx else 0,
            "socket_errors": errors[0] if errors else ""}


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is required: apt-get install wrk", file=sys.stderr)
        return 2
    if not (BIN / "moto_server").exists():
        print("moto's server is required: pip install -r bench/requirements.txt",
              file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="okms-bench-"))
    conf = gunicorn_settings()
    ours_port, moto_port, ceiling_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "KMS_ROOT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "0",
        "KMS_DATA_DIR": str(tmp / "data"),
        "GUNICORN_BIND": f"127.0.0.1:{ours_port}",
        "GUNICORN_ACCESSLOG": "/dev/null",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True)
    seed = json.loads(subprocess.run([sys.executable, "bench/seed.py"], cwd=ROOT, env=env,
                                     check=True, capture_output=True, text=True).stdout)
    procs = [
        start([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], env, tmp / "ours.log"),
        start([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)], env,
              tmp / "moto.log"),
        start([str(BIN / "gunicorn"), "-w", str(conf["workers"]), "--threads",
               str(conf["threads"]), "-k", conf["worker_class"], "-b",
               f"127.0.0.1:{ceiling_port}", "--access-logfile", "/dev/null",
               "bench.minimal_wsgi:app"], env, tmp / "ceiling.log"),
    ]
    try:
        for port in (ours_port, moto_port, ceiling_port):
            wait_for(f"http://127.0.0.1:{port}/healthz")
        if os.environ.get("BENCH_HOLD"):
            print(json.dumps({"port": ours_port, **seed}), flush=True)
            time.sleep(float(os.environ["BENCH_HOLD"]))
            return 0
        return run(tmp, seed, ours_port, moto_port, ceiling_port, conf)
    finally:
        for proc in procs:
            stop(proc)


def run(tmp: Path, seed: dict, ours_port: int, moto_port: int, ceiling_port: int,
        conf: dict) -> int:
    import boto3

    ak, sk = seed["access_key"], seed["secret_key"]
    plaintext = base64.b64encode(os.urandom(4096)).decode()
    moto = boto3.client("kms", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name=REGION,
                        aws_access_key_id="bench", aws_secret_access_key="bench")
    moto_key = moto.create_key(Description="bench")["KeyMetadata"]["KeyId"]
    ours = boto3.client("kms", endpoint_url=f"http://127.0.0.1:{ours_port}", region_name=REGION,
                        aws_access_key_id=ak, aws_secret_access_key=sk)

    def blob(client, key_id: str) -> str:
        raw = client.encrypt(KeyId=key_id, Plaintext=base64.b64decode(plaintext))
        return base64.b64encode(raw["CiphertextBlob"]).decode()

    cases = {
        "Encrypt 4096 B": ("Encrypt", lambda k, c: {"KeyId": k, "Plaintext": plaintext}),
        "Decrypt 4096 B": ("Decrypt", lambda k, c: {"CiphertextBlob": blob(c, k)}),
        "DescribeKey": ("DescribeKey", lambda k, c: {"KeyId": k}),
        "CreateKey": ("CreateKey", lambda k, c: {"Description": "bench"}),
    }
    rows: list[tuple[str, str, dict]] = []
    ceiling_body = json.dumps(cases["Encrypt 4096 B"][1](seed["key_id"], None))
    host = f"127.0.0.1:{ceiling_port}"
    rows.append(("minimal WSGI app (ceiling)", "POST 5.5 KB, {} back", wrk(
        f"http://{host}/", method="POST", body=ceiling_body,
        headers=sign(host, "Encrypt", ceiling_body, ak, sk), tmp=tmp)))
    for name, (target, params) in cases.items():
        if os.environ.get("BENCH_ONLY") == "pages":
            break
        for label, port, key_id, client in (("okms-sandbox", ours_port, seed["key_id"], ours),
                                            ("moto server", moto_port, moto_key, moto)):
            body = json.dumps(params(key_id, client))
            host = f"127.0.0.1:{port}"
            rows.append((label, name, wrk(f"http://{host}/", method="POST", body=body,
                                          headers=sign(host, target, body, ak, sk), tmp=tmp)))
    # The page costs ~20 ms of CPU, so this machine's noise (bursts of stolen CPU lasting
    # seconds) swamps one long run. The two sizes alternate in short runs, 4 connections
    # each (a person's page load, not a queue), and each size keeps its median run.
    pages: dict[int, list[dict]] = {100: [], 10000: []}
    for _ in range(PAGE_ROUNDS):
        for n in (100, 10000):
            cookie = f"sessionid={seed[f'session_{n}']}"
            pages[n].append(wrk(f"http://127.0.0.1:{ours_port}/keys/",
                                headers={"Cookie": cookie}, tmp=tmp, seconds=2,
                                connections=PAGE_CONNECTIONS))
    for n, runs in pages.items():
        runs.sort(key=lambda r: r["p50"])
        rows.append(("okms-sandbox", f"console keys page, {n} CMKs (c{PAGE_CONNECTIONS})",
                     runs[len(runs) // 2]))

    print()
    print(f"okms-sandbox benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: wrk -t{THREADS} "
          f"-c{CONNECTIONS} -d{SECONDS}s; gunicorn {conf['workers']} workers x "
          f"{conf['threads']} threads ({conf['worker_class']}); database "
          f"{os.environ.get('DATABASE_URL', 'SQLite').split(':')[0]}")
    print(f"{'server':<28} {'request':<36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'non-2xx':>8}")
    for label, name, r in rows:
        print(f"{label:<28} {name:<36} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['non2xx']:>8}  {r['socket_errors']}")

    def get(label: str, name: str) -> dict:
        return next(r for lbl, n, r in rows if lbl == label and n == name)

    ceiling = rows[0][2]["rps"]
    checks = []
    print()
    print("ratios (same run)")
    for name, vs_moto, vs_ceiling in (("Encrypt 4096 B", 5, 0.40), ("Decrypt 4096 B", 5, 0.40),
                                      ("DescribeKey", None, None), ("CreateKey", 20, None)):
        o, m = get("okms-sandbox", name), get("moto server", name)
        line = (f"  {name:<16} {o['rps'] / m['rps']:6.1f}x moto   "
                f"{o['rps'] / ceiling:6.0%} of ceiling")
        if vs_moto:
            ok = o["rps"] >= vs_moto * m["rps"]
            checks.append(ok)
            line += f"   target >= {vs_moto}x moto: {'met' if ok else 'NOT met'}"
        if vs_ceiling:
            ok = o["rps"] >= vs_ceiling * ceiling
            checks.append(ok)
            line += f", >= {vs_ceiling:.0%} of ceiling: {'met' if ok else 'NOT met'}"
        print(line)
    small = get("okms-sandbox", f"console keys page, 100 CMKs (c{PAGE_CONNECTIONS})")
    big = get("okms-sandbox", f"console keys page, 10000 CMKs (c{PAGE_CONNECTIONS})")
    ok = big["p50"] <= 1.5 * small["p50"]
    checks.append(ok)
    print(f"  keys page p50   {big['p50'] / small['p50']:6.2f}x at 10,000 vs 100 CMKs   "
          f"target <= 1.5x: {'met' if ok else 'NOT met'}")
    errors = sum(r["non2xx"] for lbl, _, r in rows if lbl == "okms-sandbox")
    print(f"  non-2xx answers from okms-sandbox: {errors}")
    print(f"  targets met: {sum(checks)} of {len(checks)}")
    # A missed target is a finding, printed above; only a broken run fails the command.
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
