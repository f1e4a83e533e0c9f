"""Write a synthetic content folder: N FAQs with ~400-word bodies and 3 related entries each.

python bench/generate.py OUT_DIR N
"""

import random
import re
import sys
from pathlib import Path

# Short everyday words and short sentences, so the synthetic answers pass the same checks as real ones.
WORDS = [
    "you",
    "we",
    "care",
    "group",
    "plan",
    "team",
    "help",
    "calm",
    "sleep",
    "work",
    "week",
    "day",
    "time",
    "talk",
    "skills",
    "home",
    "family",
    "stress",
    "mood",
    "fear",
    "hope",
    "safe",
    "goal",
    "step",
    "rest",
    "walk",
    "call",
    "visit",
    "start",
    "learn",
    "share",
    "feel",
    "think",
    "breathe",
    "cope",
    "grow",
    "friend",
    "nurse",
    "doctor",
    "coach",
    "class",
    "notes",
    "list",
    "small",
    "short",
    "clear",
    "kind",
    "warm",
    "quiet",
]
TOPICS = ["about", "treatment", "starting", "costs", "after"]


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(7, 11))]
    return " ".join(words).capitalize() + "."


def body(rng, index, n):
    paragraphs = []
    for p in range(11):
        text = " ".join(sentence(rng) for _ in range(4))
        if p == 1:
            text += " You come for {{ fact:schedule }}."
        if p == 3:
            text += f" See [a related answer](faq:faq-{(index + 7) % n})."
        paragraphs.append(text)
    paragraphs.insert(2, "## More about this\n\n- " + sentence(rng) + "\n- " + sentence(rng))
    return "\n\n".join(paragraphs)


def change_one_file(content: Path):
    """Change the summary of the FAQ in the middle and give it a new review date, so a load takes the change."""
    files = sorted((content / "faqs").glob("*.md"))
    path = files[len(files) // 2]
    text = path.read_text()
    text = re.sub(r"^summary: (.*)$", r"summary: Changed. \1", text, count=1, flags=re.M)
    path.write_text(re.sub(r"^reviewed: .*$", "reviewed: 2026-11-02", text, count=1, flags=re.M))


def generate(out: Path, n: int, seed: int = 1):
    rng = random.Random(seed)
    for folder in ("faqs", "facts", "topics"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for order, slug in enumerate(TOPICS):
        (out / "topics" / f"{slug}.md").write_text(
            f"---\nslug: {slug}\ntitle: Topic {slug}\ndescription: Questions about {slug}.\norder: {order}\n---\n"
        )
    (out / "facts" / "schedule.md").write_text(
        "---\nkey: schedule\nlabel: Schedule\nvalue: 3 to 5 days a week\norder: 1\n---\n\nThe schedule.\n"
    )
    (out / "site.md").write_text(
        "---\nname: Bench Program\nphone: (617) 555-0142\naddress: 1 Example St\nhours: Weekdays\n"
        "intake:\n- Call us.\n---\n\nA benchmark site for {{ fact:schedule }}.\n"
    )
    (out / "search.md").write_text(
        "---\ncrisis_terms:\n- suicide\n- kill myself\ncrisis_answer: faq-0\nsynonyms:\n- money = cost\n---\n"
    )
    for i in range(n):
        related = "".join(f"\n- faq-{(i + k) % n}" for k in (1, 2, 3))
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9)))
        (out / "faqs" / f"faq-{i}.md").write_text(
            f"---\nquestion: 'Question {i}: {words}?'\nslug: faq-{i}\nsummary: A short summary for question {i}.\n"
            f"topic: {TOPICS[i % len(TOPICS)]}\nrelated:{related}\norder: {i}\nreviewed: 2026-11-01\n"
            "reviewer: Clinical director, LCSW\n"
            f"sources:\n- title: NIMH\n  url: https://www.nimh.nih.gov/\n---\n\n{body(rng, i, n)}\n"
        )


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
