"""Pages of the Nærhedscirkel (``/nearby/``)."""

from __future__ import annotations

from django.urls import path

from borneliv.nearby import views

app_name = "nearby"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.extract_import, name="import"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
    path("institutions/<int:pk>/compute/", views.circle_compute, name="compute"),
    path("institutions/<int:pk>/settings/", views.circle_settings, name="settings"),
    path("institutions/<int:pk>/places/", views.places_include, name="places_include"),
    path("institutions/<int:pk>/places/add/", views.place_add, name="place_add"),
    path("institutions/<int:pk>/places/<int:place_pk>/", views.place, name="place"),
    path(
        "institutions/<int:pk>/places/<int:place_pk>/remove/",
        views.place_remove,
        name="place_remove",
    ),
    path("institutions/<int:pk>/public-link/", views.token_rotate, name="token_rotate"),
    path("institutions/<int:pk>/circle.geojson", views.circle_geojson, name="geojson"),
    path(
        "institutions/<int:pk>/poster.<str:fmt>",
        views.circle_poster,
        name="poster",
    ),
    path("p/<str:token>/", views.public, name="public"),
    path("p/<str:token>/circle.geojson", views.public_geojson, name="public_geojson"),
    path("p/<str:token>/poster.<str:fmt>", views.public_poster, name="public_poster"),
    path("areas/<int:pk>/", views.area, name="area"),
    path("areas/<int:pk>/circles.geojson", views.area_geojson, name="area_geojson"),
]
