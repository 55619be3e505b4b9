from django.urls import path

from . import views

urlpatterns = [
    path("accounts/language/", views.language, name="account_language"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
