from django.urls import path

from . import views

app_name = "switchboard"

urlpatterns = [
    path("", views.console, name="console"),
    path("search/", views.search, name="search"),
    path("transfer/", views.transfer, name="transfer"),
    path("number-given/", views.number_given, name="number_given"),
    path("messages/new/", views.message_new, name="message_new"),
    path("messages/", views.my_messages, name="my_messages"),
    path("messages/<int:pk>/answer/", views.message_answer, name="message_answer"),
    path("transfers/<int:pk>/not-mine/", views.transfer_not_mine, name="transfer_not_mine"),
    path("m/<str:key>/", views.message_open, name="message_open"),
]
