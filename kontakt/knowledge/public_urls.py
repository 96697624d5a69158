from django.urls import path

from . import public_views

app_name = "answers"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<slug:language>/<slug:key>/", public_views.article, name="article"),
]
