from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["account_id", "name", "region", "key_quota", "created_at"]
    search_fields = ["account_id", "name"]
    readonly_fields = ["account_id", "default_key", "region", "created_at"]

    def has_add_permission(self, request) -> bool:
        # Accounts come with their default CMK: create them with `manage.py createaccount`.
        return False


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
