from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from wmasn import views

# The admin signs in through allauth, so its rate limits and MFA apply there too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "WMASN Portal administration"
admin.site.site_title = "WMASN Portal admin"
admin.site.index_title = "Run the network"
# The front page is the chair's desk: what needs attention (the reports app provides it).
admin.site.index_template = "reports/admin/index.html"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("network.urls")),
    path("", include("events.urls")),
    path("pledges/", include("pledges.urls")),
    path("services/", include("survey.urls")),
    path("", include("actions.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("reports/", include("reports.urls")),
]

handler400 = "wmasn.views.bad_request"
handler403 = "wmasn.views.permission_denied"
handler404 = "wmasn.views.page_not_found"
handler500 = "wmasn.views.server_error"
handler429 = "wmasn.views.too_many_requests"
