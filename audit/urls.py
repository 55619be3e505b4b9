from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("<slug:slug>/audit/", views.campaign_trail, name="campaign"),
]
