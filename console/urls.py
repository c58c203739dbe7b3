from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import key_actions, views

console_patterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(
        template_name="console/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("keys/", views.keys, name="keys"),
    path("keys/create/", views.create_key, name="create-key"),
    path("keys/actions/", key_actions.key_action, name="key-action"),
    path("activity/", views.activity, name="activity"),
    path("keys/<str:key_id>/", views.key_detail, name="key-detail"),
    path("keys/<str:key_id>/crypto/", views.key_crypto, name="key-crypto"),
    path("access-keys/", views.access_keys, name="access-keys"),
    path("access-keys/create/", views.create_access_key, name="create-access-key"),
    path("access-keys/<str:access_key_id>/delete/", views.delete_access_key,
         name="delete-access-key"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((console_patterns, "console"))),
]
