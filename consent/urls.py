app_name = "consent"

# Staff pages under /c/<slug>/consent/…
urlpatterns: list = []
