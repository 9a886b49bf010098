from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from borneliv.accounts import user_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("datacheck/", views.datacheck, name="datacheck"),
    path("account/password/", user_views.password_change, name="password_change"),
    path("users/", user_views.users, name="users"),
    path("users/new/", user_views.user_new, name="user_new"),
    path("users/<int:user_id>/", user_views.user_detail, name="user"),
    path("users/<int:user_id>/edit/", user_views.user_edit, name="user_edit"),
    path("users/<int:user_id>/deactivate/", user_views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/reactivate/", user_views.user_reactivate, name="user_reactivate"),
    path("users/<int:user_id>/password/", user_views.user_password_reset, name="user_password"),
    path("users/<int:user_id>/roles/new/", user_views.membership_new, name="membership_new"),
    path("roles/<int:membership_id>/", user_views.membership_edit, name="membership_edit"),
    path(
        "roles/<int:membership_id>/remove/",
        user_views.membership_withdraw,
        name="membership_withdraw",
    ),
]
