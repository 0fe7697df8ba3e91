"""Writing a project's graph: episodes, schema, communities.

Ingestion is one call, episode_ingest (stages 20 to 75), and deleting a
memory one more, episode_remove; a batch import's ingestions go many at a
time through episodes_extract and episodes_write; the schema page and API write types through
entity_type_create/update/delete and edge_type_create/update/delete, and
merges two entities by hand with entity_merge. Each of
these takes the project's graph lock itself, and episode_ingest takes back
what it wrote when it cannot finish. lock_project_graph and
communities_update also serve the community rebuild, which holds the lock
for its swap of communities.
"""

from apps.graph.services.batch import episodes_extract, episodes_write
from apps.graph.services.communities import communities_update
from apps.graph.services.entities import EntityMergeError, entity_merge
from apps.graph.services.episodes import Episode, EpisodeIngested, episode_ingest, episode_remove
from apps.graph.services.locking import lock_project_graph
from apps.graph.services.schema import (
    TypeInUse,
    edge_type_create,
    edge_type_delete,
    edge_type_update,
    ensure_default_types,
    entity_type_create,
    entity_type_delete,
    entity_type_update,
)

__all__ = [
    "Episode",
    "EntityMergeError",
    "EpisodeIngested",
    "TypeInUse",
    "communities_update",
    "edge_type_create",
    "edge_type_delete",
    "edge_type_update",
    "ensure_default_types",
    "entity_merge",
    "entity_type_create",
    "entity_type_delete",
    "entity_type_update",
    "episode_ingest",
    "episode_remove",
    "episodes_extract",
    "episodes_write",
    "lock_project_graph",
]
