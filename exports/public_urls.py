"""The public "What we heard" page (no account; an unguessable link)."""

from django.urls import path

from . import views

app_name = "heard"

urlpatterns = [
    path("<str:token>/", views.summary_public, name="what_we_heard"),
]
