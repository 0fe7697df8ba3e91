"""How this app's tasks read on the pages (see apps.tasks.kinds)."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat

from apps.tasks.kinds import counted, register_task_kind


def ingest_summary(result: dict) -> str:
    parts = [counted(result["entities"], "entity", "entities"), counted(result["relationships"], "relationship")]
    if result.get("invalidated_relationships"):
        parts.append(f"{counted(result['invalidated_relationships'], 'earlier relationship')} closed")
    new_types = (result.get("new_entity_types") or 0) + (result.get("new_edge_types") or 0)
    if new_types:
        parts.append(f"{counted(new_types, 'new type')} in the schema")
    return ", ".join(parts)


def import_summary(result: dict) -> str:
    """`16 imported, 2 rejected of 18`: every item read is accounted for."""
    parts = [f"{result['created']:,} imported"]
    if result.get("duplicates"):
        parts.append(f"{result['duplicates']:,} skipped as duplicates")
    if result.get("rejected"):
        parts.append(f"{result['rejected']:,} rejected")
    text = f"{', '.join(parts)} of {result['total']:,}"
    children = result.get("children") or {}
    unfinished = {status: n for status, n in children.items() if status in ("failed", "cancelled") and n}
    if unfinished:
        text += "; ingestion " + ", ".join(f"{status} for {n:,}" for status, n in sorted(unfinished.items()))
    return text


def export_summary(result: dict) -> str:
    """`12 memories as JSON Lines, 48 kB`."""
    from apps.memories.exports.formats import FORMATS

    chosen = FORMATS.get(result["format"])
    size = filesizeformat(result["bytes"]).replace("\xa0", " ")
    return (
        f"{counted(result['memories'], 'memory', 'memories')} as {chosen.short if chosen else result['format']}, {size}"
    )


def register(*, ingest: str, batch_import: str, export: str) -> None:
    register_task_kind(ingest, label="Ingest memory", summarize=ingest_summary)
    register_task_kind(batch_import, label="Import", summarize=import_summary)
    register_task_kind(export, label="Export", summarize=export_summary)
