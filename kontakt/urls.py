from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kontakt.accounts.views import second_factor
from kontakt.cases.api import case_router, meta_router
from kontakt.directory.api import router as directory_router
from kontakt.intake.api import router as contact_router
from kontakt.knowledge.api import router as knowledge_router
from kontakt.residents.api import router as resident_router
from kontakt.switchboard.api import router as switchboard_router
from kontakt.switchboard.statistics_api import stats_router as switchboard_stats_router
from kontakt.telephony.api import ExchangeAuth, agents_router, routing_router, stats_router
from kontakt.telephony.api import router as telephony_router
from kontakt.web import health
from kontakt.web.api import StaffSessionAuth, TokenAuth, api

# Each app's API router, mounted on the one API object under /api/v1/.
for prefix, router in [
    ("/contacts", contact_router),
    ("/cases", case_router),
    ("/residents", resident_router),
    ("/knowledge", knowledge_router),
    ("/telephony", telephony_router),
    ("/telephony", switchboard_router),
    ("/routing", routing_router),
    ("/agents", agents_router),
    ("/stats", stats_router),
    ("/stats", switchboard_stats_router),
    ("/", meta_router),
]:
    api.add_router(prefix, router)
# The directory answers the exchange too (whose token is telephony's, a layer above).
api.add_router(
    "/directory", directory_router, auth=[ExchangeAuth(), TokenAuth(), StaffSessionAuth()]
)

urlpatterns = [
    # For load balancers and monitoring: open to all, no personal data (kontakt/web/health.py).
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/second-factor/", second_factor, name="second-factor"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("staffing/", include("kontakt.staffing.urls")),
    path("knowledge/", include("kontakt.knowledge.urls")),
    path("directory/", include("kontakt.directory.urls")),
    path("answers/", include("kontakt.knowledge.public_urls")),
    # The residents' own pages: the web form, My pages (with the satisfaction question).
    path("form/", include("kontakt.portal.form_urls")),
    path("my/", include("kontakt.portal.my_urls")),
    path("open311/v2/", include("kontakt.open311.urls")),
    # The written channels: e-mail, SMS (the gateway's webhooks), web chat, letters.
    path("mail/", include("kontakt.mail.urls")),
    path("sms/", include("kontakt.sms.urls")),
    path("chat/", include("kontakt.chat.urls")),
    path("letters/", include("kontakt.letters.urls")),
    path("live/", include("kontakt.live.urls")),
    path("telephony/", include("kontakt.telephony.urls")),
    path("switchboard/statistics/", include("kontakt.switchboard.statistics_urls")),
    path("switchboard/", include("kontakt.switchboard.urls")),
    path("scim/v2/", include("kontakt.directory.scim.urls")),
    path("", include("kontakt.desk.urls")),
]

# Nothing under MEDIA_ROOT is served as it is: attachments go out through the case page's
# download view (desk:case_attachment), which checks access like the case.
