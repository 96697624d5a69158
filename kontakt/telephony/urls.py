from django.urls import path

from . import views

app_name = "telephony"

urlpatterns = [
    path("wallboard/", views.wallboard, name="wallboard"),
    path("crisis/", views.crisis, name="crisis"),
    path("state/", views.state, name="state"),
    path("state/set/", views.state_set, name="state_set"),
    path("work/<int:pk>/done/", views.work_done, name="work_done"),
]
