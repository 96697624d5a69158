from django.urls import path

from . import statistics_views

app_name = "switchboard_statistics"

urlpatterns = [
    path("", statistics_views.statistics, name="page"),
]
