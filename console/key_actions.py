"""The keys toolbar: Enable, Disable, Schedule deletion, Cancel deletion, Edit description,
Manage tags, on one or several selected CMKs. Every rule is the core's; each key reports
its own result."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from kms import clock
from kms import operations as ops
from kms import validation as v
from kms.errors import KmsError
from kms.models import Key

from .access import account_required, actor
from .cli import osc_cli
from .forms import FIELD_OF, PairRows


@dataclass(frozen=True)
class Action:
    label: str
    done: str = ""
    dialog: str = ""
    single: bool = False


ACTIONS = {
    "EnableKey": Action("Enable", done="is enabled"),
    "DisableKey": Action("Disable", done="is disabled"),
    "ScheduleKeyDeletion": Action("Schedule deletion", dialog="schedule"),
    "CancelKeyDeletion": Action("Cancel deletion", done="is no longer pending deletion; it is "
                                                      "Disabled"),
    "UpdateKeyDescription": Action("Edit description", dialog="description", single=True,
                                   done="has a new description"),
    "TagResource": Action("Manage tags", dialog="tags", single=True, done="has new tags"),
}


def toolbar() -> list[dict]:
    return [{"action": name, "label": spec.label, "single": spec.single}
            for name, spec in ACTIONS.items()]


def refusals(key: Key) -> dict[str, str]:
    """Why each toolbar action would be refused on ``key`` (the core's rule)."""
    out = {}
    for name in ACTIONS:
        reason = ops.refusal(key, name)
        if reason:
            out[name] = reason
    return out


def cli_for(action: str, key: Key, **params) -> str:
    return osc_cli(action, KeyId=key.key_id, **params)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return "/keys/"


def _report(request: HttpRequest, results: list[tuple[str, str]], *,
            close_dialog: bool = False) -> HttpResponse:
    """One line a key: ``("success" | "error", text)``."""
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, "keysChanged", {})
        if close_dialog:
            trigger_client_event(response, "closeDialog")
        trigger_client_event(response, "showNotice", {
            "messages": [{"level": level, "text": text} for level, text in results]})
        return response
    for level, text in results:
        (messages.success if level == "success" else messages.error)(request, text)
    return redirect(_next_url(request))


def _run(request: HttpRequest, name: str, keys: list[str], call) -> list[tuple[str, str]]:
    results = []
    for key_id in keys:
        try:
            answer = call(key_id)
        except KmsError as exc:
            results.append(("error", f"{key_id}: {exc.message}"))
        else:
            if name == "ScheduleKeyDeletion":
                when = answer["DeletionDate"].replace("T", " ")[:19]
                results.append(("success", f"{key_id} is pending deletion until {when} UTC"))
            else:
                results.append(("success", f"{key_id} {ACTIONS[name].done}"))
    return results


@require_POST
@account_required
def key_action(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("action", "")
    spec = ACTIONS.get(name)
    if spec is None:
        return HttpResponseBadRequest("Unknown action")
    account, who = request.account, actor(request)
    key_ids = list(dict.fromkeys(request.POST.getlist("key_id")))
    if not key_ids:
        return _report(request, [("error", f"{spec.label}: select at least one CMK.")])
    if spec.single and len(key_ids) != 1:
        return _report(request, [("error", f"{spec.label}: select exactly one CMK.")])

    if not spec.dialog:
        method = {"EnableKey": ops.enable_key, "DisableKey": ops.disable_key,
                  "CancelKeyDeletion": ops.cancel_key_deletion}[name]
        return _report(request, _run(request, name, key_ids,
                                     lambda k: method(account, actor=who, key_id=k)))
    return _dialog(request, name, spec, key_ids)


def _dialog(request: HttpRequest, name: str, spec: Action, key_ids: list[str]) -> HttpResponse:
    account, who = request.account, actor(request)
    post = request.POST
    keys = list(Key.objects.for_account(account).live().filter(key_id__in=key_ids)
                .prefetch_related("tags"))
    for key in keys:
        key.account = account
    if not keys:
        return _report(request, [("error", f"{k}: The customer master key does not exist: {k}")
                                 for k in key_ids])
    errors: dict[str, str] = {}
    context = {"name": name, "spec": spec, "keys": keys, "key_ids": [k.key_id for k in keys],
               "next": _next_url(request), "errors": errors}
    confirm = "confirm" in post

    if spec.dialog == "schedule":
        raw = post.get("pending_window", str(v.PENDING_WINDOW_DEFAULT))
        context.update(title="SCHEDULE CMK DELETION", pending_window=raw,
                       day_seconds=settings.KMS_DAY_SECONDS, window_min=v.PENDING_WINDOW_MIN,
                       window_max=v.PENDING_WINDOW_MAX,
                       cli=cli_for(name, keys[0], PendingWindowInDays=raw))
        try:
            days = v.pending_window(raw)
            context["deletion_date"] = clock.now() + clock.days(days)
        except KmsError as exc:
            errors["pending_window"] = exc.message
        if confirm and not errors:
            results = _run(request, name, [k.key_id for k in keys], lambda k: (
                ops.schedule_key_deletion(account, actor=who, key_id=k,
                                          pending_window_in_days=days)))
            return _report(request, results, close_dialog=True)

    elif spec.dialog == "description":
        key = keys[0]
        description = post.get("description", key.description or "").replace("\r\n", "\n")
        context.update(title="EDIT CMK DESCRIPTION", description=description,
                       cli=cli_for(name, key, Description=description))
        if confirm:
            try:
                ops.update_key_description(account, actor=who, key_id=key.key_id,
                                           description=description, console=True)
            except KmsError as exc:
                errors[FIELD_OF.get(exc.field or "", "__all__")] = exc.message
            else:
                return _report(request, [("success", f"{key.key_id} {spec.done}")],
                               close_dialog=True)

    else:  # tags
        key = keys[0]
        if "tag_key" in post or "add_tag" in post or "remove_tag" in post or confirm:
            pairs = PairRows.read(post, "tag")
        else:
            pairs = PairRows("tag", [(t.tag_key, t.tag_value) for t in key.tags.all()])
        context.update(title="MANAGE CMK TAGS", tags=pairs,
                       cli=cli_for("TagResource", key, Tags=[
                           {"TagKey": k, "TagValue": val} for k, val in pairs.filled()]))
        if confirm and not pairs.edited:
            try:
                ops.replace_tags(account, actor=who, key_id=key.key_id,
                                 tags=pairs.as_tags())
            except KmsError as exc:
                errors[FIELD_OF.get(exc.field or "", "__all__")] = exc.message
            else:
                return _report(request, [("success", f"{key.key_id} {spec.done}")],
                               close_dialog=True)

    context["non_field_error"] = errors.get("__all__")
    if not request.htmx:
        return render(request, "console/key_action.html", context)
    part = "action-body" if confirm or request.htmx.target == "action-body" else "action-dialog"
    return render(request, f"console/key_action.html#{part}", context)
