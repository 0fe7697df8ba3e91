"""Batch import: JSON Lines, CSV, a JSON array or text files, one memory per item.

`parsing` reads an upload into items (no database); `services` records the
import as a parent task with an ImportItem per item and, in the worker,
creates a memory (and so an ingestion child task) per valid, new item;
`selectors` reads imports and their items for the pages and the API.
"""
