from django.urls import path

from . import public_views

app_name = "consent_public"

# Participant-facing pages reached by signed links (no staff login), under /p/…
urlpatterns = [
    path("<str:token>/", public_views.participant_link, name="participant_link"),
    path("<str:token>/consent/", public_views.participant_consent, name="participant_consent"),
    path("<str:token>/data/", public_views.participant_data, name="participant_data"),
    path("<str:token>/withdraw/", public_views.participant_withdraw, name="participant_withdraw"),
]
