from django.core.management.base import BaseCommand

from kms.operations import purge_expired_keys


class Command(BaseCommand):
    help = "Delete every CMK whose deletion date has passed (run it from cron)."

    def handle(self, *args, **options):
        for key_id in purge_expired_keys():
            self.stdout.write(f"deleted {key_id}")
