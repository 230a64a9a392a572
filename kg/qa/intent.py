"""Question intent: limit, definition, comparison, relationship, list, procedure, yes/no.

Rules over the wording, checked in order of specificity. The intent also carries what a limit
question asks for (a maximum, minimum, default or range; a size, a duration, a count ...).

>>> classify("what's the max size of an s3 object?").name, classify("what's the max size of an s3 object?").unit
('limit', 'bytes')
>>> classify("security group vs network acl").name
'comparison'
>>> classify("once a retention policy is locked can i shorten it").name
'yesno'
>>> classify("can a security group have deny rules?").name
'yesno'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

INTENTS = ("limit", "definition", "comparison", "relationship", "list", "procedure", "yesno", "search")

_COMPARISON = re.compile(
    r"\b(?:vs\.?|versus|differ(?:ence|ences|s)?|compare[ds]?|comparison|better than|cheaper than|or\b.{0,40}\bwhich)\b",
    re.IGNORECASE,
)
# "how is X different from Y", "when should i use X instead of Y"
_COMPARISON_MORE = re.compile(
    r"\bdiffer(?:ent|s)?\s+(?:from|than|to)\b|^(?!\s*how\s+(?:do|to|can)\b).*\b(?:use|pick|choose|prefer|go\s+with)\b.{1,60}"
    r"\binstead\s+of\b",
    re.IGNORECASE,
)
# words before the question that ask nothing themselves
FILLER_RE = re.compile(
    r"^\s*(?:in\s+(?:simple|plain|short|layman'?s?)\s+(?:terms|words|english)|briefly|quick(?:ly)?|simply|basically|"
    r"eli5|tl;?dr|quick\s+question|question)\s*[,:-]+\s*",
    re.IGNORECASE,
)
# a definition whatever other cues the question has: "meaning of recovery time objective", "explain
# vpc endpoints", "nat gw in a vpc - explain", "ec2 instance store volumes, what are they", "what kind
# of service is redshift", "how does envelope encryption work"
# the words after a definition's term that ask for it ("nat gw - explain", "instance store volumes,
# what are they", "eb - what's it for", "pubsub - explain what kind of service it is", "permission
# boundaries, what do they do", "asgs - purpose"): they classify the question, and the engine
# strips them to find the term
DEFINITION_TAIL = (
    r"\s*(?:[-–—,:]\s*)?\b(?:"
    r"explain(?:ed)?|defined?|what\s+(?:is|are)\s+(?:it|they|this|these|that|those)|"
    r"(?:what(?:'s|’s|\s+is|\s+are)|explain\s+what\s+(?:it|they)(?:'s|’s|\s+is|\s+are)?)\s+(?:it|they)?\s*"
    r"(?:used\s+)?for|"
    r"(?:explain\s+)?(?:what|which)\s+(?:kind|sort|type)\s+of\s+(?:an?\s+)?"
    r"(?:service|thing|tool|product|database|resource|storage)(?:\s+(?:it|is\s+it|it\s+is|they\s+are|are\s+they))?|"
    r"what\s+(?:does|do)\s+(?:it|they|this|these)\s+do"
    r")\s*\??\s*$|\s*[-–—,:]\s*(?:the\s+)?purpose\s*\??\s*$"
)
_DEFINITION_STRONG = re.compile(
    r"^\s*(?:(?:can|could)\s+(?:someone|somebody|anyone|you)\s+)?(?:meaning\s+of|define|definition\s+of|explain|describe)\b"
    r"(?!\s+(?:how|why|when|where|which|the\s+difference)\b)|^\s*(?:the\s+)?(?:purpose|point)\s+of\b|"
    r"^\s*what\s+(?:kind|sort|type)\s+of\s+(?:a\s+)?(?:service|thing|tool|product|database|resource)\s+(?:is|are)\b|"
    r"^\s*what\s+does\s+.{1,60}\s+guarantee\b|"
    r"^\s*how\s+(?:does|do)\s+(?!(?:i|you|we|one)\b).{1,60}\bwork\s*\??\s*$|" + DEFINITION_TAIL,
    re.IGNORECASE,
)
_YESNO = re.compile(
    r"^\s*(?:is|are|can|could|does|do|did|should|will|would|was|were|has|have|must|may|am)\b(?!.*\b(?:vs\.?|versus)\b)",
    re.IGNORECASE,
)
# "once a retention policy is locked can i shorten it": a yes/no question after a leading clause
_YESNO_AFTER_CLAUSE = re.compile(
    r"^\s*(?:once|after|if|when|before|while)\b[^?]{1,80}?,?\s+(?:can|could|does|do|is|are|will|should|would)\s+"
    r"(?:i|you|we|it|they|one|that|this)\b",
    re.IGNORECASE,
)
# the topic, then a yes/no question about it: "google cloud firewall - does it track state",
# "sns fifo -> standard queue subscription, allowed?"
_YESNO_AFTER_TOPIC = re.compile(
    r"^[^?]{1,80}?\s[-–—:,]\s*(?:does|do|is|are|can|will|should)\s+(?:it|they|this|that|one|i|you)\b|"
    r"[,:-]\s*(?:is\s+(?:that|it|this)\s+)?(?:allowed|possible|supported|ok|okay|permitted)\s*\??\s*$",
    re.IGNORECASE,
)
_PROCEDURE = re.compile(
    r"\b(?:how\s+(?:do|can|should|would)\s+(?:i|you|we|one)|how\s+to|steps?\s+(?:to|for)|procedure|process\s+(?:to|for)|"
    r"what\s+do\s+i\s+need\s+to|walk\s+me\s+through|set\s*up|configure|requirements?\s+(?:to|for)|"
    r"prerequisites?|step\s+by\s+step|what(?:'s|’s|\s+is)\s+involved\s+in|(?:what|which)\s+(?:has|have|needs?)\s+to\s+be|"
    r"what(?:'s|’s|\s+is)\s+the\s+(?:process|procedure)|one-?liner|\s*[-,:]\s*steps(?=\s*\??\s*$))\b",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"\b(?:list|types?\s+of|kinds?\s+of|what\s+(?:are|kinds|types)\s+(?:the\s+)?\w*\s*(?:types|kinds|options|classes|"
    r"engines|policies|styles|categories|configurations|sources|features|methods|modes|tiers|families)|"
    r"which\s+\w+\s+(?:are\s+)?supported|name\s+(?:the|all)|options|classes|engines|policies|styles|categories|"
    r"configurations|record\s+types|what\s+are\s+the|ways|mechanisms|features|components|"
    r"what\s+goes\s+(?:in|into)|what\s+(?:does|do)\s+.{1,40}\s+(?:include|contain|consist\s+of)|"
    r"use\s+cases?|when\s+(?:should|would|do|to)\s+(?:i\s+|you\s+|we\s+)?use|sources\s+of|"
    r"where\s+(?:can|do|does|could)\s+.{1,40}\s+come\s+from|"
    r"what\s+(?:[\w-]+\s+){1,2}(?:types|kinds|options|classes|tiers|modes|levels|categories|skus|sizes|flavou?rs)|"
    r"(?:types|kinds|classes|tiers|flavou?rs|varieties)\s*\??\s*$|"
    r"^\s*(?:which|what)\s+(?:[\w-]+\s+)?(?:tiers|types|kinds|classes|plans|editions|skus|modes|levels|engines|"
    r"protocols|options)\s+(?:can|could|does|do|is|are|will|should)\b)\b",
    re.IGNORECASE,
)
_RELATION = re.compile(
    r"\b(?:deliver|send|sends|sent|publish|push|integrat\w*|trigger\w*|invoke\w*|stor(?:e|es|ed)\s+(?:in|on)|"
    r"where\s+(?:are|is|do|does|can)|store[ds]?|connect\w*|works?\s+with|replicat\w*|subscrib\w*|notif\w*|"
    r"targets?|destinations?|outputs?|which\s+services?|what\s+services?|what\s+can\s+receive|built\s+on|runs?\s+on|"
    r"based\s+on|load\s+from|loads?\b|reads?\s+from|pull\s+content|monitor\w*|archiv\w*|underlying|backed\s+by|"
    r"(?:saved|stored|kept|put|go|goes|live|lives|sent)\s+where|where\s*\??\s*$)\b",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"^\s*(?:what(?:'s|’s|s|\s+is|\s+are|\s+does(?=.*\b(?:mean|do|stand)\b))|define|definition|meaning\s+of|explain|describe|tell\s+me\s+about|"
    r"what\s+is\s+meant)\b|\bstands?\s+for\b|\b(?:mean|meaning)\??\s*$|"
    r"^\s*[\w-]+(?:\s+[\w-]+){0,2}\s+(?:meaning|definition)\b",  # "rpo meaning in backup and recovery"
    re.IGNORECASE,
)
_LIMIT = re.compile(
    r"\b(?:max(?:imum)?|min(?:imum)?|limits?|limited|how\s+(?:many|much|big|large|long|small|fast|soon|far|often|close|recent)|"
    r"size|largest|biggest|smallest|longest|shortest|highest|lowest|default|timeout|retention|up\s+to|"
    r"number\s+of|length|capacity|durability|availability(?!\s+(?:zones?|sets?|domains?))|range|quota|lifetime|duration|throughput|iops|"
    r"per\s+(?:account|region|vpc|bucket|queue|table|instance|volume|second|gateway|month)|price|cost|"
    r"allowed|at\s+most|at\s+least|netmask|percent|%|(?:valid|possible|what|which)\s+values|"
    r"(?:retrieval|restore|recovery|response|propagation|processing|boot|startup|failover|delivery)\s+times?)\b",
    re.IGNORECASE,
)
UNIT_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("currency", re.compile(r"\b(?:price|cost|costs|\$|usd|dollars?|how\s+much\s+does)\b", re.I)),
    (
        "percent",
        re.compile(r"\b(?:durability|availability(?!\s+(?:zones?|sets?|domains?))|percent|%|nines)\b", re.I),
    ),
    ("IOPS", re.compile(r"\biops\b", re.I)),
    ("bytes/s", re.compile(r"\b(?:throughput|bandwidth|speeds?)\b", re.I)),
    (
        "characters",
        re.compile(
            r"\b(?:chars?|characters?|length|how\s+long\b(?=.*\b(?:name|id|key|string|password|text|"
            r"label|tag|value)s?\b))\b",  # (not the "char" of "charge")
            re.I,
        ),
    ),
    (
        "seconds",
        re.compile(
            r"\b(?:how\s+long|timeout|time|duration|retention|retain|lifetime|hours?|minutes?|days?|"
            r"seconds?|ttl|how\s+soon|how\s+often|how\s+frequently|frequency|wait|delay|period|expire\w*|how\s+far\s+back|how\s+(?:close|recent|fast|quick(?:ly)?)|"
            r"times?\s+out|(?:longest|shortest)\b(?=.*\b(?:run|runs|last|lasts|take|takes|stay|stays|kept|keep)\b))\b",
            re.I,
        ),
    ),
    (
        "bytes",
        re.compile(
            r"\b(?:size|biggest\s+(?:file|object|item|thing)|storage|tb|gb|mb|kb|"
            r"bytes?|how\s+much\s+data|memory|ram|disk\s+space)\b",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            r"\b(?:how\s+many|number\s+of|count|per\s+(?:account|region|vpc|gateway|instance|sg|"
            r"interface|message|cluster))\b",
            re.I,
        ),
    ),
)
KIND_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("default", re.compile(r"\bdefault\b", re.I)),
    (
        "range",
        re.compile(
            r"\b(?:range|between|min(?:imum)?\s+and\s+max(?:imum)?|(?:allowed|valid|possible|what|which)\s+values)\b",
            re.I,
        ),
    ),
    ("min", re.compile(r"\b(?:min(?:imum)?|smallest|shortest|least|lowest|at\s+least)\b", re.I)),
    (
        "max",
        re.compile(
            r"\b(?:max(?:imum)?|largest|biggest|longest|highest|most|up\s+to|how\s+(?:many|big|large|long)|"
            r"limit)\b",
            re.I,
        ),
    ),
)


HOW_LONG_TEXT_RE = re.compile(
    r"\bhow\s+long\b(?=.*\b(?:name|id|key|string|password|text|label|tag|value|handle|arn|url|prefix)s?\b)", re.I
)
DURATION_WORD_RE = re.compile(
    r"\b(?:time|takes?|took|lasts?|keep|kept|retain\w*|retention|wait|ttl|period|expire\w*|valid|stay|stays|run|runs)\b",
    re.I,
)
LIMIT_PER_RE = re.compile(r"\b(?:limit|cap|quota)\s+(?:on|for)\s+(?:the\s+)?(?:[\w-]+\s+){1,3}per\b", re.I)
MAX_WORD_RE = re.compile(r"\b(?:max(?:imum)?|largest|biggest|longest|highest|most)\b", re.I)


@dataclass(frozen=True, slots=True)
class Intent:
    """What a question asks.

    Attributes:
        name: One of ``INTENTS``.
        kinds: For limits, the limit kinds asked for (max, min, default, range), most wanted first.
        unit: For limits, the base unit family asked for (bytes, seconds, count, ...) or "".
        parts: For a question that asks two things ("... and how many volumes"), its parts.
        prefers: For limits without a unit cue, a unit family that is likelier ("biggest X": bytes).
    """

    name: str
    kinds: tuple[str, ...] = ()
    unit: str = ""
    parts: tuple[str, ...] = field(default_factory=tuple)
    prefers: str = ""


def classify(question: str, names: Sequence[str] = ()) -> Intent:
    """Classify a question; see the module docstring.

    Args:
        question: The question.
        names: Entity names found in it; their words do not count as cues ("Provisioned IOPS SSD"
            names a volume type, it does not ask for IOPS).
    """
    text = FILLER_RE.sub("", question.strip()) or question.strip()  # "in simple terms, what does X do"
    masked = text
    for name in sorted(names, key=len, reverse=True):
        masked = re.sub(re.escape(name), " ", masked, flags=re.IGNORECASE)
    # "difference between X and Y" compares, it asks no range
    masked = re.sub(r"\b(?:difference|differences|differ|choose|compare)\s+between\b", " ", masked, flags=re.I)
    kinds = tuple(kind for kind, pattern in KIND_CUES if pattern.search(masked))
    if "min" in kinds and "max" in kinds and not MAX_WORD_RE.search(masked) and "range" not in kinds:
        kinds = tuple(kind for kind in kinds if kind != "max")  # "how long ... at minimum" asks the minimum
    if "min" in kinds and "max" in kinds and "range" not in kinds:
        kinds = ("range", *kinds)  # "min and max" asks for the range
    if "default" in kinds and "max" in kinds and not MAX_WORD_RE.search(masked):
        kinds = tuple(kind for kind in kinds if kind != "max")  # "default limit" asks the default only
    unit = next((name for name, pattern in UNIT_CUES if pattern.search(masked)), "")
    if unit == "seconds" and HOW_LONG_TEXT_RE.search(text) and not DURATION_WORD_RE.search(masked):
        unit = "characters"  # "how long can an sqs message id be": the name asked says a text's length
    if not unit and LIMIT_PER_RE.search(text):
        unit = "count"  # "limit on virtual machines per availability set" counts them (names and all)
    much = re.search(r"\bhow\s+much\b", text, re.I)
    if not unit and much and re.search(r"\b(?:store|hold|fit)s?\b", text[much.end() :], re.I):
        unit = "bytes"  # "how much can a cached volume store" (the verb may be part of a name)
    if (_COMPARISON.search(text) and not re.search(r"\bdifferent\b", text, re.I)) or _COMPARISON_MORE.search(text):
        return Intent("comparison", kinds, unit)
    if _DEFINITION_STRONG.search(text):
        # "meaning of recovery time objective", "nat gw - explain", "can someone explain opsworks"
        return Intent("definition", kinds, unit)
    if _YESNO.match(text) or _YESNO_AFTER_CLAUSE.match(text) or _YESNO_AFTER_TOPIC.search(text):
        return Intent("yesno", kinds, unit)
    if re.match(
        r"^\s*(?:how\s+(?:do|can|should|would)\s+(?:i|you|we|one)|how\s+to|steps?\s+to)\b", text, re.I
    ) and not (re.search(r"\bhow\s+(?:many|much|long|big|large)\b", text, re.I)):
        return Intent("procedure", kinds, unit)
    if _PROCEDURE.search(text) and not _LIMIT.search(text.split(" and ")[0][:40]):
        return Intent("procedure", kinds, unit)
    limit = bool(_LIMIT.search(text))
    if (
        not kinds
        and not unit
        and not _LIST.search(text)
        and re.match(r"^\s*what(?:'s|’s|\s+is|\s+are)\s+(?:an?\s+)?[\w/-]+(?:\s+[\w/-]+){0,3}\s*\??\s*$", text, re.I)
        and not re.search(r"\b(?:the|of|for|in|per)\b", text, re.I)
    ):
        return Intent("definition", kinds, unit)  # "what is provisioned iops" names a thing
    if re.match(
        r"^\s*what(?:'s|’s|\s+is|\s+are)\s+an?\s+[\w/-]+(?:\s+[\w/-]+){0,3}(?:\s+(?:in|on)\s+[\w/-]+(?:\s+[\w/-]+)?)?"
        r"\s*\??\s*$",
        text,
        re.I,
    ) and not re.search(r"\b(?:max(?:imum)?|min(?:imum)?|default|limit|size|number|how)\b", text, re.I):
        return Intent("definition", kinds, unit)  # "what is a range get in s3": "a" names a kind of thing
    if (
        limit
        and (unit or kinds)
        and not re.match(r"^\s*(?:what|which)\s+(?:are|is)\s+the\s+\w+\s+(?:types|classes)", text, re.I)
    ):
        prefers = (
            "bytes" if not unit and re.search(r"\b(?:biggest|largest|how\s+(?:big|large))\b", masked, re.I) else ""
        )
        return Intent("limit", kinds, unit, prefers=prefers)
    # (a name's words ask nothing: "what does an elastic load balancer do" is not about loads)
    relation = bool(_RELATION.search(masked))
    if _LIST.search(text) and not relation:
        return Intent("list", kinds, unit)
    if relation:
        return Intent("relationship", kinds, unit)
    if _DEFINITION.search(text):
        return Intent("definition", kinds, unit)
    if _LIST.search(text):
        return Intent("list", kinds, unit)
    if limit:
        return Intent("limit", kinds, unit)
    if _names_plural_things(text, names):
        return Intent("list", kinds, unit)
    return Intent("search", kinds, unit)


def _names_plural_things(text: str, names: Sequence[str]) -> bool:
    """A bare noun phrase that ends in a plural ("sns delivery protocols", "lambda event sources")
    asks for the members; acronyms ending in s ("SQS", "EBS") and entity names are not plurals.

    >>> _names_plural_things("sns delivery protocols", [])
    True
    >>> _names_plural_things("aws ebs", [])
    False
    """
    words = re.findall(r"[A-Za-z][\w-]*", text)
    if not words or len(words) > 6 or words[0].lower() in QUESTION_WORDS:
        return False
    last = words[-1]
    # a plural that ends a multi-word name ("DynamoDB Streams") names one thing
    named = any(last.lower() in name.lower().split() for name in names if len(name.split()) > 1)
    return len(last) >= 5 and last.islower() and last.endswith("s") and not last.endswith("ss") and not named


QUESTION_WORDS = frozenset("what which who whom whose when where why how is are can does do should will".split())


def split_parts(question: str) -> list[str]:
    """Split a two-part question at " and " where both halves ask something.

    >>> split_parts("what is the max storage of a gateway-stored gateway and how many volumes")
    ['what is the max storage of a gateway-stored gateway', 'how many volumes']
    >>> split_parts("ec2 instance families and what each is optimized for")
    ['ec2 instance families and what each is optimized for']
    >>> split_parts("rds failover time, plus how recent a pitr can get")
    ['rds failover time', 'how recent a pitr can get']
    >>> split_parts("preemptible vms: notice period + max lifetime")
    ['preemptible vms: notice period', 'max lifetime']
    """
    pieces = re.split(
        r"\s*(?:,\s*(?:and|plus)\s+|\b(?:and|plus)\s+(?=(?:how|what|which|where|when|is|are|can|does|do|why)\b)|"
        r"\s\+\s*|;\s*|\?\s+)",
        question.strip(),
        flags=re.IGNORECASE,
    )
    pieces = [p.strip(" ,?") for p in pieces if p and len(p.split()) >= 2]
    if len(pieces) >= 2 and any(EACH_RE.match(p) for p in pieces[1:]):
        return [question.strip()]  # "ec2 instance families and what each is optimized for" asks one list
    return pieces if len(pieces) >= 2 else [question.strip()]


# A second part that asks about the members of the first ("... and what each is for").
EACH_RE = re.compile(r"^(?:what|how|which|where|when)\s+(?:each|every\s+one|they|each\s+one)\b", re.I)
