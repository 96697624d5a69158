from django.urls import path, re_path

from . import views

app_name = "staffing"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("roster/", views.roster, name="roster"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("what-if/", views.what_if, name="what_if"),
    path("what-if/<int:pk>/", views.what_if_run, name="what_if_run"),
]
