"""The operations of OKMS, named after its API actions.

Each takes the account it acts in, the ``Actor`` (who, from which face, which request) and
plain Python values; it enforces every rule, records the activity in the same transaction
as the change, and returns plain data (a KeyMetadata dict, bytes) or raises a
``KmsError``. Neither face decides anything these functions decide.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from . import activity, clock, crypto, errors, keystore
from . import validation as v
from .db import write_transaction
from .models import (
    DISABLED,
    ENABLED,
    PENDING_DELETION,
    AccessKey,
    Account,
    Activity,
    Key,
    Tag,
    User,
    count_live_keys,
    fast_insert,
    fetch_access_key,
    fetch_key,
    has_live_keys,
    key_id_taken,
    lock_account,
)


@dataclass
class Actor:
    """Who acts: a console user or an access key, and the request it came with."""

    source: str
    name: str
    request_id: str = ""

    @classmethod
    def console(cls, user: User, request_id: str = "") -> Actor:
        return cls(Activity.CONSOLE, user.email, request_id)

    @classmethod
    def api(cls, access_key_id: str, request_id: str = "") -> Actor:
        return cls(Activity.API, access_key_id, request_id)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(Activity.SYSTEM, name)


SYSTEM = Actor.system()


@dataclass
class _Op:
    action: str
    actor: Actor | None = None
    key_id: str = ""
    # A key found past its deletion date: purged once the refusal has rolled back.
    expired: Key | None = None


# Every action name an operation records, for filters of the activity log.
ACTIVITY_ACTIONS: set[str] = {"CreateAccount", "DeleteKey", "ResetAccount"}


def operation(action: str, *, writes: bool | str = True) -> Callable:
    """Run the body and record its activity.

    A change (``writes=True``) runs in one transaction with its activity record, so the
    record is there exactly when the change is. A read runs without a transaction (it
    takes no write lock) and its record is queued, as is every refusal: they change
    nothing, so they are written in batches (``kms.activity``). ``writes="self"``: the
    body opens its own write transaction and records its success in it, so that it can
    prepare its work before taking the lock.
    """
    ACTIVITY_ACTIONS.add(action)

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(account: Account, *args: Any, actor: Actor = SYSTEM, **kwargs: Any) -> Any:
            op = _Op(action, actor)
            try:
                if writes == "self":
                    result = fn(account, *args, op=op, **kwargs)
                elif writes:
                    with write_transaction():
                        result = fn(account, *args, op=op, **kwargs)
                        _record(account, actor, op, "Success")
                else:
                    result = fn(account, *args, op=op, **kwargs)
                    activity.record(_activity(account, actor, op, "Success"))
                return result
            except errors.KmsError as exc:
                if op.expired is not None:
                    _purge(op.expired)
                activity.record(_activity(account, actor, op, exc.code))
                raise

        return run

    return decorate


def _activity(account: Account, actor: Actor, op: _Op, result: str) -> dict[str, Any]:
    """The fields of an activity row (plain values: a queued record costs no model)."""
    return {
        "account_id": account.pk,
        "at": clock.now(),
        "source": actor.source,
        "actor": actor.name[:200],
        "action": op.action,
        "key_id": op.key_id[:12],
        "result": result[:64],
        "request_id": actor.request_id[:64],
    }


def _record(account: Account, actor: Actor, op: _Op, result: str) -> None:
    Activity(**_activity(account, actor, op, result)).save(force_insert=True)


# --- accounts --------------------------------------------------------------------------

ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")


def _new_key_id() -> str:
    while True:
        key_id = "cmk-" + secrets.token_hex(4)
        if not key_id_taken(key_id):
            return key_id


def _new_material(key_id: str) -> bytes:
    return keystore.wrap(crypto.new_key(), f"cmk:{key_id}:1")


@transaction.atomic
def create_account(
    *, email: str, password: str | None, account_id: str | None = None, name: str = ""
) -> Account:
    """Create an account, its default CMK and its first console user, all or nothing."""
    if account_id is None:
        while True:
            account_id = str(10**11 + secrets.randbelow(9 * 10**11))
            if not Account.objects.filter(account_id=account_id).exists():
                break
    elif not ACCOUNT_ID_RE.fullmatch(account_id):
        raise ValueError(f"An account id is 12 digits, got {account_id!r}")
    elif Account.objects.filter(account_id=account_id).exists():
        raise ValueError(f"Account id {account_id} is already taken")
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise ValueError(f"Email {email} is already taken")

    key_id = _new_key_id()
    # The account names its default key before the key exists; the database checks the
    # reference when this transaction commits.
    account = Account.objects.create(
        account_id=account_id,
        name=name,
        region=settings.KMS_REGION,
        key_quota=settings.KMS_DEFAULT_KEY_QUOTA,
        default_key_id=key_id,
    )
    Key.objects.create(
        key_id=key_id,
        account=account,
        description="Default master key",
        material=_new_material(key_id),
    )
    User.objects.create_user(email=email, password=password, account=account)
    _record(account, SYSTEM, _Op("CreateAccount", key_id=key_id), "Success")
    return account


def add_user(account: Account, *, email: str, password: str) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise ValueError(f"Email {email} is already taken")
    return User.objects.create_user(email=email, password=password, account=account)


# --- key lookups -----------------------------------------------------------------------


def parse_key_id(account: Account, raw: Any, field: str = "KeyId") -> str:
    """The bare KeyId from a KeyId or a key ARN; another account's ARN is not found."""
    raw = v.identifier(raw, field)
    match = v.ARN_RE.fullmatch(raw)
    if match:
        if match["account"] != account.account_id or match["region"] != account.region:
            raise errors.NotFound(raw)
        key_id = match["key_id"]
    else:
        key_id = raw
    if not v.KEY_ID_RE.fullmatch(key_id):
        raise errors.MalformedKeyId(raw)
    return key_id


def _get_key(account: Account, raw: Any, op: _Op, *, for_update: bool = False,
             field: str = "KeyId") -> Key:
    key_id = parse_key_id(account, raw, field)
    op.key_id = key_id
    key = fetch_key(account, key_id, for_update=for_update)
    if key is None:
        raise errors.NotFound(raw)
    if key.is_gone():
        op.expired = key
        raise errors.NotFound(raw)
    return key


def _purge(key: Key) -> None:
    """Delete a key whose deletion date has passed, and record it: its material is gone,
    so its ciphertexts can never be decrypted again."""
    with transaction.atomic():
        deleted, _ = Key.objects.filter(pk=key.pk, deletion_date__lte=clock.now()).delete()
        if deleted:
            _record(key.account, SYSTEM, _Op("DeleteKey", key_id=key.key_id), "Success")


def purge_expired_keys(account: Account | None = None) -> list[str]:
    """Delete every key whose deletion date has passed (for cron, or for one account
    before its list is shown); return their ids."""
    purged = []
    qs = Key.objects.expired().select_related("account")
    if account is not None:
        qs = qs.for_account(account)
    for key in qs:
        _purge(key)
        purged.append(key.key_id)
    return purged


def key_arn(account: Account, key_id: str) -> str:
    return f"arn:aws:kms:{account.region}:{account.account_id}:key/{key_id}"


def key_metadata(key: Key, account: Account | None = None) -> dict[str, Any]:
    """The KeyMetadata of the seed sample, same field names and order."""
    account = account or key.account
    return {
        "Origin": key.origin,
        "KeyId": key.key_id,
        "Description": key.description,
        "DeletionDate": clock.isoformat(key.deletion_date),
        "KeyManager": "OKMS" if account.default_key_id == key.key_id else "CUSTOMER",
        "Enabled": key.state == ENABLED,
        "KeyUsage": key.key_usage,
        "KeyState": key.state,
        "CreationDate": clock.isoformat(key.created_at),
        "Arn": key_arn(account, key.key_id),
        "AWSAccountId": account.account_id,
    }


def _refuse_pending(key: Key) -> None:
    if key.state == PENDING_DELETION:
        raise errors.InvalidState(key.key_id, key.state)


def _refuse_default(key: Key, verb: str) -> None:
    if key.account.default_key_id == key.key_id:
        raise errors.Unsupported(f"The default CMK of an account cannot be {verb}: {key.key_id}")


def refusal(key: Key, action: str) -> str | None:
    """Why ``action`` would be refused on ``key`` right now, or None: for the console to
    show disabled buttons with their reason. The operations below enforce the same."""
    is_default = key.account.default_key_id == key.key_id
    if action == "DisableKey" and is_default:
        return f"The default CMK of an account cannot be disabled: {key.key_id}"
    if action == "ScheduleKeyDeletion" and is_default:
        return f"The default CMK of an account cannot be deleted: {key.key_id}"
    if action == "CancelKeyDeletion":
        return None if key.state == PENDING_DELETION else str(
            errors.InvalidState(key.key_id, key.state).message
        )
    if action in ("EnableKey", "DisableKey", "UpdateKeyDescription", "TagResource",
                  "UntagResource", "ScheduleKeyDeletion") and key.state == PENDING_DELETION:
        return errors.InvalidState(key.key_id, key.state).message
    return None


# --- key management --------------------------------------------------------------------


def live_key_count(account: Account) -> int:
    return count_live_keys(account)


@operation("CreateKey", writes="self")
def create_key(
    account: Account,
    *,
    op: _Op,
    description: Any = None,
    key_usage: Any = None,
    origin: Any = None,
    tags: Any = None,
    console: bool = False,
) -> dict[str, Any]:
    """Create a CMK with fresh 256-bit material; the account's quota counts the default
    CMK. ``console=True`` applies the console's rule of a non-empty description."""
    desc = v.description(description, allow_empty=not console)
    v.choice(key_usage, "KeyUsage", v.KEY_USAGES, "ENCRYPT_DECRYPT")
    if isinstance(origin, str) and origin == "EXTERNAL":
        raise errors.Unsupported("Origin EXTERNAL (imported key material) is not supported")
    v.choice(origin, "Origin", v.ORIGINS, "OKMS")
    tag_list = v.tags(tags)
    # Everything that needs no lock is ready before the write transaction starts: on
    # SQLite the whole database waits while it runs.
    key_id = _new_key_id()
    material = _new_material(key_id)
    with write_transaction():
        # Lock the account row: concurrent creations at the quota queue here.
        locked = lock_account(account)
        if has_live_keys(locked, locked.key_quota):
            raise errors.LimitExceeded(
                f"The CMK quota of this account is reached: {locked.key_quota} CMKs, "
                "the default CMK included."
            )
        op.key_id = key_id
        key = fast_insert(Key(key_id=key_id, account=locked, description=desc,
                              material=material, created_at=clock.now()))
        if tag_list:
            Tag.objects.bulk_create([Tag(key=key, tag_key=k, tag_value=val)
                                     for k, val in tag_list])
        fast_insert(Activity(**_activity(locked, op.actor, op, "Success")))
    return key_metadata(key, locked)


@operation("DescribeKey", writes=False)
def describe_key(account: Account, *, op: _Op, key_id: Any) -> dict[str, Any]:
    return key_metadata(_get_key(account, key_id, op), account)


def _encode_marker(pk: int) -> str:
    return base64.urlsafe_b64encode(f"okms:{pk}".encode()).decode()


def _decode_marker(marker: Any) -> int:
    if not isinstance(marker, str):
        raise errors.InvalidMarker()
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, pk = text.split(":")
        if prefix != "okms":
            raise ValueError
        return int(pk)
    except (ValueError, binascii.Error, UnicodeError):
        raise errors.InvalidMarker() from None


@operation("ListKeys", writes=False)
def list_keys(account: Account, *, op: _Op, limit: Any = None, marker: Any = None) -> dict:
    """The account's keys in creation order, ``limit`` at a time, with an opaque marker."""
    size = v.list_limit(limit)
    qs = Key.objects.for_account(account).live().order_by("id")
    if marker is not None:
        qs = qs.filter(id__gt=_decode_marker(marker))
    rows = list(qs.values_list("id", "key_id")[: size + 1])
    out: dict[str, Any] = {
        "Keys": [{"KeyId": kid, "KeyArn": key_arn(account, kid)} for _, kid in rows[:size]],
        "Truncated": len(rows) > size,
    }
    if len(rows) > size:
        out["NextMarker"] = _encode_marker(rows[size - 1][0])
    return out


@operation("EnableKey")
def enable_key(account: Account, *, op: _Op, key_id: Any) -> None:
    key = _get_key(account, key_id, op, for_update=True)
    _refuse_pending(key)
    if key.state != ENABLED:
        key.state = ENABLED
        key.save(update_fields=["state"])


@operation("DisableKey")
def disable_key(account: Account, *, op: _Op, key_id: Any) -> None:
    key = _get_key(account, key_id, op, for_update=True)
    _refuse_default(key, "disabled")
    _refuse_pending(key)
    if key.state != DISABLED:
        key.state = DISABLED
        key.save(update_fields=["state"])


@operation("UpdateKeyDescription")
def update_key_description(account: Account, *, op: _Op, key_id: Any, description: Any,
                           console: bool = False) -> None:
    key = _get_key(account, key_id, op, for_update=True)
    desc = v.description(description, required=True, allow_empty=not console)
    _refuse_pending(key)
    key.description = desc
    key.save(update_fields=["description"])


@operation("ScheduleKeyDeletion")
def schedule_key_deletion(account: Account, *, op: _Op, key_id: Any,
                          pending_window_in_days: Any = None) -> dict[str, Any]:
    key = _get_key(account, key_id, op, for_update=True)
    days = v.pending_window(pending_window_in_days)
    _refuse_default(key, "deleted")
    _refuse_pending(key)
    key.state = PENDING_DELETION
    key.deletion_date = clock.now() + clock.days(days)
    key.save(update_fields=["state", "deletion_date"])
    return {"KeyId": key.key_id, "DeletionDate": clock.isoformat(key.deletion_date)}


@operation("CancelKeyDeletion")
def cancel_key_deletion(account: Account, *, op: _Op, key_id: Any) -> dict[str, Any]:
    key = _get_key(account, key_id, op, for_update=True)
    if key.state != PENDING_DELETION:
        raise errors.InvalidState(key.key_id, key.state)
    # As in AWS KMS: a key whose deletion is cancelled comes back Disabled.
    key.state = DISABLED
    key.deletion_date = None
    key.save(update_fields=["state", "deletion_date"])
    return {"KeyId": key.key_id}


@operation("TagResource")
def tag_resource(account: Account, *, op: _Op, key_id: Any, tags: Any) -> None:
    """Add tags; a key already present gets the new value. At most 50 tags a key."""
    key = _get_key(account, key_id, op, for_update=True)
    tag_list = v.tags(tags, required=True)
    _refuse_pending(key)
    current = {t.tag_key: t for t in key.tags.all()}
    new_keys = {k for k, _ in tag_list} - current.keys()
    if len(current) + len(new_keys) > v.TAGS_PER_KEY_MAX:
        raise errors.TagError(
            f"Too many tags: {len(current) + len(new_keys)}. "
            f"A CMK can have at most {v.TAGS_PER_KEY_MAX} tags.",
            field="Tags",
        )
    for k, val in tag_list:
        if k in current:
            if current[k].tag_value != val:
                current[k].tag_value = val
                current[k].save(update_fields=["tag_value"])
        else:
            Tag.objects.create(key=key, tag_key=k, tag_value=val)


@operation("UntagResource")
def untag_resource(account: Account, *, op: _Op, key_id: Any, tag_keys: Any) -> None:
    key = _get_key(account, key_id, op, for_update=True)
    names = v.tag_keys(tag_keys)
    _refuse_pending(key)
    key.tags.filter(tag_key__in=names).delete()


@operation("TagResource")
def replace_tags(account: Account, *, op: _Op, key_id: Any, tags: Any) -> None:
    """Make a key's tags exactly ``tags`` (the console's Manage tags): validated whole
    first, then applied in one transaction, so a mistake loses nothing."""
    key = _get_key(account, key_id, op, for_update=True)
    tag_list = v.tags(tags)
    _refuse_pending(key)
    wanted = dict(tag_list)
    key.tags.exclude(tag_key__in=list(wanted)).delete()
    current = {t.tag_key: t for t in key.tags.all()}
    for k, val in tag_list:
        if k not in current:
            Tag.objects.create(key=key, tag_key=k, tag_value=val)
        elif current[k].tag_value != val:
            current[k].tag_value = val
            current[k].save(update_fields=["tag_value"])


@operation("ListResourceTags", writes=False)
def list_resource_tags(account: Account, *, op: _Op, key_id: Any) -> dict[str, Any]:
    key = _get_key(account, key_id, op)
    return {
        "Tags": [{"TagKey": t.tag_key, "TagValue": t.tag_value} for t in key.tags.all()],
        "Truncated": False,
    }


# --- cryptography ----------------------------------------------------------------------


def _material(key: Key) -> bytes:
    return keystore.unwrap(key.material, f"cmk:{key.key_id}:{key.material_version}")


def _usable(key: Key) -> None:
    """A key's material may be used only while it is Enabled."""
    if key.state == DISABLED:
        raise errors.Disabled(key.key_id)
    if key.state == PENDING_DELETION:
        raise errors.InvalidState(key.key_id, key.state)


def _seal_for(key: Key, plaintext: bytes, context: dict[str, str]) -> bytes:
    return crypto.encode_blob(key.key_id, key.material_version, _material(key), plaintext,
                              context)


def _open_blob(account: Account, op: _Op, blob: bytes, context: dict[str, str],
               key_id: Any = None, field: str = "KeyId") -> tuple[Key, bytes]:
    """Decrypt a blob of this account. Whatever is wrong with the blob itself (not ours,
    another account's, a deleted key's, a changed byte, a wrong context), the answer is
    the same InvalidCiphertextException."""
    wanted = parse_key_id(account, key_id, field) if key_id is not None else None
    try:
        parsed = crypto.parse_blob(blob)
    except crypto.CryptoError:
        raise errors.InvalidCiphertext() from None
    if wanted is not None and wanted != parsed.key_id:
        op.key_id = wanted
        raise errors.IncorrectKey()
    key = fetch_key(account, parsed.key_id) if v.KEY_ID_RE.fullmatch(parsed.key_id) else None
    if (key is None or key.material_version != parsed.material_version
            or key.is_gone()):
        raise errors.InvalidCiphertext()
    op.key_id = key.key_id
    _usable(key)
    try:
        return key, crypto.open_blob(parsed, _material(key), context)
    except crypto.CryptoError:
        raise errors.InvalidCiphertext() from None


def _usable_key(account: Account, op: _Op, key_id: Any, field: str = "KeyId") -> Key:
    key = _get_key(account, key_id, op, field=field)
    _usable(key)
    return key


@operation("Encrypt", writes=False)
def encrypt(account: Account, *, op: _Op, key_id: Any, plaintext: Any,
            encryption_context: Any = None) -> dict[str, Any]:
    key = _get_key(account, key_id, op)
    data = v.plaintext(plaintext)
    ctx = v.context(encryption_context)
    _usable(key)
    return {"CiphertextBlob": _seal_for(key, data, ctx), "KeyId": key.key_id}


@operation("Decrypt", writes=False)
def decrypt(account: Account, *, op: _Op, ciphertext_blob: Any, encryption_context: Any = None,
            key_id: Any = None) -> dict[str, Any]:
    blob = v.ciphertext(ciphertext_blob)
    ctx = v.context(encryption_context)
    key, data = _open_blob(account, op, blob, ctx, key_id)
    return {"KeyId": key.key_id, "Plaintext": data}


@operation("ReEncrypt", writes=False)
def re_encrypt(account: Account, *, op: _Op, ciphertext_blob: Any, destination_key_id: Any,
               source_encryption_context: Any = None, destination_encryption_context: Any = None,
               source_key_id: Any = None) -> dict[str, Any]:
    blob = v.ciphertext(ciphertext_blob)
    src_ctx = v.context(source_encryption_context, "SourceEncryptionContext")
    dst_ctx = v.context(destination_encryption_context, "DestinationEncryptionContext")
    dest = _usable_key(account, op, destination_key_id, "DestinationKeyId")
    source, data = _open_blob(account, op, blob, src_ctx, source_key_id, "SourceKeyId")
    op.key_id = dest.key_id
    return {
        "CiphertextBlob": _seal_for(dest, data, dst_ctx),
        "SourceKeyId": source.key_id,
        "KeyId": dest.key_id,
    }


def _data_key(account: Account, op: _Op, key_id: Any, key_spec: Any, number_of_bytes: Any,
              encryption_context: Any) -> tuple[Key, bytes, bytes]:
    key = _get_key(account, key_id, op)
    size = v.data_key_size(key_spec, number_of_bytes)
    ctx = v.context(encryption_context)
    _usable(key)
    data_key = os.urandom(size)
    return key, data_key, _seal_for(key, data_key, ctx)


@operation("GenerateDataKey", writes=False)
def generate_data_key(account: Account, *, op: _Op, key_id: Any, key_spec: Any = None,
                      number_of_bytes: Any = None, encryption_context: Any = None) -> dict:
    key, data_key, blob = _data_key(account, op, key_id, key_spec, number_of_bytes,
                                    encryption_context)
    return {"CiphertextBlob": blob, "Plaintext": data_key, "KeyId": key.key_id}


@operation("GenerateDataKeyWithoutPlaintext", writes=False)
def generate_data_key_without_plaintext(account: Account, *, op: _Op, key_id: Any,
                                        key_spec: Any = None, number_of_bytes: Any = None,
                                        encryption_context: Any = None) -> dict:
    key, _, blob = _data_key(account, op, key_id, key_spec, number_of_bytes, encryption_context)
    return {"CiphertextBlob": blob, "KeyId": key.key_id}


@operation("GenerateRandom", writes=False)
def generate_random(account: Account, *, op: _Op, number_of_bytes: Any = None) -> dict:
    if number_of_bytes is None:
        raise errors.MissingField("NumberOfBytes")
    return {"Plaintext": os.urandom(v.number_of_bytes(number_of_bytes))}


# --- access keys -----------------------------------------------------------------------

ACCESS_KEY_RE = re.compile(r"[A-Z0-9]{16,128}")
SECRET_KEY_RE = re.compile(r"[A-Za-z0-9/+=]{20,128}")
_UPPER_ALNUM = string.ascii_uppercase + string.digits


def _random_text(n: int) -> str:
    return "".join(secrets.choice(_UPPER_ALNUM) for _ in range(n))


@dataclass(frozen=True)
class NewAccessKey:
    access_key_id: str
    secret_key: str
    created_at: Any


@operation("CreateAccessKey")
def create_access_key(account: Account, *, op: _Op, user: User | None = None,
                      access_key_id: str | None = None,
                      secret_key: str | None = None) -> NewAccessKey:
    """Create an access key: OUTSCALE's shape (20 and 40 upper-case letters and digits)
    unless fixed values are given. The secret is returned here once, and stored only
    sealed under the root key."""
    if access_key_id is None:
        access_key_id = _random_text(20)
    elif not ACCESS_KEY_RE.fullmatch(access_key_id):
        raise errors.ClientError(
            "An access key id is 16 to 128 upper-case letters and digits", field="AccessKeyId"
        )
    if secret_key is None:
        secret_key = _random_text(40)
    elif not SECRET_KEY_RE.fullmatch(secret_key):
        raise errors.ClientError(
            "A secret key is 20 to 128 letters, digits, '/', '+' or '='", field="SecretKey"
        )
    if AccessKey.objects.filter(access_key_id=access_key_id).exists():
        raise errors.ClientError(
            f"Access key {access_key_id} already exists", field="AccessKeyId"
        )
    try:
        with transaction.atomic():
            ak = AccessKey.objects.create(
                access_key_id=access_key_id,
                account=account,
                secret=keystore.wrap(secret_key.encode(), f"ak:{access_key_id}"),
                created_by=user,
            )
    except IntegrityError:
        raise errors.ClientError(
            f"Access key {access_key_id} already exists", field="AccessKeyId"
        ) from None
    return NewAccessKey(access_key_id, secret_key, ak.created_at)


@operation("DeleteAccessKey")
def delete_access_key(account: Account, *, op: _Op, access_key_id: str) -> None:
    deleted, _ = AccessKey.objects.for_account(account).filter(
        access_key_id=access_key_id
    ).delete()
    if not deleted:
        raise errors.ClientError(f"The access key does not exist: {access_key_id}")
    _access_keys.pop(access_key_id, None)


def access_key_secret(access_key: AccessKey) -> str:
    return keystore.unwrap(access_key.secret, f"ak:{access_key.access_key_id}").decode()


def find_access_key(access_key_id: str) -> AccessKey | None:
    """The access key and its account: the one lookup that does not start from an
    account, since the access key is how the API learns the account."""
    return fetch_access_key(access_key_id)


# access key id -> (valid until, access key with its account, secret)
_access_keys: dict[str, tuple[float, AccessKey, str]] = {}


def access_key_and_secret(access_key_id: str) -> tuple[AccessKey, str] | None:
    """The access key of a signed request and its secret, kept in this process for
    ``KMS_ACCESS_KEY_CACHE_SECONDS`` (1 s by default): a burst of calls with one key
    then costs one lookup and one unwrap, not one a call. Deleting an access key takes
    effect at once in the process that deletes it, within that delay in the others."""
    ttl = settings.KMS_ACCESS_KEY_CACHE_SECONDS
    now = time.monotonic()
    if ttl > 0:
        hit = _access_keys.get(access_key_id)
        if hit is not None and hit[0] > now:
            return hit[1], hit[2]
    ak = fetch_access_key(access_key_id)
    if ak is None:
        _access_keys.pop(access_key_id, None)
        return None
    secret = access_key_secret(ak)
    if ttl > 0:
        if len(_access_keys) > 10_000:
            _access_keys.clear()
        _access_keys[access_key_id] = (now + ttl, ak, secret)
    return ak, secret


def touch_access_key(access_key: AccessKey) -> None:
    """Record when a key was last used, at most once a minute (not a write per call)."""
    now = clock.now()
    last = access_key.last_used_at
    if last is None or (now - last).total_seconds() > 60:
        AccessKey.objects.filter(pk=access_key.pk).update(last_used_at=now)
        access_key.last_used_at = now


@transaction.atomic
def reset_account(account: Account, actor: Actor = SYSTEM) -> None:
    """Put an account back to its first state: every key but the default CMK removed,
    the default CMK enabled and untagged."""
    Key.objects.for_account(account).exclude(key_id=account.default_key_id).delete()
    Key.objects.for_account(account).filter(key_id=account.default_key_id).update(
        state=ENABLED, deletion_date=None
    )
    Tag.objects.filter(key__account=account).delete()
    _record(account, actor, _Op("ResetAccount", key_id=account.default_key_id), "Success")
