from __future__ import annotations

import pytest

from apps.graph.models import Entity
from apps.graph.resolution import better_type, find_match, normalize_name, supported_type, within_reach
from apps.memories import services as memory_services
from apps.memories.models import Memory
from apps.memories.tasks import ingest_memory


@pytest.mark.parametrize(
    "name, normal",
    [
        ("Acme Corp.", "acme"),
        ("ACME Corporation", "acme"),
        ("The Acme Company, Inc.", "acme"),
        ("  Bob   O'Brien ", "bob o brien"),
        ("Johnson & Johnson", "johnson and johnson"),
        ("Company", "company"),  # a suffix alone is a name, not nothing
        ("ＡＣＭＥ", "acme"),  # full-width letters (NFKC)
        ("北京 大学", "北京大学"),
        ("腾讯公司", "腾讯"),
    ],
)
def test_it_normalises_names(name, normal):
    assert normalize_name(name) == normal


def test_it_matches_the_same_company_written_differently():
    candidates = [(1, "Globex", "Organization"), (2, "ACME Corporation", "Organization")]

    assert find_match("Acme Corp.", "Organization", candidates) == 2


def test_it_matches_close_spellings_at_the_threshold():
    candidates = [(7, "Alice Cheng", "Person")]

    # token_sort_ratio("alice chen", "alice cheng") is 0.95: a typo and a different
    # surname look alike to string similarity. At 0.9 they match; 0.96 keeps them apart.
    assert find_match("Alice Chen", "Person", candidates, threshold=0.9) == 7
    assert find_match("Alice Chen", "Person", candidates, threshold=0.96) is None
    assert find_match("Chen Alice", "Person", [(8, "Alice Chen", "Person")]) == 8  # word order


NAMES = [
    "Alice Chen", "Alice Cheng", "Chen Alice", "Alicia Chen", "Al Chen", "Acme Corp", "ACME Corporation",
    "Acme Robotics", "Acme Robotix", "Hooli", "Hooly", "Initech", "Initek", "Route 66 Diner", "Route 67 Diner",
    "北京大学", "北京大學", "阿里巴巴", "阿里巴巴集团", "Jon Smith", "John Smith", "Jonathan Smith", "Zed",
]  # fmt: skip


def test_its_prefilter_keeps_every_name_find_match_takes_and_drops_the_far_ones():
    keys = [normalize_name(name) for name in NAMES]
    for name in NAMES:
        reach = within_reach(normalize_name(name), keys, 0.9)
        taken = {i for i, other in enumerate(NAMES) if find_match(name, "Person", [(i, other, "Person")]) is not None}
        assert taken <= set(reach), name
        assert taken  # itself, at least
    assert sorted(within_reach(normalize_name("Alice Chen"), keys, 0.9)) == [0, 1, 2]  # not Alicia, nor Al
    assert within_reach(normalize_name("Zed"), keys, 0.9) == [22]


def test_it_only_matches_compatible_types():
    assert find_match("Apple", "Organization", [(1, "Apple", "Concept")]) is None
    assert find_match("Apple", "Organization", [(1, "Apple", "Entity")]) == 1  # the generic type fits any
    assert find_match("Apple", "Entity", [(1, "Apple", "Concept")]) == 1


def test_it_never_matches_names_whose_numbers_differ():
    assert find_match("iPhone 15", "Product", [(1, "iPhone 14", "Product")]) is None
    assert find_match("Python 3.12", "Product", [(1, "Python 3.11", "Product")]) is None


def test_it_matches_chinese_names():
    candidates = [(1, "腾讯", "Organization"), (2, "北京大学", "Organization")]

    assert find_match("腾讯公司", "Organization", candidates) == 1
    assert find_match("北京 大学", "Organization", candidates) == 2
    assert find_match("清华大学", "Organization", candidates) is None


def test_it_breaks_ties_the_same_way_whatever_the_order():
    candidates = [(9, "Acme Corp", "Organization"), (3, "ACME Inc", "Organization"), (5, "Acme", "Entity")]

    for ordering in (candidates, candidates[::-1], candidates[1:] + candidates[:1]):
        # All three are exact after normalising: the same type wins, then the lowest key.
        assert find_match("Acme", "Organization", ordering) == 3


def test_it_prefers_an_exact_match_to_a_fuzzy_one():
    candidates = [(1, "Acme Corporaton", "Organization"), (2, "Acme Corporation", "Entity")]

    assert find_match("Acme Corporation", "Organization", candidates) == 2
    assert find_match("Acme Corporatio", "Organization", candidates[:1]) == 1


def test_it_matches_nothing_for_an_empty_name():
    assert find_match(" ... ", "Entity", [(1, "", "Entity")]) is None


def test_it_takes_one_exact_name_of_two_named_kinds_for_one_thing():
    assert find_match("Acme Robotics", "Organization", [(1, "Acme Robotics", "Location")]) == 1
    assert find_match("Jordan", "Person", [(1, "Jordan", "Location")]) is None  # a person and a country
    assert find_match("Acme Robotic", "Organization", [(1, "Acme Robotics", "Location")]) is None  # fuzzy: same kind


@pytest.mark.parametrize(
    ("current", "seen", "kept"),
    [
        ("Entity", "Location", "Location"),
        ("Location", "Entity", "Location"),
        ("Location", "Organization", "Organization"),  # "in Acme" is weaker evidence than "works at Acme"
        ("Organization", "Location", "Organization"),
        ("Person", "Location", "Person"),  # different things; the entity keeps its own type
        ("Concept", "Organization", "Concept"),
    ],
)
def test_it_keeps_the_better_supported_type(current, seen, kept):
    assert better_type(current, seen) == kept


def test_it_stores_a_name_seen_with_two_types_once(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)

    ingest(project, owner, content="The team offsite was held in Zentrix last spring.")
    ingest(project, owner, content="Alice Chen works at Zentrix as a designer.")

    zentrix = Entity.objects.filter(project=project, name="Zentrix")
    assert [(e.name, e.entity_type.name) for e in zentrix] == [("Zentrix", "Organization")]
    assert zentrix[0].mentions.count() == 2


@pytest.mark.parametrize(
    ("current", "seen", "support", "kept"),
    [
        ("Location", "Organization", {"Location": 3, "Organization": 1}, "Location"),  # more memories say a place
        ("Location", "Organization", {"Location": 1, "Organization": 2}, "Organization"),
        ("Organization", "Location", {"Organization": 1, "Location": 1}, "Organization"),  # a tie: the evidence's kind
        ("Person", "Location", {"Person": 1, "Location": 5}, "Person"),  # different things whatever the counts
        ("Entity", "Location", {"Entity": 9, "Location": 1}, "Location"),  # specific beats generic
    ],
)
def test_it_keeps_the_type_more_memories_support(current, seen, support, kept):
    assert better_type(current, seen, support) == kept


def test_it_matches_another_name_of_an_entity_exactly():
    aliases = [(1, "Alice", "Person")]

    assert find_match("alice", "Person", [(1, "Alice Chen", "Person")], aliases=aliases) == 1
    assert find_match("Alicia", "Person", [(1, "Alice Chen", "Person")], aliases=aliases) is None  # never fuzzily
    # An entity of that very name comes before one known by it.
    assert find_match("Alice", "Person", [(1, "Alice Chen", "Person"), (2, "Alice", "Person")], aliases=aliases) == 2


def test_it_types_an_entity_by_how_many_memories_support_each_type(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)

    ingest(project, owner, content="The team offsite was held in Zentrix last spring.")
    ingest(project, owner, content="Our retreat took place in Zentrix.")
    ingest(project, owner, content="Alice Chen works at Zentrix as a designer.")
    after_three = Entity.objects.get(project=project, name="Zentrix").entity_type.name
    ingest(project, owner, content="Bob Stone works at Zentrix too.")
    ingest(project, owner, content="Carol Diaz joined Zentrix in 2021.")

    zentrix = Entity.objects.get(project=project, name="Zentrix")
    assert after_three == "Location"  # two memories say a place, one a company
    assert zentrix.entity_type.name == "Organization"  # three say a company now
    assert sorted(zentrix.mentions.values_list("entity_type_name", flat=True)) == [
        "Location",
        "Location",
        "Organization",
        "Organization",
        "Organization",
    ]


@pytest.mark.parametrize(
    ("support", "kept"),
    [
        ({"Location": 1, "Organization": 2}, "Organization"),
        ({"Organization": 1, "Location": 1}, "Organization"),  # a tie: the evidence's kind
        ({"Location": 3, "Person": 1}, "Location"),  # a person is another thing: the most supported wins
        ({"Entity": 4, "Location": 1}, "Location"),  # specific beats generic
        ({"Entity": 2}, "Entity"),
        ({}, "Entity"),
    ],
)
def test_it_decides_a_type_from_all_the_support_at_once(support, kept):
    assert supported_type(support) == kept


def zentrix_type(project) -> str:
    return Entity.objects.get(project=project, name="Zentrix").entity_type.name


def test_it_types_an_entity_again_when_a_memory_leaves(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    ingest(project, owner, content="Alice Chen works at Zentrix as a designer.")
    ingest(project, owner, content="Bob Stone joined Zentrix in 2021.")
    offsite = ingest(project, owner, content="The team offsite was held in Zentrix last spring.")
    retreat = ingest(project, owner, content="Our retreat took place in Zentrix.")
    ingest(project, owner, content="The summer party was in Zentrix again.")
    three_places = zentrix_type(project)

    memory_services.memory_trash(memory=offsite, by=owner)
    after_trash = zentrix_type(project)
    memory_services.memory_delete(memory=retreat)

    assert three_places == "Location"  # three memories say a place, two a company
    assert after_trash == "Organization"  # two and two: a tie goes to the stronger kind of evidence
    assert zentrix_type(project) == "Organization"  # one place, two companies
    assert sorted(Entity.objects.get(name="Zentrix").mentions.values_list("entity_type_name", flat=True)) == [
        "Location",
        "Organization",
        "Organization",
    ]


def test_it_types_an_entity_again_when_a_memory_is_edited(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    ingest(project, owner, content="Alice Chen works at Zentrix as a designer.")
    offsite = ingest(project, owner, content="The team offsite was held in Zentrix last spring.")
    retreat = ingest(project, owner, content="Our retreat took place in Zentrix.")
    two_places = zentrix_type(project)

    memory_services.memory_update(memory=retreat, by=owner, content="Our retreat took place in Lisbon.")
    ingest_memory(str(Memory.objects.get(pk=retreat.pk).current_task_id))
    after_one_edit = zentrix_type(project)
    memory_services.memory_update(memory=offsite, by=owner, content="Carol Diaz joined Zentrix in 2019.")
    ingest_memory(str(Memory.objects.get(pk=offsite.pk).current_task_id))

    assert two_places == "Location"
    assert after_one_edit == "Organization"  # one place, one company: the stronger kind of evidence
    assert zentrix_type(project) == "Organization"
