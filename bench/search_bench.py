"""Search speed with many FAQs, on a temporary SQLite database (a benchmark, not a test).

    .venv/bin/python bench/search_bench.py               # 10,000 FAQs of ~400 words
    .venv/bin/python bench/search_bench.py --faqs 1000 --repeat 10

Builds the FAQs from the words of the real content/ files (Zipf-weighted, so common words are common), indexes
them, then times `faq.search.search()` (ranking, highlights and loading the FAQs) and the whole /search/ page
for a set of queries a reader might type. Target: median search under 20 ms on SQLite.
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "medicare",
    "group therapy",
    "how long does the program last",
    "sessions",
    "can I keep working",
    "insurance cost",
    "PTSD",
    "first day",
    "family",
    "depression anxiety",
    "what happens if I miss a day",
    "medication",
    "dual diagnosis",
    "zebra crossing",
]
QUESTION_FORMS = [
    "What is {a} {b}?",
    "How does {a} work in an IOP?",
    "Can I get {a} and {b}?",
    "Does the program help with {a}?",
    "What happens during {a}?",
    "Who pays for {a}?",
]


def vocabulary(rng, size=20_000, common=60, spacing=8):
    """Zipf-ranked words: the content's most common words on top, its other words spread through a long tail
    of made-up words (so, as in real text, a topic word like "medicare" is in some answers, not all)."""
    words = re.findall(r"[a-z]+", " ".join(p.read_text() for p in (ROOT / "content").rglob("*.md")).lower())
    counts = {}
    for word in words:
        if len(word) > 2:
            counts[word] = counts.get(word, 0) + 1
    real = sorted(counts, key=counts.get, reverse=True)
    syllables = ["ba", "ko", "ri", "zu", "len", "mar", "tos", "vi", "que", "dal", "nor", "pex", "sil", "um", "gra"]
    made_up = list(dict.fromkeys("".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size * 2)))
    ranked, tail = real[:common], iter(made_up)
    for word in real[common:]:
        ranked.append(word)
        ranked.extend(next(tail) for _ in range(spacing - 1))
    ranked.extend(tail)
    ranked = list(dict.fromkeys(ranked))[:size]
    return ranked, [1 / (rank + 1) for rank in range(len(ranked))]


def make_faqs(count, words_per_body, rng):
    from faq.models import FAQ, Topic

    vocab, weights = vocabulary(rng)
    common_words = 60
    topics = [Topic.objects.create(slug=f"topic-{i}", title=f"Topic {i}", description="Questions.") for i in range(8)]
    batch = []
    for n in range(count):
        words = rng.choices(vocab, weights, k=words_per_body)
        paragraphs = [" ".join(words[i : i + 60]).capitalize() + "." for i in range(0, len(words), 60)]
        a, b = rng.choices(vocab[common_words:3000], k=2)
        question = rng.choice(QUESTION_FORMS).format(a=a, b=b)
        batch.append(
            FAQ(
                question=question[:200],
                slug=f"faq-{n}",
                summary=" ".join(rng.choices(vocab, weights, k=20))[:160],
                topic=topics[n % len(topics)],
                reviewed="2026-11-01",
                body="\n\n".join(paragraphs),
                body_html="".join(f"<p>{p}</p>" for p in paragraphs),
                status=FAQ.Status.DRAFT if n % 50 == 0 else FAQ.Status.PUBLISHED,
            )
        )
        if len(batch) == 1000:
            FAQ.objects.bulk_create(batch)
            batch = []
    FAQ.objects.bulk_create(batch)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faqs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=400, help="words per answer")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="search-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop_site.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from faq.models import FAQ
    from faq.search import _backend, rebuild_index, search

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    make_faqs(args.faqs, args.words, random.Random(5))
    created = time.perf_counter()
    rebuild_index()
    indexed = time.perf_counter()
    made, indexed = created - start, indexed - created
    print(f"{args.faqs} FAQs of {args.words} words: made in {made:.1f} s, indexed in {indexed:.1f} s.")

    client = Client()
    backend = _backend()
    all_search, all_page = [], []
    print(f"\n{'query':32} {'matching':>8} {'shown':>5} {'median ms':>10} {'p95 ms':>8} {'page median ms':>15}")
    for query in QUERIES:
        result = search(query)  # also warms up
        visible = FAQ.objects.published().filter(language="en")
        ranked = backend.ranked(result.groups, visible, not result.all_words, args.faqs) if result.terms else []
        matching = len(ranked)  # at most 2 x faq.search.CANDIDATES are ranked
        search_times = timed(lambda q=query: search(q), args.repeat)
        page_times = timed(lambda q=query: client.get("/search/", {"q": q}), args.repeat)
        all_search += search_times
        all_page += page_times
        median, p95 = statistics.median(search_times), percentile(search_times, 0.95)
        print(
            f"{query:32} {matching:>8} {len(result.hits):>5} {median:>10.2f} {p95:>8.2f} "
            f"{statistics.median(page_times):>15.2f}"
        )
    print()
    for label, times in (("search()", all_search), ("/search/ page", all_page)):
        print(f"{label}, all queries: median {statistics.median(times):.2f} ms, p95 {percentile(times, 0.95):.2f} ms")
    folder.cleanup()


if __name__ == "__main__":
    main()
