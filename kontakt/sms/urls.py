"""URLs of the sms app."""

app_name = "sms"

urlpatterns: list = []
