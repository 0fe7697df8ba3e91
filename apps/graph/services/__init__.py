"""Writing a project's graph: schema, episodes, communities.

The ingestion pipeline (apps.memories.services.memory_ingest) calls these in
order: schema_load, episode_extract, then, holding the project's graph lock,
schema_sync + episode_write, and communities_update.
"""

from apps.graph.services.communities import communities_update, refresh_communities
from apps.graph.services.episodes import Episode, Written, episode_extract, episode_remove, episode_write
from apps.graph.services.locking import lock_project_graph
from apps.graph.services.schema import SchemaChanges, ensure_default_types, schema_load, schema_sync

__all__ = [
    "Episode",
    "SchemaChanges",
    "Written",
    "communities_update",
    "ensure_default_types",
    "episode_extract",
    "episode_remove",
    "episode_write",
    "lock_project_graph",
    "refresh_communities",
    "schema_load",
    "schema_sync",
]
