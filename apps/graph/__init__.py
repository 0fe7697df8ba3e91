"""Knowledge graph: per-project schema, extraction, entity resolution and communities.

The modules here that have no Django models (`extraction`, `resolution`,
`communities`, `ordering`) are pure functions over plain data so that the
ingestion pipeline, the community rebuild and the tests can call them directly.
"""
