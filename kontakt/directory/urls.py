from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    # Availability (absences and calendar feeds) ---------------------------------------------
    path(
        "employees/<int:employee_id>/absences/new/",
        views.absence_new,
        name="absence_new",
    ),
    path("calendars/", views.calendar_feeds, name="calendar_feeds"),
]
