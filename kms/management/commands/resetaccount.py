from django.core.management.base import BaseCommand, CommandError

from kms.models import User
from kms.operations import Actor, reset_account


class Command(BaseCommand):
    help = ("Put the account of a user back to its first state: every CMK but the default "
            "one removed, the default CMK enabled and untagged.")

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)

    def handle(self, *args, email, **options):
        user = User.objects.filter(email=email.lower()).select_related("account").first()
        if user is None or user.account is None:
            raise CommandError(f"No user with an account has the email {email}")
        reset_account(user.account, Actor.system("manage.py resetaccount"))
        self.stdout.write(f"Account {user.account.account_id} is reset.")
