"""Knowledge quality of the offline extractor, measured on tests/graph/knowledge_set/ (see its README).

The goals of the knowledge-quality issue (relationship pair F1 at least 0.8 in
English and 0.7 in Chinese, precision at least 0.8, entity types right at
least nine times in ten) are asserted on the part the rules were improved
against and on the first two held-out parts: a change that loses what
generalised fails here. The third held-out part (tuned against in the fifth
round) and the fourth, which no rule was tuned against, meet none of the
relation goals yet; they and the chat turns of each part are held at the
level they reached.
`bench/extraction_quality.py` prints the same figures in full.
"""

from __future__ import annotations

import pytest

from apps.graph.extraction.offline import OfflineExtractor
from tests.graph.knowledge_set.scoring import Tally, load, score

GOALS = {"en": 0.8, "zh": 0.7}
PRECISION = 0.8
TYPE_ACCURACY = 0.9


@pytest.fixture(scope="module")
def parts() -> dict[str, dict[str, Tally]]:
    extractor = OfflineExtractor()
    return {
        part: score(load(part), extractor)
        for part in ("dev", "dev_chat", "heldout", "heldout2", "heldout3", "heldout4")
    }


@pytest.mark.parametrize("part", ["dev", "heldout", "heldout2"])
@pytest.mark.parametrize("group", ["en", "zh"])
def test_it_finds_the_facts_a_reader_states(parts, part, group):
    tally = parts[part][group]

    assert tally.f1 >= GOALS[group], tally.misses
    assert tally.precision >= PRECISION, tally.misses
    assert tally.entity_type_accuracy >= TYPE_ACCURACY, tally.misses


@pytest.mark.parametrize(
    ("part", "f1", "types"),
    # What each part reached (dev 0.89, dev_chat 0.84, heldout 0.83, heldout2 0.82, heldout3 0.65 with entity
    # types right 0.85, heldout4 0.58) less a small margin: the parts first tuned against meet the prose goal,
    # the later ones not.
    [
        ("dev", 0.87, TYPE_ACCURACY),
        ("dev_chat", 0.82, TYPE_ACCURACY),
        ("heldout", 0.81, TYPE_ACCURACY),
        ("heldout2", 0.80, TYPE_ACCURACY),
        ("heldout3", 0.63, 0.83),
        ("heldout4", 0.56, TYPE_ACCURACY),
    ],
)
def test_it_reads_chat_turns(parts, part, f1, types):
    tally = parts[part]["chat"]

    assert tally.f1 >= f1, tally.misses
    assert tally.precision >= PRECISION, tally.misses
    assert tally.entity_type_accuracy >= types, tally.misses


@pytest.mark.parametrize(
    ("part", "group", "f1", "precision", "types"),
    # What the later held-out parts reached less a small margin, below the goals (see docs/benchmarks.md):
    # heldout3 English 0.78 (precision 0.88), Chinese 0.69 (0.95); the untouched heldout4 English 0.67
    # (0.83, types right 0.90), Chinese 0.45 (0.61, types right 0.93).
    [
        ("heldout3", "en", 0.76, 0.86, TYPE_ACCURACY),
        ("heldout3", "zh", 0.67, 0.93, TYPE_ACCURACY),
        ("heldout4", "en", 0.65, 0.81, 0.88),
        ("heldout4", "zh", 0.43, 0.59, TYPE_ACCURACY),
    ],
)
def test_it_keeps_what_the_later_parts_reached(parts, part, group, f1, precision, types):
    tally = parts[part][group]

    assert tally.f1 >= f1, tally.misses
    assert tally.precision >= precision, tally.misses
    assert tally.entity_type_accuracy >= types, tally.misses


@pytest.mark.parametrize("group", ["en", "zh", "chat"])
def test_it_names_relations_and_finds_entities(parts, group):
    tally = parts["dev"][group]

    assert tally.type_accuracy >= 0.9, tally.misses  # WORKS_AT for "works at", 在…工作 alike
    assert tally.entity_f1 >= 0.9, tally.misses


@pytest.mark.parametrize("part", ["dev", "heldout", "heldout2", "heldout3"])
def test_it_gives_chinese_relations_a_meaning(parts, part):
    chinese = parts[part]["zh"]

    # RELATED_TO only where no verb or pattern says more.
    assert chinese.related_to <= 0.05 * chinese.predicted_pairs
    assert chinese.type_accuracy >= 0.9, chinese.misses
