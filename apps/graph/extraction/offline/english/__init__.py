"""English sentences -> named mentions and the edges between them, with no model.

Names are runs of capitalised words. Their type comes from the words in and
around them (titles, organisation suffixes, prepositions, a small gazetteer);
an edge comes from the verb phrase between two names (see english_edges).

names finds the names, kinds tells what each is, links reads the edges between
them, conversation reads what the whole text says about names, and context is
what carries from one sentence to the next.
"""

from __future__ import annotations

from apps.graph.extraction.offline.analysis import Mention, SentenceAnalysis
from apps.graph.extraction.offline.dates import find_dates
from apps.graph.extraction.offline.english.context import EnglishContext
from apps.graph.extraction.offline.english.conversation import addressed_names, capitalised_mid_sentence, chat_names
from apps.graph.extraction.offline.english.links import _descriptions, _links
from apps.graph.extraction.offline.english.names import _spans
from apps.graph.extraction.offline.english_words import tokenize

__all__ = ["EnglishContext", "addressed_names", "analyse", "capitalised_mid_sentence", "chat_names"]


def analyse(sentence: str, context: EnglishContext) -> SentenceAnalysis:
    dates = find_dates(sentence)
    tokens = tokenize(sentence, dates)
    spans, links = _spans(sentence, tokens, context)
    described, skipped = _descriptions(spans, tokens)
    links += described + _links(spans, tokens, dates, skipped)
    for span in spans:
        if span.type == "Event" and dates:  # "the Global AI Summit ... on 2023-11-14"
            span.attributes.setdefault("date", dates[0].value.date().isoformat())
    mentions = [Mention(s.name, s.type, s.strength, s.attributes) for s in spans if not s.reference]
    return SentenceAnalysis(text=sentence, mentions=mentions, links=links)
