"""URLs of the letters app."""

app_name = "letters"

urlpatterns: list = []
