"""The graph's HTTP API: browsing (entities, relationships, communities, graph views, rebuild) and the schema."""
