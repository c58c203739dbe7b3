"""AWS Signature Version 4 verification, as osc-cli, boto3, the AWS CLI and curl sign.

The canonical request is rebuilt from the headers the client lists in ``SignedHeaders``
(which must cover ``host`` and ``x-amz-date``), the raw ``Host`` header, the path, the
query string and the SHA-256 of the body as received: a header the client claims about
the body is never trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*"
    r"Signature=(?P<signature>[0-9a-fA-F]+)\s*"
)


class NoCredentials(Exception):
    """No Authorization header, or one that cannot be read: 401 AuthFailure."""


class BadSignature(Exception):
    """Credentials present but wrong in any way: 403 SignatureDoesNotMatch.

    The reason is for logs and tests, never sent to the client."""


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(header: str | None) -> Credentials:
    if not header:
        raise NoCredentials("no Authorization header")
    match = AUTH_RE.fullmatch(header.strip())
    if not match:
        raise NoCredentials("unreadable Authorization header")
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise NoCredentials("unreadable credential scope")
    return Credentials(
        access_key_id=parts[0],
        date=parts[1],
        region=parts[2],
        service=parts[3],
        signed_headers=tuple(match["signed"].lower().split(";")),
        signature=match["signature"].lower(),
    )


@lru_cache(maxsize=1024)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


AMZ_DATE_RE = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z")


def parse_amz_date(value: str) -> datetime:
    """``yyyymmddTHHMMSSZ`` (strptime costs several times more)."""
    match = AMZ_DATE_RE.fullmatch(value)
    if not match:
        raise BadSignature("unreadable X-Amz-Date")
    try:
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        raise BadSignature("unreadable X-Amz-Date") from None


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(
        f"{quote(k, safe='-_.~')}={quote(val, safe='-_.~')}" for k, val in sorted(pairs)
    )


def _canonical_value(value: str) -> str:
    return " ".join(value.strip().split())


def verify(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    region: str,
    service: str,
    now: datetime,
    max_skew: int,
    secret_for: Callable[[str], str | None],
) -> Credentials:
    """Check a request's signature; return its credentials or raise.

    ``headers`` maps lower-case names to values; ``secret_for`` gives an access key's
    secret, or None when the key is unknown.
    """
    creds = parse_authorization(headers.get("authorization"))
    signed = creds.signed_headers
    if "host" not in signed or "x-amz-date" not in signed:
        raise BadSignature("SignedHeaders must cover host and x-amz-date")
    if creds.service != service:
        raise BadSignature(f"service {creds.service!r} is not {service!r}")
    if creds.region != region:
        raise BadSignature(f"region {creds.region!r} is not {region!r}")
    amz_date = headers.get("x-amz-date", "")
    when = parse_amz_date(amz_date)
    if amz_date[:8] != creds.date:
        raise BadSignature("credential date is not the X-Amz-Date")
    if abs((now - when).total_seconds()) > max_skew:
        raise BadSignature("X-Amz-Date too far from the server's clock")
    missing = [h for h in signed if h not in headers]
    if missing:
        raise BadSignature(f"signed headers missing from the request: {missing}")
    secret = secret_for(creds.access_key_id)
    if secret is None:
        raise BadSignature("unknown access key")

    canonical_headers = "".join(f"{h}:{_canonical_value(headers[h])}\n" for h in signed)
    canonical_request = "\n".join(
        [
            method,
            quote(path or "/", safe="/-_.~"),
            _canonical_query(query),
            canonical_headers,
            ";".join(signed),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{creds.date}/{creds.region}/{creds.service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = signing_key(secret, creds.date, creds.region, creds.service)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, creds.signature):
        raise BadSignature("signature mismatch")
    return creds
