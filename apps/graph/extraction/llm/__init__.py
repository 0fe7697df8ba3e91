"""The high-recall extractor: any OpenAI-compatible Chat Completions endpoint (see client.py)."""

from apps.graph.extraction.llm.client import LLMExtractor

__all__ = ["LLMExtractor"]
