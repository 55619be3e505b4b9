from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/settings/", views.campaign_settings, name="settings"),
    path("<slug:slug>/team/", views.team, name="team"),
    path("<slug:slug>/team/invite/", views.team_invite, name="team_invite"),
    path("<slug:slug>/team/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("<slug:slug>/team/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path(
        "<slug:slug>/team/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:slug>/issue/", views.issue_history, name="issue"),
    path("<slug:slug>/issue/refine/", views.issue_refine, name="issue_refine"),
]
