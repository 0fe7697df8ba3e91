"""The four retrievers. Each returns ranked hits, best first, within the memories a search may see.

lexical: full-text rank over passages (PostgreSQL ts_rank_cd over a GIN-indexed
         tsvector; SQLite FTS5's bm25); words.py, with conversations.py for the
         turns around a conversation's hits;
dense:   cosine over passage vectors (pgvector's HNSW; numpy over the project's
         float32 vectors on SQLite, exact); vectors.py;
graph:   entities the question names -> the memories that mention them; names.py;
time:    dates the question names -> the memories of that day, month or year; dates.py.

What they share (the Hit they return, the filter to the visible memories) is in hits.py.
"""

from apps.recall.search.retrievers.dates import asks_when, spans, time_hits
from apps.recall.search.retrievers.hits import Hit
from apps.recall.search.retrievers.names import Named, entities, graph_hits, named
from apps.recall.search.retrievers.vectors import dense
from apps.recall.search.retrievers.words import lexical

__all__ = ["Hit", "Named", "asks_when", "dense", "entities", "graph_hits", "lexical", "named", "spans", "time_hits"]
