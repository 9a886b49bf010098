from __future__ import annotations

from django.urls import path

from borneliv.children import referrals_views, views

app_name = "children"

urlpatterns = [
    path("", views.find, name="find"),
    path("register/", views.register, name="register"),
    path("import/", views.import_children, name="import"),
    path("access-log/", views.access_log, name="access_log"),
    path("referrals/", referrals_views.referral_list, name="referrals"),
    path("referrals/<uuid:public_id>/", referrals_views.referral_detail, name="referral"),
    path(
        "referrals/<uuid:public_id>/register/",
        referrals_views.referral_register,
        name="referral_register",
    ),
    path("referrals/<uuid:public_id>/move/", referrals_views.referral_move, name="referral_move"),
    path(
        "referrals/<uuid:public_id>/decline/",
        referrals_views.referral_decline,
        name="referral_decline",
    ),
    path(
        "referrals/imports/<uuid:batch>/register/",
        referrals_views.batch_register,
        name="referral_batch_register",
    ),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/cpr/", views.reveal_cpr, name="reveal_cpr"),
    path("<uuid:public_id>/family/", views.family_create, name="family_create"),
    path("<uuid:public_id>/guardians/", views.guardian_add, name="guardian_add"),
    path("<uuid:public_id>/vulnerability/", views.vulnerability_set, name="vulnerability_set"),
    path(
        "<uuid:public_id>/vulnerability/<int:period_id>/clear/",
        views.vulnerability_clear,
        name="vulnerability_clear",
    ),
    path("<uuid:public_id>/move/", views.move, name="move"),
    path("<uuid:public_id>/enrolments/", views.enrol, name="enrol"),
    path(
        "<uuid:public_id>/enrolments/<int:enrolment_id>/end/",
        views.enrolment_end,
        name="enrolment_end",
    ),
]
