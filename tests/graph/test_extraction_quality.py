"""Knowledge quality of the offline extractor, measured on tests/graph/knowledge_set/ (see its README).

The goals of the knowledge-quality issue (relationship pair F1 at least 0.8 in
English and 0.7 in Chinese, precision at least 0.8, entity types right at
least nine times in ten) are asserted on the parts the rules were improved
against (dev and held-out 1 to 5, the last tuned against in the seventh
round): a change that loses what generalised fails here. The sixth and
seventh held-out parts, written by someone who had not read the rules and
never tuned against, meet none of the relation goals; they and the chat turns
of each part are held at the level they reached.
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
        for part in (
            "dev",
            "dev_chat",
            "heldout",
            "heldout2",
            "heldout3",
            "heldout4",
            "heldout5",
            "heldout6",
            "heldout7",
        )
    }


@pytest.mark.parametrize("part", ["dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"])
@pytest.mark.parametrize("group", ["en", "zh"])
def test_it_finds_the_facts_a_reader_states(parts, part, group):
    tally = parts[part][group]

    assert tally.f1 >= GOALS[group], tally.misses
    assert tally.precision >= PRECISION, tally.misses
    assert tally.entity_type_accuracy >= TYPE_ACCURACY, tally.misses


@pytest.mark.parametrize(
    ("part", "f1", "types"),
    # What each part reached at the seventh round, rounded down (the rules are deterministic): dev 0.889,
    # dev_chat 0.867, heldout 0.923, heldout2 0.850, heldout3 0.727 with entity types right 0.870,
    # heldout4 0.778 and heldout5 0.708.
    [
        ("dev", 0.88, TYPE_ACCURACY),
        ("dev_chat", 0.86, TYPE_ACCURACY),
        ("heldout", 0.92, TYPE_ACCURACY),
        ("heldout2", 0.85, TYPE_ACCURACY),
        ("heldout3", 0.72, 0.87),
        ("heldout4", 0.77, TYPE_ACCURACY),
        ("heldout5", 0.70, TYPE_ACCURACY),
    ],
)
def test_it_reads_chat_turns(parts, part, f1, types):
    tally = parts[part]["chat"]

    assert tally.f1 >= f1, tally.misses
    assert tally.precision >= PRECISION, tally.misses
    assert tally.entity_type_accuracy >= types, tally.misses


@pytest.mark.parametrize(
    ("part", "group", "f1", "precision", "types"),
    # What the two parts written by someone who had not read the rules reached at the seventh round,
    # rounded down, far below the goals (see docs/benchmarks.md): held-out 6 English F1 0.562 (precision
    # 0.844, types right 0.829), Chinese 0.250 (0.571, 0.902), chat 0.576 (0.739, 0.979); held-out 7
    # English 0.479 (0.742, 0.817), Chinese 0.317 (0.481, 0.900), chat 0.383 (0.818, 0.925).
    [
        ("heldout6", "en", 0.56, 0.84, 0.82),
        ("heldout6", "zh", 0.25, 0.57, 0.90),
        ("heldout6", "chat", 0.57, 0.73, 0.97),
        ("heldout7", "en", 0.47, 0.74, 0.81),
        ("heldout7", "zh", 0.31, 0.48, 0.90),
        ("heldout7", "chat", 0.38, 0.81, 0.92),
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


@pytest.mark.parametrize("part", ["dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"])
def test_it_gives_chinese_relations_a_meaning(parts, part):
    chinese = parts[part]["zh"]

    # RELATED_TO only where no verb or pattern says more.
    assert chinese.related_to <= 0.05 * chinese.predicted_pairs
    assert chinese.type_accuracy >= 0.9, chinese.misses
