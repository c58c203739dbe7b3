from django.core.management.base import BaseCommand, CommandError

from kms.errors import KmsError
from kms.models import User
from kms.operations import Actor, create_access_key


class Command(BaseCommand):
    help = "Create an access key for the account of a console user; print AK and SK."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--access-key", help="a fixed access key id (16-128 of A-Z 0-9)")
        parser.add_argument("--secret-key", help="a fixed secret key (20-128 characters)")

    def handle(self, *args, email, access_key, secret_key, **options):
        user = User.objects.filter(email=email.lower()).select_related("account").first()
        if user is None or user.account is None:
            raise CommandError(f"No user with an account has the email {email}")
        try:
            new = create_access_key(
                user.account, actor=Actor.system("manage.py"), user=user,
                access_key_id=access_key, secret_key=secret_key,
            )
        except KmsError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{new.access_key_id} {new.secret_key}")
