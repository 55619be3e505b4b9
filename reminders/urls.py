from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("<slug:slug>/emails/", views.email_settings, name="settings"),
    path("<slug:slug>/emails/<str:kind>/<str:language>/", views.template_edit, name="template"),
    path("<slug:slug>/emails/sent/<int:email_id>/retry/", views.email_retry, name="retry"),
]
