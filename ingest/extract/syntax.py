"""What the parse says about a figure: who holds a count, whose measure it is, which names only modify.

Helpers for the limits component, reading spaCy's dependency parse of one block:
- ``holder_phrase``: "The primary key is made of 2 attributes" → "primary key" (the thing that has
  the counted parts, not the parts);
- ``verb_subject_phrase``: "a typical request-response takes 20ms" → "typical request-response" (what a
  figure that is a verb's object measures);
- ``measured_noun``: "ports of up to 100 Gbps" → "ports" (the noun a figure qualifies);
- ``only_modifies``: "a list of item modifications" → "item" names a kind of modification, not the topic.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

# Verbs whose object is what their subject has: "X has / holds / supports / consists of N Ys".
HOLDING_LEMMAS = frozenset(
    "have hold contain consist comprise include support make maintain keep span spread allow accommodate".split()
)
COMPARATIVES = frozenset("less more fewer greater lower higher longer shorter smaller larger up over".split())
CUE_NOUNS = frozenset("maximum minimum max min limit total default range average".split())
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Dependents that end a subject phrase: its relative clauses and appositions say more than its name.
CLAUSE_DEPS = frozenset({"relcl", "acl", "appos", "punct", "cc", "conj", "advcl"})
# A figure's own words and the prepositions between it and its verb ("up to", "over", "of").
LINK_DEPS = frozenset(
    {"prep", "pobj", "dobj", "quantmod", "nummod", "compound", "npadvmod", "acomp", "attr", "prt", "appos"}
)


def token_at(doc: Doc, char: int) -> Token | None:
    """The token that covers character offset ``char``."""
    return next((t for t in doc if t.idx <= char < t.idx + len(t.text)), None)


def _governing_verb(token: Token) -> Token | None:
    """The verb a figure's word hangs from, through prepositions and conjoined objects
    ("spreads VMs over up to 3 fault domains and up to 20 update domains" → "spreads"), but not
    through another noun ("have access to 4 checks": the checks are not had)."""
    current = token
    nouns = 0
    for _ in range(8):
        if current.pos_ in {"VERB", "AUX"} and current.i != token.i:
            return current
        if current.dep_ == "ROOT" or current.head.i == current.i:
            return None
        if current.dep_ not in LINK_DEPS and current.dep_ != "conj":
            return None
        if current.pos_ in {"ADJ", "ADV"} and current.lemma_.lower() not in COMPARATIVES:
            return None  # "configurable up to 730 days" qualifies an adjective, not a verb's object
        if current.pos_ in {"NOUN", "PROPN"} and current.dep_ not in {"conj", "appos"}:
            nouns += 1
            if nouns > 1:
                return None
        current = current.head
    return None


def _subject_of(verb: Token) -> Token | None:
    """The nominal subject of ``verb``, or of the verb it is conjoined to."""
    current = verb
    for _ in range(3):
        subject = next((c for c in current.children if c.dep_ in SUBJECT_DEPS), None)
        if subject is not None:
            return subject
        if current.dep_ not in {"conj", "aux"} or current.head.i == current.i:
            return None
        current = current.head
    return None


def noun_phrase(head: Token) -> str:
    """The words naming ``head``'s thing, without determiners and without its clauses
    ("The Free edition, which ..." → "Free edition")."""
    words = [t for t in head.subtree if t.text in {"-", "/"} or not _inside_clause(t, head)]
    words = [t for t in words if t.dep_ not in {"det", "poss"}]
    return "".join(t.text_with_ws for t in words).strip()


def _inside_clause(token: Token, head: Token) -> bool:
    """Whether ``token`` belongs to a clause, apposition or conjunct hanging from ``head``."""
    current = token
    while current.i != head.i:
        if current.dep_ in CLAUSE_DEPS:
            return True
        current = current.head
    return False


def holder_phrase(doc: Doc, start: int, end: int) -> str:
    """The thing that holds a count: the subject of a verb of having whose object is the counted
    noun ("An availability set spreads VMs over up to 20 update domains" → "availability set").

    Args:
        doc: The parsed block.
        start: Character offset where the figure starts.
        end: Character offset where the counted noun ends.

    Returns:
        The holder's noun phrase, or "" when the count is not the object of such a verb.
    """
    noun = token_at(doc, max(end - 1, start))
    if noun is None:
        return ""
    verb = _governing_verb(noun)
    if verb is None or verb.lemma_.lower() not in HOLDING_LEMMAS:
        return ""
    subject = _subject_of(verb)
    if subject is None or subject.pos_ not in {"NOUN", "PROPN"}:
        return ""
    return noun_phrase(subject)


def verb_subject_phrase(doc: Doc, start: int) -> str:
    """What a figure that is a verb's object measures: the verb's subject ("a typical request-response
    takes a bit less than 20ms" → "typical request-response"). A figure in an adjunct ("retains data
    for 30 days") is not the verb's object."""
    figure = token_at(doc, start)
    if figure is None:
        return ""
    verb = _governing_verb(figure)
    if verb is None or verb.lemma_.lower() in HOLDING_LEMMAS | {"be"} or _through_adjunct(figure, verb):
        return ""
    subject = _subject_of(verb)
    if subject is None or subject.pos_ not in {"NOUN", "PROPN"} or subject.i > min(verb.i, figure.i):
        return ""
    # The subject's words as written, so a mis-parsed compound ("result set" with "set" a verb) stays whole.
    words = [t for t in subject.subtree if t.i < verb.i]
    while words and words[0].dep_ in {"det", "poss"}:
        words = words[1:]
    while words and not words[-1].text[-1:].isalnum():
        words = words[:-1]
    return "".join(t.text_with_ws for t in words).strip(" ,")


def _through_adjunct(figure: Token, verb: Token) -> bool:
    """Whether a preposition other than a comparison's "than" links ``figure`` to ``verb``."""
    current = figure
    while current.i != verb.i and current.head.i != current.i:
        if current.dep_ == "prep" and current.lower_ not in {"than", "to"}:
            return True
        current = current.head
    return False


def measured_noun(doc: Doc, start: int) -> str:
    """The noun a figure qualifies through "of" or as its apposition ("ports of up to 100 Gbps" →
    "ports", "a retention period of 7 days" → "retention period", "two sizes: 50TB and 80TB" → "sizes")."""
    current = token_at(doc, start)
    for _ in range(5):
        if current is None or current.head.i == current.i:
            return ""
        noun = None
        if current.dep_ == "pobj" and current.head.lower_ == "of":
            noun = current.head.head
        elif current.dep_ == "appos":
            noun = current.head
        if noun is not None:
            if noun.pos_ != "NOUN" or noun.lemma_.lower() in CUE_NOUNS:
                return ""  # "a maximum of 24 hours" says the kind, not the measure
            words = [t for t in noun.lefts if t.dep_ in {"compound", "amod"}] + [noun]
            return " ".join(t.text for t in words)
        if current.dep_ not in {"quantmod", "nummod", "compound", "pobj", "conj"}:
            return ""
        current = current.head
    return ""


def only_modifies(doc: Doc, start: int, end: int, measures: frozenset[str]) -> bool:
    """Whether the name at ``start:end`` only qualifies another noun ("item modifications"), unless that
    noun is a measure of it ("item size")."""
    span: Span | None = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    if root.dep_ not in {"compound", "amod", "nmod"} or span.start <= root.head.i < span.end:
        return False
    head = root.head
    return head.pos_ in {"NOUN", "PROPN"} and head.lower_ not in measures and head.lemma_.lower() not in measures
