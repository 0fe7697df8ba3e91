from django.urls import path  # noqa: F401 - used as pages and API views are added

app_name = "graph"

urlpatterns: list = []

api_urlpatterns: list = []
