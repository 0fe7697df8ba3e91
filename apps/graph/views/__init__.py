"""The graph's pages: browsing (entities, communities, graph views) and the schema."""
