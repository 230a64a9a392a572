"""Words the notes never use, read as words they do.

- A misspelling ("destinatons" → "destinations"): words of five letters or more that are neither a
  word of the notes nor of a catalog name, within one edit (a swap of two letters counts one), two
  for a long word, keeping the first letter; another form of a word the notes use is left alone.
- A short form ("k8s", "svc", "ddb"): a numeronym (first letter, the count of letters between, last
  letter), or a skeleton of three or four consonants after its first letter, read as the shortest
  word of the notes (used in three passages or more) that has those letters in order, first letter
  first; the question keeps the short form and gains the word after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kg.index.tokens import tokenize

MIN_RATIO = 75
VOWELS_RE = re.compile(r"[aeiouy]")


class Speller:
    """Corrects the words of questions to the notes' vocabulary.

    Args:
        vocabulary: The notes' words (lowercase).
        frequency: Document frequency of each token (stemmed), to try the most used words first.
        names: Words of catalog names the notes never use (a service they lack is no typo).

    >>> Speller({"destinations", "delivery"}, {"destin": 3}).correct("kinesis destinatons")
    'kinesis destinations'
    >>> Speller({"kubernetes", "service", "pods"}, {"kubernet": 9, "servic": 5}).correct("k8s svc for pods")
    'k8s kubernetes svc service for pods'
    """

    def __init__(
        self,
        vocabulary: set[str],
        frequency: Mapping[str, int],
        names: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        self.vocabulary = vocabulary

        self.frequency = frequency
        self.names = names
        self.words = sorted(
            (w for w in vocabulary if w.isalpha() and len(w) >= 4),
            key=lambda w: (-max((frequency.get(t, 0) for t in tokenize(w)), default=0), w),
        )

    def correct(self, question: str) -> str:
        fixed = re.sub(r"\b[A-Za-z]+\b", self._fix, question)
        return re.sub(r"\b[A-Za-z][A-Za-z0-9]{1,3}\b", self._expand, fixed)

    def _expand(self, found: re.Match[str]) -> str:
        """A short form the notes never write, followed by the notes' words it stands for."""
        word = found.group(0)
        low = word.lower()
        stems = tokenize(low)
        if low in self.vocabulary or low in self.names or not stems or any(self.frequency.get(t) for t in stems):
            return word
        numeronym = re.fullmatch(r"([a-z])(\d{1,2})([a-z])", low)
        if numeronym:
            first, count, last = numeronym.groups()
            found_word = next(
                (w for w in self.words if w[0] == first and w[-1] == last and len(w) == int(count) + 2), None
            )
            return f"{word} {found_word}" if found_word else word
        if not (low.isalpha() and 3 <= len(low) <= 4 and not VOWELS_RE.search(low[1:])):
            return word  # only a skeleton of consonants reads as a short form ("svc", "ddb", "img")
        fitting = [w for w in self.words if w[0] == low[0] and len(w) >= len(low) + 3 and _in_order(low, w)]
        fitting = [w for w in fitting if self._used(w) >= 3]
        return f"{word} {min(fitting, key=len)}" if fitting else word

    def _used(self, word: str) -> int:
        return max((self.frequency.get(t, 0) for t in tokenize(word)), default=0)

    def _fix(self, found: re.Match[str]) -> str:
        word = found.group(0)
        low = word.lower()
        if len(low) < 5 or low in self.vocabulary or low in self.names:
            return word
        stems = tokenize(low)
        if not stems:
            return word  # a stopword
        best = next(
            (
                match
                for match in process.extract(low, self.words, scorer=fuzz.ratio, score_cutoff=MIN_RATIO, limit=8)
                if OSA.distance(low, match[0]) <= 1
                or (len(low) >= 9 and match[1] >= 85 and OSA.distance(low, match[0]) <= 2)
            ),
            None,
        )
        if best is None or best[0][0] != low[0] or abs(len(best[0]) - len(low)) > 2:
            return word
        if best[0].startswith(low) or low.startswith(best[0]):
            return word  # another form of the same word
        if any(self.frequency.get(t) for t in stems) and tokenize(best[0]) != stems:
            return word  # a form of a word the notes use
        return best[0]


def _in_order(letters: str, word: str) -> bool:
    """Whether ``letters`` appear in ``word`` in that order ("svc" in "service").

    >>> _in_order("svc", "service"), _in_order("tf", "terraform"), _in_order("cvs", "service")
    (True, True, False)
    """
    position = 0
    for letter in letters:
        position = word.find(letter, position) + 1
        if position == 0:
            return False
    return True
