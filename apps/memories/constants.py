"""Names other modules share: kept apart so that readers and writers both import them at the top."""

# A memory's ingestion: its task type and the kind of subject its tasks name.
INGEST = "ingest_memory"
SUBJECT_TYPE = "memories.memory"
