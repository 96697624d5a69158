from django.urls import path

from . import mail_views, sms_views, views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("desk/", views.desk, name="desk"),
    path("desk/contacts/", views.contact_log, name="contact_log"),
    path("desk/mail/<int:pk>/", mail_views.mail_answer, name="mail"),
    path("residents/new/", views.resident_new, name="resident_new"),
    path("queue/", views.queue, name="queue"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/take/", views.case_take, name="case_take"),
    path("cases/<str:reference>/notes/", views.case_note, name="case_note"),
    path("cases/<str:reference>/messages/", views.case_message, name="case_message"),
    path("cases/<str:reference>/status/", views.case_status, name="case_status"),
    path("cases/<str:reference>/forward/", views.case_forward, name="case_forward"),
    path("cases/<str:reference>/attachments/", views.case_attach, name="case_attach"),
    path("cases/<str:reference>/links/revoke/", views.case_links_revoke, name="case_links_revoke"),
    path(
        "cases/<str:reference>/attachments/<int:attachment_id>/",
        views.case_attachment,
        name="case_attachment",
    ),
    path("me/absence/", views.absence, name="absence"),
    path("desk/sms/<int:inbound_id>/", sms_views.sms, name="sms"),
]
