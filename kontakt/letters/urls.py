"""URLs of the letters app."""

from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("", views.letter_list, name="list"),
    path("new/", views.letter_new, name="new"),
    path("<int:letter_id>/", views.letter_detail, name="letter"),
    path("<int:letter_id>/register/", views.letter_register, name="register"),
    path("<int:letter_id>/read/", views.letter_read_again, name="read_again"),
    path("<int:letter_id>/file/", views.letter_file, name="file"),
    path("<int:letter_id>/preview/", views.letter_preview, name="preview"),
]
