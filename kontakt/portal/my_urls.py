from django.urls import path

from . import my_views

app_name = "my"

urlpatterns = [
    path("", my_views.index, name="index"),
    # A private link to one case, and an e-mailed sign-in link: tokens only ever in the path.
    path("c/<str:token>/", my_views.link, name="link"),
    path("sign-in/<str:token>/", my_views.sign_in, name="sign_in"),
    path("sign-out/", my_views.sign_out, name="sign_out"),
    path("e-id/", my_views.eid, name="eid"),
    path("e-id/callback/", my_views.eid_callback, name="eid_callback"),
    path("cases/<str:reference>/", my_views.case, name="case"),
    path(
        "cases/<str:reference>/information/",
        my_views.case_information,
        name="case_information",
    ),
    path("cases/<str:reference>/feedback/", my_views.case_feedback, name="case_feedback"),
    path("cases/<str:reference>/close/", my_views.case_close, name="case_close"),
    path(
        "cases/<str:reference>/files/<int:attachment_id>/",
        my_views.case_file,
        name="case_file",
    ),
    path("survey/<str:token>/", my_views.survey, name="survey"),
]
