"""Open311 GeoReport v2, mounted at /open311/v2/: every endpoint ends in .json or .xml."""

from django.urls import re_path

from . import views

app_name = "open311"

_FORMAT = r"\.(?P<format>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(rf"^discovery{_FORMAT}", views.discovery, name="discovery"),
    re_path(rf"^services{_FORMAT}", views.services_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){_FORMAT}", views.service_definition, name="service"),
    re_path(rf"^requests{_FORMAT}", views.requests, name="requests"),
    re_path(rf"^requests/(?P<reference>[^/]+?){_FORMAT}", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){_FORMAT}", views.token, name="token"),
    re_path(rf"^servicerequestupdates{_FORMAT}", views.request_updates, name="updates"),
]
