"""URLs of the chat app: the residents' widget's endpoints, and the agent's side."""

from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("agent/<int:chat_id>/", views.agent_chat, name="agent_chat"),
    path("agent/<int:chat_id>/answer/", views.agent_answer, name="agent_answer"),
    path("agent/<int:chat_id>/messages/", views.agent_send, name="agent_send"),
    path("agent/<int:chat_id>/end/", views.agent_end, name="agent_end"),
    path("status/", views.status, name="status"),
    path("start/", views.start, name="start"),
    path("<str:public_id>/", views.chat_detail, name="detail"),
    path("<str:public_id>/stream/", views.stream, name="stream"),
    path("<str:public_id>/messages/", views.send, name="send"),
    path("<str:public_id>/leave/", views.leave, name="leave"),
]
