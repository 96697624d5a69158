from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.search, name="search"),
    path("articles/new/", views.article_new, name="article_new"),
    path("articles/<int:article_id>/", views.article_detail, name="article"),
    path("articles/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:article_id>/flag/", views.article_flag, name="article_flag"),
    path("articles/<int:article_id>/send/", views.article_send, name="article_send"),
    path("articles/<int:article_id>/pin/", views.article_pin, name="article_pin"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:flag_id>/dismiss/", views.flag_dismiss, name="flag_dismiss"),
    path("gaps/", views.gaps, name="gaps"),
]
