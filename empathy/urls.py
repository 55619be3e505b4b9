import os

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from campaigns import views as campaign_views

from . import views

# The admin signs in through allauth, so it gets the same rate limits, MFA and lockouts.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("empathy administration")

urlpatterns = [
    path("", campaign_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),  # before allauth: the language page and switch
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign_create"),
    path("invitations/<str:token>/", campaign_views.invitation_accept, name="invitation_accept"),
    path("c/", include("campaigns.urls")),
    path("c/", include("participants.urls")),
    path("c/", include("consent.urls")),
    path("c/", include("interviews.urls")),
    path("c/", include("reminders.urls")),
    path("p/", include("consent.public_urls")),
    path("heard/", include("exports.public_urls")),
    path("c/", include("synthesis.urls")),
    path("c/", include("exports.urls")),
    path("c/", include("audit.urls")),
]
if os.environ.get("BENCH_FLOOR") == "1":  # the benchmark harness's floor view only (docs/benchmarks.md)
    urlpatterns.append(path("_bench/", include("bench.urls")))

handler404 = "empathy.views.page_not_found"
handler403 = "empathy.views.permission_denied"
