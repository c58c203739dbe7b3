import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from kms import operations as ops
from kms.models import Account, Key, User
from tests.conftest import make_account


def test_every_account_gets_exactly_one_default_cmk(db):
    accounts = [make_account(name) for name in ("alice", "bob", "charlie")]
    for account in accounts:
        default = Key.objects.for_account(account).get()
        assert account.default_key_id == default.key_id
        assert ops.key_metadata(default)["KeyManager"] == "OKMS"
    assert len({a.default_key_id for a in accounts}) == 3


def test_account_ids_are_twelve_digits_and_unique(db):
    ids = {make_account(f"user{i}").account_id for i in range(10)}
    assert len(ids) == 10
    assert all(len(i) == 12 and i.isdigit() for i in ids)


def test_an_account_cannot_exist_without_its_default_cmk(db):
    # The database refuses an account whose default key does not exist, at commit.
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(account_id="999999999999", region="eu-west-2", key_quota=20,
                               default_key_id="cmk-00000000")
        from django.db import connection
        connection.check_constraints()


def test_the_default_cmk_cannot_be_deleted_from_the_database(alice):
    default = Key.objects.get(key_id=alice.default_key_id)
    with pytest.raises(Exception) as excinfo, transaction.atomic():
        default.delete()
    assert "RestrictedError" in type(excinfo.value).__name__ or isinstance(
        excinfo.value, IntegrityError)
    assert Key.objects.filter(key_id=alice.default_key_id).exists()


def test_an_account_cannot_have_two_default_cmks(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=bob.pk).update(default_key_id=alice.default_key_id)


def test_it_refuses_a_taken_email_or_account_id(alice):
    with pytest.raises(ValueError, match="already taken"):
        ops.create_account(email="ALICE@example.com", password="x" * 10)
    with pytest.raises(ValueError, match="already taken"):
        ops.create_account(email="new@example.com", password="x" * 10,
                           account_id=alice.account_id)
    with pytest.raises(ValueError, match="12 digits"):
        ops.create_account(email="new@example.com", password="x" * 10, account_id="12ab")
    assert Account.objects.count() == 1


def test_createaccount_prints_the_account_id(db, capsys):
    call_command("createaccount", "--email", "dora@example.com", "--password", "pw-123456",
                 "--account-id", "123456789012", "--name", "Dora")
    assert capsys.readouterr().out.strip() == "123456789012"
    user = User.objects.get(email="dora@example.com")
    assert user.check_password("pw-123456")
    assert user.account.account_id == "123456789012"
    assert Key.objects.for_account(user.account).count() == 1


def test_createaccount_refuses_a_taken_email(alice):
    with pytest.raises(CommandError, match="already taken"):
        call_command("createaccount", "--email", "alice@example.com", "--password", "p" * 9)


def test_createaccesskey_takes_fixed_values_and_checks_them(alice, capsys):
    call_command("createaccesskey", "--email", "alice@example.com",
                 "--access-key", "AKIDLAB0000000000001", "--secret-key", "S" * 40)
    assert capsys.readouterr().out.split() == ["AKIDLAB0000000000001", "S" * 40]
    with pytest.raises(CommandError, match="already exists"):
        call_command("createaccesskey", "--email", "alice@example.com",
                     "--access-key", "AKIDLAB0000000000001", "--secret-key", "S" * 40)
    with pytest.raises(CommandError, match="upper-case"):
        call_command("createaccesskey", "--email", "alice@example.com",
                     "--access-key", "lower-case", "--secret-key", "S" * 40)
    with pytest.raises(CommandError, match="No user"):
        call_command("createaccesskey", "--email", "nobody@example.com")
