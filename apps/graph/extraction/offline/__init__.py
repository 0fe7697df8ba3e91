"""The default extractor: rules and word lists for English and Chinese, no network (see extractor.py)."""

from apps.graph.extraction.offline.extractor import OfflineExtractor

__all__ = ["OfflineExtractor"]
