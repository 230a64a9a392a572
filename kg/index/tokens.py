"""The word tokenizer shared by BM25 and the question analyzer.

>>> tokenize("What's the max size of S3 objects?")
['max', 'size', 's3', 'object']
>>> tokenize("AWS reserves 5 IPs; AMIs and SGs")
['aws', 'reserv', '5', 'ip', 'ami', 'sg']
>>> tokenize("metrics sent") == tokenize("metrics sends")
True
>>> tokenize("created buckets") == tokenize("creates the bucket")
True
>>> tokenize("how many ips in 2 azs")
['many', 'ip', '2', 'az']
"""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves s t don what's whats i'm it's tell explain please also without
    actually really basically""".split()
)
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[./-][a-z0-9]+)*")


# Irregular past forms, as their verb's stem ("sent" is asked about what "sends" states).
IRREGULAR = {
    "sent": "send",
    "built": "build",
    "kept": "keep",
    "ran": "run",
    "written": "write",
    "wrote": "write",
    "taken": "take",
    "took": "take",
    "given": "give",
    "gave": "give",
    "held": "hold",
    "chosen": "choose",
    "chose": "choose",
    "spent": "spend",
    "lost": "lose",
    "brought": "bring",
    "bought": "buy",
    "sold": "sell",
    "paid": "pay",
    "hidden": "hide",
    "frozen": "freeze",
    "broken": "break",
    "broke": "break",
    "forgot": "forget",
    "forgotten": "forget",
    "went": "go",
    "gone": "go",
    "made": "make",
    "found": "find",
    "got": "get",
    "gotten": "get",
    "shown": "show",
    "begun": "begin",
    "began": "begin",
}


# Lowercase plurals of short acronyms, too short for the stemmer ("how many ips", "vms per set").
SHORT_PLURALS = {"ips": "ip", "vms": "vm", "sgs": "sg", "azs": "az", "rgs": "rg", "lbs": "lb", "dbs": "db", "ous": "ou"}


def stem(word: str) -> str:
    """A light English stemmer: plurals, common verb endings and a final e (``created``, ``create``
    and ``creates`` all give ``creat``; ``objects`` gives ``object``)."""
    if word in SHORT_PLURALS:
        return SHORT_PLURALS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word in IRREGULAR:
        return stem(IRREGULAR[word])
    if word.endswith("ly") and len(word) >= 8:
        return word[:-2]  # "asynchronously" is asked about what "asynchronous" states
    if word.endswith(("tion", "tions")) and len(word.rstrip("s")) >= 8:
        return word.rstrip("s")[:-3]  # "deletion" → "delet", as "deleted"; "encryption" → "encrypt"
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),  # "boxes" → "box", as "box"
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= (2 if suffix == "xes" else 3):
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + replacement
            if suffix in {"ing", "ed"} and len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouslz":
                word = word[:-1]  # "running" → "run", "stopped" → "stop"
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


# The plural of an acronym: "IPs", "AMIs", "SGs" (not "AWS", "IOPS": no lowercase s).
ACRONYM_PLURAL_RE = re.compile(r"\b([A-Z][A-Z0-9]+)s\b")


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Lowercase word tokens, stemmed, stopwords dropped; ``3,600`` → ``3600``; an acronym's plural
    is its singular (``IPs`` → ``ip``, as "IP addresses" has it)."""
    text = ACRONYM_PLURAL_RE.sub(r"\1", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.lower())
    tokens = []
    for raw in _TOKEN_RE.findall(text):
        parts = (
            [raw]
            if not re.search(r"[/-]", raw) or raw[0].isdigit()
            else [raw, raw.replace("-", "").replace("/", ""), *re.split(r"[/-]", raw)]
        )
        for part in parts:
            if not keep_stopwords and part in STOPWORDS:
                continue
            tokens.append(stem(part.strip(".")))
    return tokens
