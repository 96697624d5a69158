"""URLs of the mail app."""

app_name = "mail"

urlpatterns: list = []
