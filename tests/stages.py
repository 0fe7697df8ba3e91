"""The stages of a memory's ingestion as a user sees them (DESIGN.md's table): one list for every test that follows one."""

INGESTION_STAGES = [
    (10, "Starting episode ingestion..."),
    (20, "Loading schema..."),
    (30, "Extracting entities and relationships..."),
    (50, "Syncing schema..."),
    (75, "Updating communities..."),
    (90, "Indexing for recall..."),
]
COMPLETED = (100, "Episode ingestion completed")
