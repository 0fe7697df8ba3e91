"""The large name lists type a name nothing around it explains, and yield to what its relations say."""

from __future__ import annotations

from apps.graph.extraction.offline import gazetteer
from tests.graph.offline_helpers import edges, entities, extract


def test_the_lists_hold_towns_countries_and_census_names():
    assert {"kyoto", "kraków", "krakow", "basel", "grenoble", "norway"} <= gazetteer.places()
    assert {"camille", "greg", "lina", "helene"} <= gazetteer.first_names()


def test_a_town_is_a_location_and_a_census_name_a_person():
    result = extract("Camille Roux and Hélène Dubois spent the winter between Kyoto and Grenoble.")

    assert {("Camille Roux", "Person"), ("Hélène Dubois", "Person"), ("Kyoto", "Location")} <= entities(result)
    assert ("Grenoble", "Location") in entities(result)


def test_what_a_relation_implies_wins_over_the_lists():
    # Columbia is a town of 100,000 people; studying there makes it a university.
    result = extract("Rosa Diaz studied at Columbia.")

    assert ("Columbia", "Organization") in entities(result)
    assert ("Rosa Diaz", "STUDIED_AT", "Columbia") in edges(result)


def test_no_one_is_named_after_the_or_with_a_college_in_the_name():
    result = extract("Priya met the Lorraine Hansberry fellows before she taught at Trinity College Dublin.")

    types = dict(entities(result))
    assert types.get("Lorraine Hansberry") != "Person"
    assert types.get("Trinity College Dublin") != "Person"  # Trinity is a first name


def test_a_short_form_on_the_list_of_towns_still_stands_for_the_longer_name():
    # Halden is a Norwegian town; here it is Halden Stores.
    result = extract("Halden Stores opened a shop. Halden's chief executive is Petra Lund.")

    assert ("Petra Lund", "CEO_OF", "Halden Stores") in edges(result)


def test_a_first_name_that_is_also_a_town_is_left_to_its_context():
    result = extract("Yesterday I had lunch with Kyle.")

    assert ("Kyle", "Location") not in entities(result)
