from django.urls import path

from survey import views

app_name = "survey"

# "services" stays in the paths: they are a public contract.
urlpatterns = [
    path("", views.service_list, name="service-list"),
    path("gaps.csv", views.service_gaps_csv, name="service-gaps-csv"),
    path("<slug:slug>/edit/", views.agency_services_edit, name="agency-services-edit"),
]
