from django.core.management.base import BaseCommand, CommandError

from kms.operations import create_account


class Command(BaseCommand):
    help = "Create an account, its default CMK and its console user; print the account id."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--account-id", help="12 digits; random when omitted")
        parser.add_argument("--name", default="")
        parser.add_argument("--quota", type=int,
                            help="CMK quota, default CMK included (default: KMS_DEFAULT_KEY_QUOTA)")

    def handle(self, *args, email, password, account_id, name, quota, **options):
        if quota is not None and quota < 1:
            raise CommandError("--quota must be at least 1")
        try:
            account = create_account(
                email=email, password=password, account_id=account_id, name=name
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if quota is not None:
            account.key_quota = quota
            account.save(update_fields=["key_quota"])
        self.stdout.write(account.account_id)
