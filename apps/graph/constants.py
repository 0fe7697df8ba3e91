"""Names other modules share: kept apart so that readers and writers both import them at the top."""

# The community rebuild's task type and subject kind (apps.graph.rebuild runs it).
REBUILD = "rebuild_communities"
SUBJECT_TYPE = "graph.communities"
