from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.charts, name="charts"),
    path("<int:year>/", views.report, name="report"),
    path("<int:year>/<slug:slug>.csv", views.report_csv, name="report-csv"),
    path("<int:year>/publish/", views.publish, name="publish"),
    path("<int:year>/coverage/", views.record_coverage, name="record-coverage"),
    path("<int:year>/public/", views.public_report, name="public-report"),
    path("<int:year>/public/<slug:slug>.csv", views.public_report_csv, name="public-report-csv"),
]
