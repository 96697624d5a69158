from django.urls import path

from . import absence_views, views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("employees/new/", views.employee_new, name="employee_new"),
    path("employees/<int:employee_id>/", views.employee_detail, name="employee"),
    path("employees/<int:employee_id>/edit/", views.employee_edit, name="employee_edit"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    # Availability (absences and calendar feeds)
    path(
        "employees/<int:employee_id>/absences/new/",
        absence_views.absence_new,
        name="absence_new",
    ),
    path("calendars/", absence_views.calendar_feeds, name="calendar_feeds"),
]
