from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from apps.agents.urls import api_urlpatterns as agent_api
from apps.core import views as core_views
from apps.graph.urls import api_urlpatterns as graph_api
from apps.memories.urls import api_urlpatterns as memory_api
from apps.projects.urls import api_urlpatterns as project_api
from apps.tasks.urls import api_urlpatterns as task_api

api_v1 = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *project_api,
    *memory_api,
    *graph_api,
    *task_api,
    *agent_api,
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.projects.urls")),
    path("", include("apps.memories.urls")),
    path("", include("apps.graph.urls")),
    path("", include("apps.tasks.urls")),
    path("", include("apps.agents.urls")),
    path("api/v1/", include((api_v1, "api"))),
]
