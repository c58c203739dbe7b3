"""The console face: thin views that read the form, call the core, choose a response."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from kms import operations as ops
from kms.errors import KmsError
from kms.models import KEY_STATES, AccessKey, Account, Activity, Key, Tag

from .access import account_required, actor
from .cli import osc_cli
from .forms import CreateKeyForm, CryptoForm, b64
from .key_actions import refusals, toolbar

KEYS_PER_PAGE = 50


SORTS = {"id": "key_id", "description": "description", "state": "state",
         "created": "created_at"}


@dataclass
class KeyListQuery:
    """Search, filter and sort of the keys page, from its query string."""

    q: str = ""
    state: str = ""
    sort: str = "created"
    dir: str = "desc"

    @classmethod
    def from_get(cls, data) -> KeyListQuery:
        sort = data.get("sort", "created")
        return cls(
            q=data.get("q", "").strip()[:200],
            state=data.get("state", "") if data.get("state") in dict(KEY_STATES) else "",
            sort=sort if sort in SORTS else "created",
            dir="asc" if data.get("dir") == "asc" else "desc",
        )

    def ordering(self) -> list[str]:
        sign = "-" if self.dir == "desc" else ""
        return [sign + SORTS[self.sort], sign + "id"]

    def params(self, **changes) -> str:
        values = {"q": self.q, "state": self.state, "sort": self.sort, "dir": self.dir,
                  **changes}
        return urlencode({k: val for k, val in values.items() if val})

    def sort_links(self) -> dict[str, str]:
        """For each sortable column, the query that sorts by it: the other way round when
        it already does, newest first for dates, A to Z for the rest."""
        links = {}
        for col in SORTS:
            if col == self.sort:
                direction = "asc" if self.dir == "desc" else "desc"
            else:
                direction = "desc" if col == "created" else "asc"
            links[col] = self.params(sort=col, dir=direction)
        return links


def _keys_page(account: Account, query: KeyListQuery, page_number: str | None):
    qs = (
        Key.objects.for_account(account)
        .live()
        .search(query.q)
        .in_state(query.state)
        .order_by(*query.ordering())
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("tag_key")))
    )
    page = Paginator(qs, KEYS_PER_PAGE).get_page(page_number)
    for key in page.object_list:
        key.account = account
        key.refusals = refusals(key)
    return page


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
@account_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html")


@require_GET
@account_required
def keys(request: HttpRequest) -> HttpResponse:
    account = request.account
    ops.purge_expired_keys(account)
    query = KeyListQuery.from_get(request.GET)
    page = _keys_page(account, query, request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "states": [s for s, _ in KEY_STATES],
        "toolbar": toolbar(),
        "quota": account.key_quota,
        # Unfiltered, the page's own count is the account's: one COUNT instead of two.
        "live_count": (page.paginator.count if not (query.q or query.state)
                       else ops.live_key_count(account)),
    }
    template = "console/keys.html#key-table" if request.htmx else "console/keys.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@account_required
def create_key(request: HttpRequest) -> HttpResponse:
    account = request.account
    form = CreateKeyForm()
    if request.method == "POST":
        form = CreateKeyForm.from_post(request.POST)
        if not form.editing:
            try:
                meta = ops.create_key(
                    account, actor=actor(request), description=form.description,
                    tags=form.tags.as_tags(), console=True,
                )
            except KmsError as exc:
                form.add_error(exc)
            else:
                notice = f"The CMK is created. {meta['KeyId']}"
                if request.htmx:
                    response = HttpResponse(status=204)
                    trigger_client_event(response, "keysChanged", {"keyId": meta["KeyId"]})
                    trigger_client_event(response, "closeDialog")
                    trigger_client_event(response, "showNotice", {"message": notice})
                    return response
                messages.success(request, notice)
                return redirect("console:keys")
    context = {"form": form}
    if request.htmx:
        part = "create-form" if request.method == "POST" else "create-dialog"
        return render(request, f"console/create_key.html#{part}", context)
    return render(request, "console/create_key.html", context)


def _live_key_or_404(account: Account, key_id: str) -> Key:
    key = Key.objects.for_account(account).live().filter(key_id=key_id).first()
    if key is None:
        raise Http404("No such CMK in this account")
    key.account = account
    return key


def _key_actions(key: Key) -> list[dict]:
    """Each action on the key: its API method, the osc-cli command, and the core's
    reason to refuse it now, if any."""
    kid = key.key_id
    rows = [
        ("DescribeKey", None, osc_cli("DescribeKey", KeyId=kid)),
        ("EnableKey", "EnableKey", osc_cli("EnableKey", KeyId=kid)),
        ("DisableKey", "DisableKey", osc_cli("DisableKey", KeyId=kid)),
        ("UpdateKeyDescription", "UpdateKeyDescription",
         osc_cli("UpdateKeyDescription", KeyId=kid, Description="NEW DESCRIPTION")),
        ("TagResource", "TagResource",
         osc_cli("TagResource", KeyId=kid, Tags=[{"TagKey": "KEY", "TagValue": "VALUE"}])),
        ("UntagResource", None, osc_cli("UntagResource", KeyId=kid, TagKeys=["KEY"])),
        ("ScheduleKeyDeletion", "ScheduleKeyDeletion",
         osc_cli("ScheduleKeyDeletion", KeyId=kid, PendingWindowInDays=30)),
        ("CancelKeyDeletion", "CancelKeyDeletion", osc_cli("CancelKeyDeletion", KeyId=kid)),
        ("Encrypt", None, osc_cli("Encrypt", KeyId=kid, Plaintext="BASE64_PLAINTEXT")),
        ("GenerateDataKey", None, osc_cli("GenerateDataKey", KeyId=kid, KeySpec="AES_256")),
    ]
    buttons = {b["action"]: b["label"] for b in toolbar()}
    out = []
    for method, button, cli in rows:
        out.append({"method": method, "cli": cli, "button": buttons.get(button or ""),
                    "action": button, "refusal": ops.refusal(key, method)})
    return out


@require_GET
@account_required
def key_detail(request: HttpRequest, key_id: str) -> HttpResponse:
    key = _live_key_or_404(request.account, key_id)
    return render(request, "console/key_detail.html", {
        "key": key,
        "metadata": ops.key_metadata(key, request.account),
        "tags": list(key.tags.all()),
        "actions": _key_actions(key),
        "history": Activity.objects.for_account(request.account).filter(key_id=key.key_id)[:50],
    })


ACTIVITY_PER_PAGE = 50


@require_GET
@account_required
def activity(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "").strip()[:64]
               for name in ("key", "action", "result", "source")}
    qs = Activity.objects.for_account(request.account)
    if filters["key"]:
        qs = qs.filter(key_id__icontains=filters["key"])
    if filters["action"]:
        qs = qs.filter(action=filters["action"])
    if filters["result"] == "Success":
        qs = qs.filter(result="Success")
    elif filters["result"] == "Error":
        qs = qs.exclude(result="Success")
    elif filters["result"]:
        qs = qs.filter(result=filters["result"])
    if filters["source"]:
        qs = qs.filter(source=filters["source"])
    page = Paginator(qs, ACTIVITY_PER_PAGE).get_page(request.GET.get("page"))
    params = urlencode({k: val for k, val in filters.items() if val})
    return render(request, "console/activity.html", {
        "page": page, "filters": filters, "params": params,
        "actions": sorted(ops.ACTIVITY_ACTIONS),
        "sources": [Activity.CONSOLE, Activity.API, Activity.SYSTEM],
    })


def _endpoint(request: HttpRequest) -> str:
    return settings.KMS_PUBLIC_ENDPOINT or f"{request.scheme}://{request.get_host()}"


@require_GET
@account_required
def access_keys(request: HttpRequest) -> HttpResponse:
    return render(request, "console/access_keys.html", {
        "access_keys": AccessKey.objects.for_account(request.account),
    })


@require_POST
@account_required
def create_access_key(request: HttpRequest) -> HttpResponse:
    new = ops.create_access_key(request.account, actor=actor(request), user=request.user)
    response = render(request, "console/access_key_created.html", {
        "new": new,
        "endpoint": _endpoint(request),
        "region": settings.KMS_REGION,
    })
    # The secret is on this page only: never cache it.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@account_required
def delete_access_key(request: HttpRequest, access_key_id: str) -> HttpResponse:
    try:
        ops.delete_access_key(request.account, actor=actor(request),
                              access_key_id=access_key_id)
    except KmsError:
        raise Http404("No such access key in this account") from None
    messages.success(request, f"The access key {access_key_id} is deleted.")
    return redirect(reverse("console:access-keys"))


CRYPTO_OPERATIONS = [("encrypt", "Encrypt"), ("decrypt", "Decrypt"),
                     ("generate-data-key", "Generate data key")]


def _run_crypto(request: HttpRequest, key: Key, form: CryptoForm) -> dict:
    """Call the core for the dialog's operation; return what to show, with the osc-cli
    command that does the same."""
    account, who = request.account, actor(request)
    context = form.context.as_context()
    if form.operation == "encrypt":
        plaintext = form.plaintext_bytes()
        out = ops.encrypt(account, actor=who, key_id=key.key_id, plaintext=plaintext,
                          encryption_context=context)
        return {
            "fields": [("CiphertextBlob", b64(out["CiphertextBlob"]), "result-ciphertext")],
            "cli": osc_cli("Encrypt", KeyId=key.key_id, Plaintext=b64(plaintext),
                           EncryptionContext=context),
        }
    if form.operation == "decrypt":
        blob = form.ciphertext_bytes()
        out = ops.decrypt(account, actor=who, ciphertext_blob=blob,
                          encryption_context=context, key_id=key.key_id)
        fields = [("Plaintext (base64)", b64(out["Plaintext"]), "result-plaintext-b64")]
        with contextlib.suppress(UnicodeDecodeError):
            fields.insert(0, ("Plaintext (UTF-8)", out["Plaintext"].decode("utf-8"),
                              "result-plaintext"))
        return {"fields": fields, "cli": osc_cli(
            "Decrypt", KeyId=key.key_id, CiphertextBlob=form.ciphertext,
            EncryptionContext=context)}
    out = ops.generate_data_key(account, actor=who, key_id=key.key_id,
                                key_spec=form.key_spec, encryption_context=context)
    return {
        "fields": [("Plaintext data key (base64)", b64(out["Plaintext"]), "result-data-key"),
                   ("Encrypted data key: CiphertextBlob (base64)", b64(out["CiphertextBlob"]),
                    "result-ciphertext")],
        "cli": osc_cli("GenerateDataKey", KeyId=key.key_id, KeySpec=form.key_spec,
                       EncryptionContext=context),
    }


@require_http_methods(["GET", "POST"])
@account_required
def key_crypto(request: HttpRequest, key_id: str) -> HttpResponse:
    key = _live_key_or_404(request.account, key_id)
    result = None
    if request.method == "POST":
        form = CryptoForm.from_post(request.POST)
        if not form.editing:
            try:
                result = _run_crypto(request, key, form)
            except KmsError as exc:
                form.add_error(exc)
    else:
        op = request.GET.get("op", "encrypt")
        form = CryptoForm(operation=op if op in CryptoForm.OPERATIONS else "encrypt")
    context = {
        "key": key, "form": form, "result": result,
        "operations": CRYPTO_OPERATIONS,
        "action_label": dict(CRYPTO_OPERATIONS)[form.operation],
        "key_specs": ["AES_256", "AES_128"],
    }
    if not request.htmx:
        template = "console/key_crypto.html"
    elif request.method == "POST" or request.htmx.target == "crypto-body":
        template = "console/key_crypto.html#crypto-body"
    else:
        template = "console/key_crypto.html#crypto-dialog"
    response = render(request, template, context)
    # Plaintexts and data keys: never in a browser cache.
    response["Cache-Control"] = "no-store"
    return response
