"""URLs of the mail app."""

from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("inbound", views.inbound, name="inbound"),
]
