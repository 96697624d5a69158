from django.urls import path

from . import form_views

app_name = "form"

urlpatterns = [
    path("", form_views.start, name="start"),
    path("thanks/", form_views.thanks, name="thanks"),
    path("<slug:code>/", form_views.case_type_form, name="case_type"),
    path("<slug:code>/answered/", form_views.answered, name="answered"),
]
