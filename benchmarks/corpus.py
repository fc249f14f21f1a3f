"""A deterministic corpus of N pieces, in the two shapes editors hand us.

- `markdown/posts/*.md`: one piece per file, YAML front matter (title, date,
  author, tags), a ~600-word body with non-ASCII names, curly quotes, em
  dashes, emphasis, links and the odd subheading; one in five is a teaser
  (a single paragraph cut off mid-sentence). Hugo and Pelican build this too.
- `dumps/*.txt`: raw text dumps in the style of `seeds/taiwan-china-dump.txt`:
  one paragraph per line, several pieces per file, op-eds closing with an
  author bio ("<Name> is <role> at <org>."), teasers cut mid-sentence.

The same N always gives the same bytes (a seeded `random.Random`), so runs,
machines and tools can be compared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "at",
    "from",
    "it",
    "an",
    "be",
    "this",
    "which",
    "or",
    "are",
    "have",
    "has",
    "policy",
    "government",
    "minister",
    "defense",
    "security",
    "economy",
    "trade",
    "partner",
    "island",
    "strait",
    "election",
    "parliament",
    "coalition",
    "alliance",
    "diplomat",
    "envoy",
    "summit",
    "treaty",
    "sanction",
    "export",
    "import",
    "chip",
    "foundry",
    "industry",
    "market",
    "investment",
    "currency",
    "inflation",
    "budget",
    "reform",
    "court",
    "ruling",
    "protest",
    "campaign",
    "border",
    "coast",
    "missile",
    "drone",
    "satellite",
    "network",
    "cable",
    "energy",
    "grid",
    "reactor",
    "pipeline",
    "harbor",
    "railway",
    "university",
    "scholar",
    "archive",
    "history",
    "memory",
    "village",
    "province",
    "capital",
    "region",
    "neighbor",
    "migrant",
    "worker",
    "family",
    "policy",
    "rural",
    "urban",
    "landlord",
    "harvest",
    "drought",
    "typhoon",
    "monsoon",
    "relief",
    "reconstruction",
    "quietly",
    "openly",
    "cautiously",
    "sharply",
    "steadily",
    "reportedly",
    "apparently",
    "formally",
    "jointly",
    "largely",
    "long-standing",
    "multilayered",
    "integrated",
    "sophisticated",
    "unofficial",
    "existential",
    "strategic",
    "fragile",
    "resilient",
    "ambitious",
    "contested",
    "sovereign",
    "regional",
    "global",
    "domestic",
    "foreign",
    "military",
    "civilian",
]
NAMES = (
    "Francois Wu (吳志中)",
    "Lai Ching-te (賴清德)",
    "Peng Peiyun (彭珮雲)",
    "Zoë Müller",
    "José Martínez",
    "Søren Kierkegård",
    "Nguyễn Thị Lan",
    "Ahmet Yılmaz",
    "Qiu Xiaoqi (邱小琪)",
    "Małgorzata Wiśniewska",
)
AUTHORS = (
    "Michael Mazza",
    "Amélie Durand",
    "Kenji Watanabe",
    "Chloé Lefèvre",
    "Tomasz Nowak",
    "Ingrid Solberg",
    "Rafael Ortiz",
    "Hannah Becker",
)
ROLES = (
    "senior director for research at the Institute for Indo-Pacific Security",
    "a fellow at the Center for Strategic Studies",
    "an editor at the Northern Review",
    "a professor of history at Ridgewood University",
)
TAGS = ("taiwan", "china", "trade", "security", "energy", "history", "diplomacy", "economy")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
START = datetime(2025, 12, 31, 18, 0, tzinfo=UTC)
TEASER_EVERY = 5
DUMP_PIECES = 20


@dataclass(frozen=True, slots=True)
class Corpus:
    """Where a generated corpus lives."""

    root: Path
    size: int

    @property
    def markdown(self) -> Path:
        return self.root / "markdown"

    @property
    def dumps(self) -> Path:
        return self.root / "dumps"

    def edit_target(self) -> Path:
        """The piece the edit-one benchmark changes (a full piece in the middle of the corpus)."""
        index = self.size // 2
        if index % TEASER_EVERY == 0:
            index += 1
        return self.markdown / "posts" / f"p{index:06d}.md"


def generate(root: Path, size: int) -> Corpus:
    """Write (or reuse, when complete) the corpus of `size` pieces under `root`."""
    corpus = Corpus(root, size)
    done = root / ".complete"
    if done.is_file() and done.read_text() == str(size):
        return corpus
    rng = random.Random(f"publisher-bench-{size}")
    posts = corpus.markdown / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for index in range(size):
        (posts / f"p{index:06d}.md").write_text(markdown_piece(rng, index), encoding="utf-8")
    corpus.dumps.mkdir(parents=True, exist_ok=True)
    for first in range(0, size, DUMP_PIECES):
        pieces = [dump_piece(rng, i) for i in range(first, min(size, first + DUMP_PIECES))]
        name = corpus.dumps / f"dump-{first // DUMP_PIECES:05d}.txt"
        name.write_text("\n".join(pieces) + "\n", encoding="utf-8")
    done.write_text(str(size))
    return corpus


def markdown_piece(rng: random.Random, index: int) -> str:
    """One `.md` file: front matter, then a full body or a one-paragraph teaser."""
    date = START - timedelta(minutes=47 * index)
    title = _title(rng, index)
    tags = rng.sample(TAGS, 2)
    head = [
        "---",
        f'title: "{title}"',
        f"date: {date.isoformat()}",
        f"author: {rng.choice(AUTHORS)}",
        f"tags: [{', '.join(tags)}]",
        "---",
        "",
    ]
    if index % TEASER_EVERY == 0:
        return "\n".join([*head, _cut(_paragraph(rng, 5))]) + "\n"
    body: list[str] = []
    for number in range(7):
        if number == 3:
            body.append(f"## {_sentence(rng, 8).rstrip('.?')}")
        body.append(_markdown_inline(rng, _paragraph(rng, 5)))
    return "\n".join(head + _blank_separated(body)) + "\n"


def dump_piece(rng: random.Random, index: int) -> str:
    """Lines of one dump piece: an op-ed ending in a bio line, or a teaser cut mid-sentence."""
    if index % 2 == 0:
        return _cut(_dated(rng, _paragraph(rng, 6)))
    paragraphs = [_dated(rng, _paragraph(rng, 5))] + [_paragraph(rng, 5) for _ in range(5)]
    bio = f"{rng.choice(AUTHORS)} is {rng.choice(ROLES)}."
    return "\n".join([*paragraphs, bio])


def edited(text: str, run: int) -> str:
    """The edit-one change: a new closing sentence, different on every run."""
    return text.rstrip("\n") + f"\n\nEditor’s note, revision {run}: a correction was made.\n"


def _title(rng: random.Random, index: int) -> str:
    words = rng.sample(WORDS, 6)
    return f"{' '.join(words).capitalize()} — “{rng.choice(NAMES)}” №{index}"


def _sentence(rng: random.Random, length: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(length - 4, length + 4))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(NAMES))
    if rng.random() < 0.25:
        at = rng.randrange(len(words) - 2)
        words[at : at + 3] = [f"“{' '.join(words[at : at + 3])}”"]
    if rng.random() < 0.2:
        words.insert(rng.randrange(1, len(words)), "—")
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?")


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _markdown_inline(rng: random.Random, paragraph: str) -> str:
    words = paragraph.split(" ")
    at = rng.randrange(1, len(words) - 3)
    words[at] = f"*{words[at]}*"
    link = rng.randrange(1, len(words) - 3)
    words[link] = f"[{words[link]}](https://example.org/{rng.randrange(10**6)})"
    return " ".join(words)


def _dated(rng: random.Random, paragraph: str) -> str:
    """Some dump pieces mention a date, as news does ("On March 3, 2025, …")."""
    if rng.random() < 0.5:
        return paragraph
    return f"On {rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.choice((2023, 2024, 2025))}, {paragraph[0].lower()}{paragraph[1:]}"


def _cut(paragraph: str) -> str:
    """A teaser: the paragraph stops mid-sentence, with no closing punctuation."""
    words = paragraph.split(" ")
    return " ".join(words[: max(12, len(words) * 2 // 3)]).rstrip(".?,;:—")


def _blank_separated(blocks: list[str]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        out += [block, ""]
    return out[:-1]
