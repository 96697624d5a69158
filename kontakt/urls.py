from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve

from kontakt.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("staffing/", include("kontakt.staffing.urls")),
    path("knowledge/", include("kontakt.knowledge.urls")),
    path("answers/", include("kontakt.knowledge.public_urls")),
    path("live/", include("kontakt.live.urls")),
    path("telephony/", include("kontakt.telephony.urls")),
    path("", include("kontakt.desk.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
