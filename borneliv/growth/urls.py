from __future__ import annotations

from django.urls import path

app_name = "growth"

# Each feature adds its routes below (views in borneliv/growth/views/<feature>.py).
urlpatterns: list = []

# --- a child's growth (views/child.py) ---
from borneliv.growth.views import child as child_views  # noqa: E402

urlpatterns += [
    path("children/<uuid:public_id>/", child_views.child, name="child"),
    path("children/<uuid:public_id>/chart.svg", child_views.child_chart, name="child_chart"),
    path(
        "children/<uuid:public_id>/measurements/new/",
        child_views.measurement_add,
        name="measurement_add",
    ),
]

# --- the school-start import and the review queue (views/imports.py) ---
from borneliv.growth.views import imports as import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.school_start_import, name="import"),
    path("import/history/", import_views.import_history, name="import_history"),
    path("review/", import_views.review_queue, name="review"),
    path("review/<uuid:public_id>/", import_views.review_decide, name="review_decide"),
]

# --- prevalence (views/prevalence.py) ---
from borneliv.growth.views import prevalence as prevalence_views  # noqa: E402

urlpatterns += [
    path("prevalence/", prevalence_views.prevalence, name="prevalence"),
    path("prevalence/chart.svg", prevalence_views.prevalence_chart, name="prevalence_chart"),
]
