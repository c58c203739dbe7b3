import contextlib
import os

from django.core.management.base import BaseCommand, CommandError

from kms import operations as ops
from kms.models import User


class Command(BaseCommand):
    help = ("Fill a demo account with CMKs in every state, tags and activity, for "
            "presentations. Creates the account when the email is new.")

    def add_arguments(self, parser):
        parser.add_argument("--email", default=os.environ.get("DEMO_EMAIL", "demo@example.com"))
        parser.add_argument("--password",
                            default=os.environ.get("DEMO_PASSWORD", "okms-sandbox"))

    def handle(self, *args, email, password, **options):
        user = User.objects.filter(email=email.lower()).select_related("account").first()
        if user is None:
            account = ops.create_account(email=email, password=password, name="Demo")
        elif user.account is None:
            raise CommandError(f"{email} belongs to no account")
        else:
            account = user.account
        who = ops.Actor("console", email)
        api = ops.Actor("api", "DEMOSEEDACCESSKEY000")
        room = account.key_quota - ops.live_key_count(account)
        if room < 6:
            raise CommandError(f"Account {account.account_id} has room for {room} more CMKs; "
                               "6 are needed (reset it first: manage.py resetaccount)")

        def key(desc, tags, actor=who):
            return ops.create_key(account, actor=actor, description=desc, tags=tags,
                                  console=True)["KeyId"]

        payroll = key("Payroll database", [{"TagKey": "team", "TagValue": "finance"},
                                           {"TagKey": "env", "TagValue": "prod"}])
        backups = key("Nightly backups", [{"TagKey": "team", "TagValue": "ops"}], api)
        staging = key("Staging secrets", [{"TagKey": "env", "TagValue": "staging"}])
        legacy = key("Legacy application (to retire)", [{"TagKey": "env", "TagValue": "old"}])
        tests = key("Load tests", [], api)
        key("Trainee sandbox key", [{"TagKey": "owner", "TagValue": "trainee"}])

        for i in range(3):
            blob = ops.encrypt(account, actor=api, key_id=payroll,
                               plaintext=f"salary-{i}".encode(),
                               encryption_context={"table": "salaries"})["CiphertextBlob"]
            ops.decrypt(account, actor=api, ciphertext_blob=blob,
                        encryption_context={"table": "salaries"})
        ops.generate_data_key(account, actor=api, key_id=backups, key_spec="AES_256")
        ops.disable_key(account, actor=who, key_id=staging)
        ops.schedule_key_deletion(account, actor=who, key_id=legacy, pending_window_in_days=7)
        ops.schedule_key_deletion(account, actor=api, key_id=tests, pending_window_in_days=30)
        ops.cancel_key_deletion(account, actor=api, key_id=tests)
        # A few refusals, as trainees meet them.
        for call in (
            lambda: ops.disable_key(account, actor=who, key_id=account.default_key_id),
            lambda: ops.encrypt(account, actor=api, key_id=staging, plaintext=b"x"),
            lambda: ops.describe_key(account, actor=api, key_id="cmk-00000000"),
        ):
            with contextlib.suppress(ops.errors.KmsError):
                call()
        self.stdout.write(f"Account {account.account_id} ({email}) now has CMKs in every "
                          "state: Enabled, Disabled, PendingDeletion.")
