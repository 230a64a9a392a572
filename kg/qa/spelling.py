"""A word the notes never use, read as the closest word they do ("destinatons" → "destinations").

Only words of five letters or more that are neither a word of the notes nor of a catalog name are
corrected, within one edit (a swap of two letters counts one), two for a long word, keeping the
first letter; another form of a word the notes use ("stopping", "speeds") is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kg.index.tokens import tokenize

MIN_RATIO = 75


class Speller:
    """Corrects the words of questions to the notes' vocabulary.

    Args:
        vocabulary: The notes' words (lowercase).
        frequency: Document frequency of each token (stemmed), to try the most used words first.
        names: Words of catalog names the notes never use (a service they lack is no typo).

    >>> Speller({"destinations", "delivery"}, {"destin": 3}).correct("kinesis destinatons")
    'kinesis destinations'
    """

    def __init__(self, vocabulary: set[str], frequency: Mapping[str, int], names: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.vocabulary = vocabulary
        self.frequency = frequency
        self.names = names
        self.words = sorted(
            (w for w in vocabulary if w.isalpha() and len(w) >= 4),
            key=lambda w: (-max((frequency.get(t, 0) for t in tokenize(w)), default=0), w),
        )

    def correct(self, question: str) -> str:
        return re.sub(r"\b[A-Za-z]+\b", self._fix, question)

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
