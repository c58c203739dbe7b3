"""Who is acting in the console: a signed-in user of an account."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

from kms import operations as ops


def account_required(view: Callable) -> Callable:
    """Signed in, and a member of an account: every lookup starts from that account."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.account_id is None:
            return HttpResponseForbidden(
                "This user belongs to no account: use the Django admin (/admin/)."
            )
        request.account = request.user.account
        return view(request, *args, **kwargs)

    return wrapper


def actor(request: HttpRequest) -> ops.Actor:
    return ops.Actor.console(request.user, str(uuid.uuid4()))
