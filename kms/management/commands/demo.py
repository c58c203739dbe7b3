import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand

from kms.models import AccessKey, User
from kms.operations import Actor, access_key_secret, create_access_key, create_account


class Command(BaseCommand):
    help = (
        "Create the demo account once (sign-in, default CMK, an access key) and print its "
        "sign-in, access key and osc-cli profile. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", default=os.environ.get("DEMO_EMAIL", "demo@example.com"))
        parser.add_argument("--password",
                            default=os.environ.get("DEMO_PASSWORD", "okms-sandbox"))
        parser.add_argument("--endpoint", default="http://127.0.0.1:8000")

    def handle(self, *args, email, password, endpoint, **options):
        user = User.objects.filter(email=email).select_related("account").first()
        created = user is None
        if created:
            account = create_account(email=email, password=password, name="Demo")
            user = User.objects.get(email=email)
        account = user.account
        ak = AccessKey.objects.for_account(account).order_by("created_at").first()
        if ak is None:
            create_access_key(account, actor=Actor.system("demo"), user=user)
            ak = AccessKey.objects.for_account(account).get()
        secret = access_key_secret(ak)
        profile = {"sandbox": {"access_key": ak.access_key_id, "secret_key": secret,
                               "region_name": settings.KMS_REGION, "endpoint": endpoint}}
        w = self.stdout.write
        w("")
        w("OKMS sandbox demo account" + (" (created)" if created else ""))
        w(f"  Console:      {endpoint}/  (sign in, then Services > Customer Master Keys)")
        w(f"  Email:        {email}")
        w(f"  Password:     {password if created or password else '(as set)'}")
        w(f"  Account ID:   {account.account_id}")
        w(f"  Access key:   {ak.access_key_id}")
        w(f"  Secret key:   {secret}")
        w("  osc-cli profile for ~/.osc/config.json:")
        w("    " + json.dumps(profile))
        w("  Try: osc-cli okms ListKeys --profile sandbox")
        w(f"       aws kms list-keys --endpoint-url {endpoint} --region {settings.KMS_REGION}")
        w("")
