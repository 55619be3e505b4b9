app_name = "consent_public"

# Participant-facing pages reached by signed links (no staff login), under /p/…
urlpatterns: list = []
