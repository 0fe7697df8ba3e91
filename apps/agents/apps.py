from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "apps.agents"
    label = "agents"
    verbose_name = "Agents (API keys, MCP)"

    def ready(self) -> None:
        from apps.agents import schema  # noqa: F401 - registers the Bearer scheme with the OpenAPI schema
