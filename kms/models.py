"""Accounts, their users, CMKs, tags, access keys and activity.

Every query of keys, tags, access keys or activity starts from an account
(``Key.objects.for_account(account)``): a key of another account is simply not there.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Exists, OuterRef, Q

from . import clock

ENABLED = "Enabled"
DISABLED = "Disabled"
PENDING_DELETION = "PendingDeletion"
KEY_STATES = [(s, s) for s in (ENABLED, DISABLED, PENDING_DELETION)]


class Account(models.Model):
    account_id = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=32)
    key_quota = models.PositiveIntegerField()
    # The default CMK: never null, so no account exists without one (the foreign key is
    # checked when the creating transaction commits), and the key it names cannot be
    # deleted while the account exists.
    default_key = models.OneToOneField(
        "Key", to_field="key_id", on_delete=models.RESTRICT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.name}".strip()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A console user: signs in with an email and belongs to one account.

    Staff users (trainers) may have no account; they use the Django admin.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class KeyQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> KeyQuerySet:
        return self.filter(account=account)

    def live(self) -> KeyQuerySet:
        """Keys whose deletion date has not passed: the others are gone for everyone."""
        return self.filter(Q(deletion_date__isnull=True) | Q(deletion_date__gt=clock.now()))

    def search(self, text: str) -> KeyQuerySet:
        """Keys whose id, description, or a tag's key or value contains ``text``."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(key_id__icontains=text)
            | Q(description__icontains=text)
            | Q(Exists(Tag.objects.filter(key=OuterRef("pk")).filter(
                Q(tag_key__icontains=text) | Q(tag_value__icontains=text))))
        )

    def in_state(self, state: str) -> KeyQuerySet:
        return self.filter(state=state) if state in dict(KEY_STATES) else self

    def expired(self) -> KeyQuerySet:
        return self.filter(deletion_date__isnull=False, deletion_date__lte=clock.now())


class Key(models.Model):
    key_id = models.CharField(max_length=12, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="keys")
    description = models.TextField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=KEY_STATES, default=ENABLED)
    origin = models.CharField(max_length=16, default="OKMS")
    key_usage = models.CharField(max_length=32, default="ENCRYPT_DECRYPT")
    created_at = models.DateTimeField(default=clock.now)
    deletion_date = models.DateTimeField(null=True, blank=True)
    # 256-bit material, sealed under the root key and bound to the key id.
    material = models.BinaryField()
    material_version = models.PositiveIntegerField(default=1)

    objects = KeyQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="key_account_newest"),
            # Live-key counts (the quota, the list) and expired-key purges read only this.
            models.Index(fields=["account", "deletion_date"], name="key_account_deletion"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[ENABLED, DISABLED, PENDING_DELETION]),
                name="key_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state=PENDING_DELETION, deletion_date__isnull=False)
                | (~Q(state=PENDING_DELETION) & Q(deletion_date__isnull=True)),
                name="key_deletion_date_iff_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.key_id

    def is_gone(self) -> bool:
        """Past its deletion date: gone for everyone, whether or not purged yet. The
        querysets (``live``/``expired``) and ``LIVE_SQL`` say the same in SQL."""
        return self.deletion_date is not None and self.deletion_date <= clock.now()

    @property
    def is_default(self) -> bool:
        return self.account.default_key_id == self.key_id


_plans: dict = {}


def _plan(model: type[models.Model], conn) -> tuple[list[str], list[str], list]:
    """Per model and database: its quoted columns, attribute names and converters."""
    plan = _plans.get((model, conn.vendor))
    if plan is None:
        fields = model._meta.concrete_fields
        table = model._meta.db_table
        columns = [f"{conn.ops.quote_name(table)}.{conn.ops.quote_name(f.column)}"
                   for f in fields]
        converters = []
        for field in fields:
            col = field.get_col(table)
            converters.append((col, conn.ops.get_db_converters(col)
                               + field.get_db_converters(conn)))
        plan = _plans[(model, conn.vendor)] = (columns, [f.attname for f in fields],
                                                converters)
    return plan


def _build(model: type[models.Model], conn, plan, row) -> models.Model:
    _, attnames, converters = plan
    values = []
    for value, (col, funcs) in zip(row, converters, strict=True):
        for convert in funcs:
            value = convert(value, col, conn)
        values.append(value)
    return model.from_db(conn.alias, attnames, values)


def _fetch_one(model: type[models.Model], where: str, params: list,
               for_update: bool = False) -> models.Model | None:
    """One row of ``model`` by plain SQL, turned into an instance exactly as the ORM
    would (same columns, same database converters). For the API's hot path: compiling
    an ORM query costs several times more than running it."""
    conn = connections[DEFAULT_DB_ALIAS]
    plan = _plan(model, conn)
    sql = (f"SELECT {', '.join(plan[0])} FROM {conn.ops.quote_name(model._meta.db_table)} "
           f"WHERE {where}")
    if for_update and conn.features.has_select_for_update:
        sql += " FOR UPDATE"
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _build(model, conn, plan, row)


_inserts: dict = {}


def fast_insert(obj: models.Model) -> models.Model:
    """``obj.save(force_insert=True)`` in plain SQL, for rows written while SQLite's
    write lock is held (CreateKey, and its activity row): every microsecond there is a
    microsecond every other writer waits. No model here has save signals or overrides."""
    model = type(obj)
    conn = connections[DEFAULT_DB_ALIAS]
    plan = _inserts.get((model, conn.vendor))
    if plan is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        q = conn.ops.quote_name
        sql = (f"INSERT INTO {q(model._meta.db_table)} "
               f"({', '.join(q(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        returning = conn.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {q(model._meta.pk.column)}"
        plan = _inserts[(model, conn.vendor)] = (sql, fields, returning)
    sql, fields, returning = plan
    params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = (cursor.fetchone()[0] if returning else
                  conn.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column))
    obj._state.adding = False
    obj._state.db = conn.alias
    return obj


def fast_insert_many(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows given as ``{attname: value}`` (every column but the primary key) with
    one ``executemany``: no model instances, for the batched activity records."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    q = conn.ops.quote_name
    sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    params = [[f.get_db_prep_save(row[f.attname], conn) for f in fields] for row in rows]
    with conn.cursor() as cursor:
        cursor.executemany(sql, params)


def fetch_key(account: Account, key_id: str, *, for_update: bool = False) -> Key | None:
    """``Key.objects.for_account(account).filter(key_id=key_id).first()``, for the hot
    path (every Encrypt, Decrypt, DescribeKey...)."""
    key = _fetch_one(Key, "account_id = %s AND key_id = %s", [account.pk, key_id], for_update)
    if key is not None:
        key.account = account
    return key


def key_id_taken(key_id: str) -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {Key._meta.db_table} WHERE key_id = %s", [key_id])
        return cursor.fetchone() is not None


# ``KeyQuerySet.live()`` in plain SQL, for the hot-path counts; one parameter: now.
LIVE_SQL = "(deletion_date IS NULL OR deletion_date > %s)"


def has_live_keys(account: Account, n: int) -> bool:
    """Whether the account has at least ``n`` live keys, reading at most ``n`` index
    entries (a quota check need not count them all)."""
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Key._meta.db_table} WHERE account_id = %s "
            f"AND {LIVE_SQL} LIMIT 1 OFFSET %s",
            [account.pk, conn.ops.adapt_datetimefield_value(clock.now()), n - 1],
        )
        return cursor.fetchone() is not None


def count_live_keys(account: Account) -> int:
    """``Key.objects.for_account(account).live().count()``, read from the
    (account, deletion_date) index alone."""
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Key._meta.db_table} WHERE account_id = %s AND {LIVE_SQL}",
            [account.pk, conn.ops.adapt_datetimefield_value(clock.now())],
        )
        return cursor.fetchone()[0]


def lock_account(account: Account) -> Account:
    """The account row, locked until the transaction ends (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the database's write lock)."""
    return _fetch_one(Account, "id = %s", [account.pk], for_update=True)


class Tag(models.Model):
    key = models.ForeignKey(Key, on_delete=models.CASCADE, related_name="tags")
    tag_key = models.CharField(max_length=128)
    tag_value = models.CharField(max_length=256, blank=True)

    class Meta:
        ordering = ["tag_key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "tag_key"], name="tag_unique_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.tag_key}={self.tag_value}"


class AccessKeyQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> AccessKeyQuerySet:
        return self.filter(account=account)


def fetch_access_key(access_key_id: str) -> AccessKey | None:
    """The access key of a signed request and its account, for the hot path (see
    ``fetch_key``)."""
    conn = connections[DEFAULT_DB_ALIAS]
    ak_plan, account_plan = _plan(AccessKey, conn), _plan(Account, conn)
    q = conn.ops.quote_name
    sql = (f"SELECT {', '.join(ak_plan[0] + account_plan[0])} "
           f"FROM {q(AccessKey._meta.db_table)} JOIN {q(Account._meta.db_table)} "
           f"ON {q(Account._meta.db_table)}.{q('id')} = "
           f"{q(AccessKey._meta.db_table)}.{q('account_id')} "
           f"WHERE {q(AccessKey._meta.db_table)}.{q('access_key_id')} = %s")
    with conn.cursor() as cursor:
        cursor.execute(sql, [access_key_id])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(ak_plan[0])
    ak = _build(AccessKey, conn, ak_plan, row[:n])
    ak.account = _build(Account, conn, account_plan, row[n:])
    return ak


class AccessKey(models.Model):
    access_key_id = models.CharField(max_length=128, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="access_keys")
    # The secret must be recoverable to verify signatures: sealed under the root key.
    secret = models.BinaryField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = AccessKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.access_key_id


class ActivityQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> ActivityQuerySet:
        return self.filter(account=account)


class Activity(models.Model):
    """What happened: one row an operation, never a plaintext, a key or a secret."""

    CONSOLE = "console"
    API = "api"
    SYSTEM = "system"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activity")
    at = models.DateTimeField(default=clock.now)
    source = models.CharField(max_length=16)
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    key_id = models.CharField(max_length=12, blank=True)
    result = models.CharField(max_length=64, default="Success")
    request_id = models.CharField(max_length=64, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"], name="activity_account_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.key_id} {self.result}"
