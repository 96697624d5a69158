"""URLs of the sms app: the gateway's signed webhooks."""

from django.urls import path

from . import views

app_name = "sms"

urlpatterns = [
    path("inbound/", views.inbound, name="inbound"),
    path("receipts/", views.receipt, name="receipts"),
]
