from django.core.management.base import BaseCommand, CommandError

from kms.operations import create_account


class Command(BaseCommand):
    help = "Create an account, its default CMK and its console user; print the account id."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--account-id", help="12 digits; random when omitted")
        parser.add_argument("--name", default="")

    def handle(self, *args, email, password, account_id, name, **options):
        try:
            account = create_account(
                email=email, password=password, account_id=account_id, name=name
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(account.account_id)
