"""The console face: thin views that read the form, call the core, choose a response."""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from kms import operations as ops
from kms.errors import KmsError
from kms.models import AccessKey, Account, Key, Tag

from .cli import osc_cli
from .forms import CreateKeyForm, CryptoForm, b64

KEYS_PER_PAGE = 50


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


def _actor(request: HttpRequest) -> ops.Actor:
    return ops.Actor.console(request.user, str(uuid.uuid4()))


def _keys_page(account: Account, page_number: str | None):
    qs = (
        Key.objects.for_account(account)
        .live()
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("tag_key")))
    )
    page = Paginator(qs, KEYS_PER_PAGE).get_page(page_number)
    for key in page.object_list:
        key.account = account
    return page


@require_GET
@account_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html")


@require_GET
@account_required
def keys(request: HttpRequest) -> HttpResponse:
    account = request.account
    context = {
        "page": _keys_page(account, request.GET.get("page")),
        "quota": account.key_quota,
        "live_count": ops.live_key_count(account),
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
                    account, actor=_actor(request), description=form.description,
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
    context = {"form": form, "description_max": 8192}
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


@require_GET
@account_required
def key_detail(request: HttpRequest, key_id: str) -> HttpResponse:
    key = _live_key_or_404(request.account, key_id)
    return render(request, "console/key_detail.html", {
        "key": key,
        "metadata": ops.key_metadata(key, request.account),
        "tags": list(key.tags.all()),
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
    new = ops.create_access_key(request.account, actor=_actor(request), user=request.user)
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
        ops.delete_access_key(request.account, actor=_actor(request),
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
    account, actor = request.account, _actor(request)
    context = form.context.as_context()
    if form.operation == "encrypt":
        plaintext = form.plaintext_bytes()
        out = ops.encrypt(account, actor=actor, key_id=key.key_id, plaintext=plaintext,
                          encryption_context=context)
        return {
            "fields": [("CiphertextBlob", b64(out["CiphertextBlob"]), "result-ciphertext")],
            "cli": osc_cli("Encrypt", KeyId=key.key_id, Plaintext=b64(plaintext),
                           EncryptionContext=context),
        }
    if form.operation == "decrypt":
        blob = form.ciphertext_bytes()
        out = ops.decrypt(account, actor=actor, ciphertext_blob=blob,
                          encryption_context=context, key_id=key.key_id)
        fields = [("Plaintext (base64)", b64(out["Plaintext"]), "result-plaintext-b64")]
        with contextlib.suppress(UnicodeDecodeError):
            fields.insert(0, ("Plaintext (UTF-8)", out["Plaintext"].decode("utf-8"),
                              "result-plaintext"))
        return {"fields": fields, "cli": osc_cli(
            "Decrypt", KeyId=key.key_id, CiphertextBlob=form.ciphertext,
            EncryptionContext=context)}
    out = ops.generate_data_key(account, actor=actor, key_id=key.key_id,
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
