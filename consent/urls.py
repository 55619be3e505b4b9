from django.urls import path

from . import views

app_name = "consent"

# Staff pages under /c/<slug>/consent/…
urlpatterns = [
    path("<slug:slug>/consent/", views.overview, name="overview"),
    path("<slug:slug>/consent/languages/add/", views.language_add, name="language_add"),
    path("<slug:slug>/consent/statement/<str:language>/", views.statement_edit, name="statement_edit"),
    path("<slug:slug>/consent/form/<str:language>/", views.form_edit, name="form_edit"),
    path("<slug:slug>/consent/documents/<int:form_id>/", views.document, name="document"),
    path("<slug:slug>/consent/p/<str:code>/", views.participant, name="participant"),
    path("<slug:slug>/consent/p/<str:code>/record/", views.record, name="record"),
    path("<slug:slug>/consent/p/<str:code>/link/", views.link_create, name="link_create"),
    path("<slug:slug>/consent/p/<str:code>/links/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path("<slug:slug>/consent/p/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/consent/p/<str:code>/purge/", views.purge, name="purge"),
]
