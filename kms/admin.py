from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from . import operations as ops
from .models import AccessKey, Account, Activity, Key, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "account", "is_staff", "is_active"]
    search_fields = ["email"]
    fieldsets = (
        (None, {"fields": ("email", "password", "account")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("email", "account", "password1", "password2")}),)


class UserInline(admin.TabularInline):
    model = User
    fields = ["email", "is_active", "last_login"]
    readonly_fields = ["email", "last_login"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AccessKeyInline(admin.TabularInline):
    model = AccessKey
    # The sealed secret is never shown, not even sealed.
    fields = ["access_key_id", "created_by", "created_at", "last_used_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["account_id", "name", "region", "key_quota", "key_count", "created_at",
                    "activity_link"]
    search_fields = ["account_id", "name", "users__email"]
    readonly_fields = ["account_id", "default_key", "region", "created_at", "activity_link"]
    fields = ["account_id", "name", "region", "key_quota", "default_key", "created_at",
              "activity_link"]
    inlines = [UserInline, AccessKeyInline]
    actions = ["reset_accounts"]

    def has_add_permission(self, request) -> bool:
        # Accounts come with their default CMK: create them with `manage.py createaccount`.
        return False

    @admin.display(description="CMKs")
    def key_count(self, obj: Account) -> int:
        return ops.live_key_count(obj)

    @admin.display(description="Activity")
    def activity_link(self, obj: Account) -> str:
        url = reverse("admin:kms_activity_changelist") + f"?account__id__exact={obj.pk}"
        return format_html('<a href="{}">Activity</a>', url)

    @admin.action(description="Reset to first state (only the default CMK, enabled, untagged)")
    def reset_accounts(self, request, queryset) -> None:
        for account in queryset:
            ops.reset_account(account, ops.Actor.system(f"admin:{request.user.email}"))
        self.message_user(request, f"{queryset.count()} account(s) reset.", messages.SUCCESS)


@admin.register(Key)
class KeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "account", "state", "description", "created_at", "deletion_date"]
    list_filter = ["state"]
    search_fields = ["key_id", "description", "account__account_id"]
    # The wrapped material stays out of every form.
    exclude = ["material"]
    readonly_fields = ["key_id", "account", "state", "origin", "key_usage", "created_at",
                       "deletion_date", "material_version"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    list_display = ["access_key_id", "account", "created_at", "last_used_at"]
    search_fields = ["access_key_id", "account__account_id"]
    exclude = ["secret"]
    readonly_fields = ["access_key_id", "account", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["at", "account", "source", "actor", "action", "key_id", "result"]
    list_filter = ["source", "action", "result"]
    search_fields = ["key_id", "actor", "request_id", "account__account_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
