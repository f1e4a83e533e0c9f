"""A search that says the reader may be in danger shows the ways to get help first, then the crisis answer."""

import pytest

from faq.models import FAQ, SearchWords
from faq.queries import CrisisWords, groups, parse_synonyms

CRISIS_TERMS = [
    "kill myself", "suicide", "want to die", "overdose", "hurt myself", "self harm", "suicidio", "sucide",
    "selfharm", "killmyself", "end my life", "od",
]  # fmt: skip
REPORTED = ["kill myself", "suicide", "want to die", "overdose", "hurt myself", "self harm", "suicidio"]


@pytest.fixture
def words(loaded):
    return SearchWords.objects.create(
        crisis_terms=CRISIS_TERMS, crisis_answer="gamma", synonyms=["money = cost pay", "drinking = alcohol"]
    )


def variants(term):
    """How readers type it: upper case, extra spaces, run together, hyphenated, inside a sentence."""
    yield term
    yield term.upper()
    yield "  ".join(term.split())
    yield f"i {term} tonight"
    yield term.title() + "?"
    if " " in term:
        yield term.replace(" ", "")
        yield term.replace(" ", "-")


@pytest.mark.parametrize("term", REPORTED)
def test_every_reported_crisis_search_shows_the_crisis_help_first(client, words, term):
    for typed in variants(term):
        html = client.get("/search/", {"q": typed}).content.decode()
        main = html[html.index("<main") :]
        assert '<section class="crisis-panel"' in main, typed
        assert main.index("crisis-panel") < main.index("search-form"), typed
        assert 'href="tel:988"' in main and "988lifeline.org/chat" in main and 'href="tel:911"' in main
        assert '<a href="/faq/gamma/">What is gamma?</a>' in main, typed


@pytest.mark.parametrize("typed", ["suicdie", "sucidal", "overdoes", "Suicído", "SUICIDIO", "quiero  morir"])
def test_misspellings_and_accents_still_count(typed):
    assert CrisisWords.of([]).found_in(typed)


@pytest.mark.parametrize("typed", ["medicare", "group therapy", "food", "skills", "overdue bill", "diet"])
def test_ordinary_searches_do_not_show_the_crisis_panel(client, words, typed):
    assert "crisis-panel" not in client.get("/search/", {"q": typed}).content.decode()


def test_the_floor_list_counts_even_without_the_clinics_file(client, loaded):
    assert not SearchWords.objects.exists()
    assert "crisis-panel" in client.get("/search/", {"q": "I want to end my life"}).content.decode()


def test_a_short_crisis_word_counts_only_as_a_whole_word():
    words = CrisisWords.of(["od", "kms"])
    assert words.found_in("I think I OD'd") and words.found_in("kms")
    assert not words.found_in("good food") and not words.found_in("odds")


def test_synonyms_let_a_readers_word_find_the_page_that_uses_the_sites_word(client, words, make_faq):
    topic = FAQ.objects.get(slug="alpha").topic
    make_faq("what-will-i-pay", topic=topic, question="What will it cost?", body="The cost depends on your plan.")
    html = client.get("/search/", {"q": "money"}).content.decode()
    assert "What will it <mark>cost</mark>?" in html


def test_synonym_groups_ask_for_every_word_or_another_word_for_it():
    synonyms = parse_synonyms(["money = cost pay", "drinking problem = alcohol"])
    assert groups(["money", "medicare"], synonyms) == [["money", "cost", "pay"], ["medicare"]]
    assert groups(["drinking", "problem"], synonyms) == [["drinking", "alcohol"], ["problem", "alcohol"]]


def test_a_search_with_no_match_still_offers_topics_the_index_and_the_phone(client, words):
    html = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "No questions match" in html and "Browse by topic" in html and 'href="tel:' in html
