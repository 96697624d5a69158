"""/scim/v2/ (RFC 7644 §3.2): discovery, Users and Groups."""

from django.urls import path, re_path

from . import views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config, name="service_provider_config"),
    path("Schemas", views.schemas, name="schemas"),
    path("Schemas/<str:schema_id>", views.schema, name="schema"),
    path("ResourceTypes", views.resource_types, name="resource_types"),
    path("ResourceTypes/<str:name>", views.resource_type, name="resource_type"),
    path(".search", views.search, name="search"),
    path("Users/.search", views.search, {"resource": "Users"}, name="users_search"),
    path("Groups/.search", views.search, {"resource": "Groups"}, name="groups_search"),
    path("Users", views.users, name="users"),
    path("Users/<str:scim_id>", views.user, name="user"),
    path("Groups", views.groups, name="groups"),
    path("Groups/<str:group_id>", views.group, name="group"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
