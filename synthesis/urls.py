app_name = "synthesis"

urlpatterns: list = []
