"""The Bearer key scheme in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ProjectKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.agents.authentication.ProjectKeyAuthentication"
    name = "projectKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A project API key (`ms_...`): one project, `read` or `write` scope.",
        }
