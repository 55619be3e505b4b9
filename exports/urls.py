from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("<slug:slug>/exports/", views.export_list, name="list"),
    path("<slug:slug>/exports/start/", views.export_start, name="start"),
    path("<slug:slug>/exports/<int:job_id>/", views.export_job, name="job"),
    path("<slug:slug>/exports/<int:job_id>/retry/", views.export_retry, name="retry"),
    path("<slug:slug>/exports/<int:job_id>/download/", views.export_download, name="download"),
    path("<slug:slug>/exports/report/", views.report_preview, name="report"),
    path("<slug:slug>/exports/codebook-import/", views.codebook_import, name="codebook_import"),
    path("<slug:slug>/what-we-heard/", views.summary_edit, name="summary"),
    path("<slug:slug>/what-we-heard/publish/", views.summary_publish, name="summary_publish"),
]
