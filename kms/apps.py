from django.apps import AppConfig
from django.core import checks


class KmsConfig(AppConfig):
    name = "kms"
    verbose_name = "OKMS"

    def ready(self) -> None:
        checks.register(check_root_key, checks.Tags.database)


def check_root_key(app_configs=None, databases=None, **kwargs) -> list:
    """``migrate`` (and so ``make run``) refuses to go on with a root key that cannot
    open the stored key material."""
    if not databases:
        return []
    from django.db.utils import DatabaseError

    from .keystore import RootKeyMismatch, verify_root_key

    try:
        verify_root_key()
    except RootKeyMismatch as exc:
        return [checks.Error(str(exc), id="kms.E001")]
    except DatabaseError:
        return []  # not migrated yet: nothing stored to check
    return []
