from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from borneliv.accounts import views

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
]
