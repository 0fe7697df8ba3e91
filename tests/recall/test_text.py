"""The words of the lexical index: stemming, stop words."""

from __future__ import annotations

from apps.recall import text


def test_it_gives_the_forms_of_an_english_word_one_stem():
    assert len(set(text.words("paintings painted painting paints"))) == 1
    assert text.words("adoption")[0] == text.words("adopted")[0]


def test_it_leaves_chinese_words_and_numbers_as_they_are():
    assert text.words("张伟在北京工作 2024") == ["张伟", "在", "北京", "工作", "2024"]


def test_it_knows_stop_words_before_stemming():
    # "does" stems to "doe", which no stop list has: the question must still drop it.
    assert text.query_words("What does Caroline's painting look like? Don't ask") == [
        text.words("Caroline")[0],
        text.words("painting")[0],
        "look",
        "like",
        "ask",
    ]


def test_it_marks_every_form_of_a_question_word():
    marks = text.highlights("She painted two paintings.", "painting")
    assert [m["text"] for m in marks] == ["painted", "paintings"]
