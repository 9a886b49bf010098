"""Pages of the motor assessment (``/motor/``)."""

from __future__ import annotations

from django.urls import path

app_name = "motor"

urlpatterns: list = []

# --- sessions and the recording grid (views/sessions.py) ---
from borneliv.motor.views import sessions  # noqa: E402

urlpatterns += [
    path("", sessions.index, name="index"),
    path("sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/<uuid:public_id>/", sessions.session, name="session"),
    path("sessions/<uuid:public_id>/cells/", sessions.session_cells, name="session_cells"),
    path("sessions/<uuid:public_id>/save/", sessions.session_save, name="session_save"),
    path(
        "sessions/<uuid:public_id>/children/add/",
        sessions.session_add_child,
        name="session_add_child",
    ),
    path("sessions/<uuid:public_id>/close/", sessions.session_close, name="session_close"),
    path("sessions/<uuid:public_id>/reopen/", sessions.session_reopen, name="session_reopen"),
    path(
        "sessions/<uuid:public_id>/children/<uuid:child_id>/",
        sessions.assessment,
        name="assessment",
    ),
]

# --- instruments: list, version, export, import, drafts (views/instruments.py) ---
from borneliv.motor.views import instruments as instrument_views  # noqa: E402

urlpatterns += [
    path("instruments/", instrument_views.instrument_list, name="instruments"),
    path("instruments/import/", instrument_views.instrument_import, name="instrument_import"),
    path(
        "instruments/<slug:code>/new-draft/",
        instrument_views.instrument_new_draft,
        name="instrument_new_draft",
    ),
    path(
        "instruments/<slug:code>/v<int:number>/",
        instrument_views.instrument_version,
        name="instrument_version",
    ),
    path(
        "instruments/<slug:code>/v<int:number>/publish/",
        instrument_views.instrument_publish,
        name="instrument_publish",
    ),
    path(
        "instruments/<slug:code>/v<int:number>/retire/",
        instrument_views.instrument_retire,
        name="instrument_retire",
    ),
]

# --- the group profile and the dialogue (views/profile.py, views/dialogues.py) ---
from borneliv.motor.views import dialogues as dialogue_views  # noqa: E402
from borneliv.motor.views import profile as profile_views  # noqa: E402

urlpatterns += [
    path("sessions/<uuid:public_id>/profile/", profile_views.profile, name="profile"),
    path(
        "sessions/<uuid:public_id>/dialogue/new/",
        dialogue_views.dialogue_new,
        name="dialogue_new",
    ),
    path("dialogues/<uuid:public_id>/edit/", dialogue_views.dialogue_edit, name="dialogue_edit"),
    path("dialogues/<uuid:public_id>/done/", dialogue_views.dialogue_done, name="dialogue_done"),
]

# --- trends over time (views/trends.py) ---
from borneliv.motor.views import trends as trend_views  # noqa: E402

urlpatterns += [
    path("trends/", trend_views.trends, name="trends"),
]
