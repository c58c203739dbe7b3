from django.conf import settings
from django.http import HttpRequest

from kms import validation


def shell(request: HttpRequest) -> dict:
    """What the Cockpit top bar shows: the signed-in user's account and region."""
    user = getattr(request, "user", None)
    account = getattr(user, "account", None) if user and user.is_authenticated else None
    return {
        "shell_account": account,
        "shell_region": settings.KMS_REGION,
        # The core's limits, for help texts and live counters (the core enforces them).
        "limits": {"description_max": validation.DESCRIPTION_MAX,
                   "plaintext_max": validation.PLAINTEXT_MAX},
    }
