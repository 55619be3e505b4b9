from django.urls import path

from . import views

app_name = "participants"

P = "<slug:slug>/participants/"

urlpatterns = [
    path(P, views.participant_list, name="list"),
    path(f"{P}add/", views.participant_add, name="add"),
    path(f"{P}import/", views.participant_import, name="import"),
    path(f"{P}import/template.csv", views.participant_import_template, name="import_template"),
    path(f"{P}dimensions/", views.dimension_list, name="dimensions"),
    path(f"{P}dimensions/add/", views.dimension_edit, name="dimension_add"),
    path(f"{P}dimensions/starter/", views.dimension_starter, name="dimension_starter"),
    path(f"{P}dimensions/<int:dimension_id>/", views.dimension_edit, name="dimension_edit"),
    path(f"{P}dimensions/<int:dimension_id>/delete/", views.dimension_delete, name="dimension_delete"),
    path(f"{P}selection-rule/", views.selection_rule, name="selection_rule"),
    path(f"{P}next/", views.next_invitations, name="next"),
    path(f"{P}next/invite/", views.invite, name="invite"),
    path(f"{P}priorities/", views.priority_groups, name="priorities"),
    path(f"{P}priorities/add/", views.priority_group_edit, name="priority_add"),
    path(f"{P}priorities/<int:group_id>/", views.priority_group_edit, name="priority_edit"),
    path(f"{P}priorities/<int:group_id>/delete/", views.priority_group_delete, name="priority_delete"),
    path(f"{P}priorities/override/", views.target_override, name="override"),
    path(f"{P}<str:code>/", views.participant_detail, name="detail"),
    path(f"{P}<str:code>/edit/", views.participant_edit, name="edit"),
    path(f"{P}<str:code>/status/", views.participant_status, name="status"),
    path(f"{P}<str:code>/assign/", views.participant_assign, name="assign"),
    path(f"{P}<str:code>/match/", views.participant_match, name="match"),
    path("<slug:slug>/coverage/", views.coverage, name="coverage"),
]
