"""Entity linking: find the services and components a question names, however it spells them.

Exact matches come first (labels, aliases, acronyms, catalog names, provider prefix and plurals
folded), longest first; then fuzzy matches for words the notes never use ("Glaicer", "DyanmoDB",
"elasticashe", "cloud frnt"). Names the catalog knows but the notes never mention are reported
too, so a question about them can be answered with an honest "the notes do not cover it".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kg import settings
from kg.index.tokens import STOPWORDS
from ontology.catalog import Catalog, default_catalog, is_distinctive, normalize, strip_provider

QUESTION_WORDS = frozenset(
    """what whats which who whom whose when where why how is are was were do does did can could should would
    will shall may might must the a an of to in on for with by from at as and or vs versus between difference
    max maximum min minimum size limit limits default many much long big large small number count per
    explain define definition meaning mean describe tell list name steps step way ways use used using
    compare compared between does get set create make need want""".split()
)
# Short words that initials of a name must not take ("as", "it", "pc" ...).
COMMON_SHORT = frozenset(
    """ip os ui id db ms gb mb kb tb pb az dr ha ci cd qa vs hr pm am ml
    ab ad ag ah al am an as at aw ax be by ca co cs de do eg em en ex ga go ha he hi id ie if in io is it la
    lo ma me mi mo my na no of oh ok on op or ox pa pc pe pi re so ta to uh um un up us we ye yo ace act add age
    ago aid aim air all and ant any ape arc are ark arm art ask ate bad bag ban bar bat bay bed bet bid big bin
    bit bog box boy bud bug bus but buy cab can cap car cat cow cry cup cut dad day den dew did die dig dim dip
    dog dot dry due dug ear eat egg ego elf end era eve eye fan far fat fax fed fee few fig fin fit fix fly foe
    fog for fox fun fur gap gas gel get gig got gum gun gut guy gym had ham has hat hay hen her hey hid him hip
    his hit hop hot how hub hue hug hut ice icy ill ink inn ion its jam jar jaw jet job jog joy key kid kit lab
    lad lag lap law lay led leg let lid lie lip lit log lot low mad man map mat may men met mix mob mop mud mug
    nag nap net new nil nod nor not now nut oak odd off oil old one opt orb ore our out owe owl own pad pal pan
    pat paw pay pea pen pet pie pig pin pit pod pop pot pro pub pun pup put rag ram ran rap rat raw ray red rib
    rid rig rim rip rob rod rot row rub rug rum run sad sag sat saw say sea see set sew she shy sin sip sir sit
    six ski sky sly sob sod son sow soy spa spy sub sue sum sun tab tag tan tap tar tax tea ten the tie tin tip
    toe ton too top tow toy try tub tug two use van vat vet via vow war was wax way web wed wet who why wig win
    wit woe won wow yes yet you zip zoo""".split()
)
MIN_FUZZY = {4: 86.0, 5: 84.0, 6: 80.0}  # short forms, by length; longer forms use the link_min_score setting


@dataclass(frozen=True, slots=True)
class Link:
    """An entity named in a question.

    Attributes:
        entity_id: The entity's id (catalog id or discovered slug).
        label: Its canonical name.
        surface: The words of the question that named it.
        start: Token index where the surface starts.
        end: Token index after it.
        score: 100 for exact matches, the fuzzy score otherwise.
        in_notes: False when only the catalog knows it (the notes never mention it).
        weak: Named only by a plain word ("bucket") that stands for a component in these notes.
    """

    entity_id: str
    label: str
    surface: str
    start: int
    end: int
    score: float = 100.0
    in_notes: bool = True
    weak: bool = False


@dataclass
class Lexicon:
    """Written forms of entities: those in the notes, and catalog-only ones."""

    forms: dict[str, str] = field(default_factory=dict)  # normalized form -> entity id (in notes)
    weak_forms: dict[str, str] = field(default_factory=dict)  # plain component words -> entity id
    catalog_forms: dict[str, str] = field(default_factory=dict)  # normalized form -> catalog id (not in notes)
    labels: dict[str, str] = field(default_factory=dict)  # entity id -> label
    fuzzy_keys: list[str] = field(default_factory=list)
    vocabulary: set[str] = field(default_factory=set)  # words the notes use

    def _add_initials(self) -> None:
        """Initials of the names of the entities ("rg", "rgs" for "resource group"), when one entity
        has them and they are not a word or another name."""
        owners: dict[str, set[str]] = {}
        for entity_id, label in self.labels.items():
            found = initials(label)
            first = strip_provider(normalize(label)).split()[:1]
            if first and first[0] in self.forms:
                continue  # "Redshift slice" is a part of a service, not shortened "rs"
            if len(found) >= 2:
                owners.setdefault(found, set()).add(entity_id)
        for found, ids in owners.items():
            if len(ids) != 1 or found in COMMON_SHORT or found in STOPWORDS or found in self.forms:
                continue
            entity_id = next(iter(ids))
            self.forms.setdefault(found, entity_id)
            self.forms.setdefault(found + "s", entity_id)

    @classmethod
    def build(
        cls,
        entities: Iterable[tuple[str, str, list[str]]],
        vocabulary: Iterable[str],
        catalog: Catalog | None = None,
    ) -> Lexicon:
        """Args:
        entities: (entity id, label, aliases) of the entities in the notes.
        vocabulary: The words of the notes (lowercase).
        catalog: The service catalog (for names the notes use and for catalog-only entities).
        """
        catalog = catalog or default_catalog()
        lexicon = cls(vocabulary=set(vocabulary))
        heads: dict[str, set[str]] = {}
        shortened: list[tuple[str, set[str], tuple[str, ...]]] = []
        for entity_id, label, aliases in entities:
            lexicon.labels[entity_id] = label
            names = {label, *aliases}
            entry = catalog.by_id.get(entity_id)
            if entry is not None:
                names |= set(entry.names())
            for name in names:
                for key in _keys(name):
                    lexicon.forms.setdefault(key, entity_id)
            parent = catalog.by_id.get(entry.part_of) if entry is not None and entry.part_of else None
            if parent is not None:
                # "application versions" without the service the label starts with ("Elastic
                # Beanstalk application version"): a name of two words or more, once the notes
                # own ones are in
                shortened.append((entity_id, names, parent.names()))
            if entry is not None and entry.kind == "component":
                head = normalize(label).split()[-1] if label else ""
                if head:
                    heads.setdefault(head, set()).add(entity_id)
        for entity_id, names, parent_names in shortened:
            for name in names:
                key = strip_provider(normalize(name))
                for service in sorted({strip_provider(normalize(n)) for n in parent_names}, key=len, reverse=True):
                    rest = key[len(service) :].strip() if service and key.startswith(service + " ") else ""
                    if len(rest.split()) >= 2:
                        for form in _keys(rest):
                            lexicon.forms.setdefault(form, entity_id)
                        break
        lexicon._add_initials()
        for head, ids in heads.items():
            if len(ids) == 1 and head not in lexicon.forms and len(head) >= 3:
                entity_id = next(iter(ids))
                lexicon.weak_forms[head] = entity_id
                lexicon.weak_forms[head + "s"] = entity_id
        for entry in catalog:
            # Services only: notes often describe a component without its catalog name
            # ("Event notifications" under S3), so an unseen component name proves nothing.
            # A component only by a long proper name of its own ("S3 Glacier Deep Archive").
            if entry.id in lexicon.labels or entry.kind not in {"service", "component"}:
                continue
            # Only names that cannot be ordinary words ("AWS Fargate", "EKS"), written in full:
            # "subscriptions" or "policy" must not pass for Azure services the notes never mention.
            for name in entry.names():
                title_case = len(name.split()) >= 2 and all(w[:1].isupper() for w in name.split())
                if entry.kind == "component" and not (title_case and len(name.split()) >= 3):
                    continue
                if not (is_distinctive(name) or title_case):
                    continue
                if name.isupper() and len(name) <= 3 and (len(name) < 3 or name.lower() in lexicon.vocabulary):
                    continue  # "ECS" names a service; a short form the notes use as a word does not
                key = normalize(name)
                if key and key not in lexicon.forms:
                    lexicon.catalog_forms.setdefault(key, entry.id)
                    lexicon.labels.setdefault(entry.id, entry.label)
        lexicon.fuzzy_keys = sorted(k for k in lexicon.forms if len(k.replace(" ", "")) >= 4)
        return lexicon


def initials(name: str) -> str:
    """The initials of a name of two to four words ("Resource group" → ``rg``), or "".

    >>> initials("Azure resource group"), initials("S3"), initials("RDS Magnetic")
    ('rg', '', '')
    """
    if any(len(w) > 1 and w.isupper() for w in name.split()):
        return ""  # a name with an acronym in it ("RDS Magnetic") is not shortened by its initials
    words = strip_provider(normalize(name)).split()
    if not 2 <= len(words) <= 4 or not all(w.isalpha() for w in words):
        return ""
    return "".join(w[0] for w in words)


def _keys(name: str) -> set[str]:
    key = normalize(name)
    if not key:
        return set()
    keys = {key, key.replace(" ", "")}
    bare = strip_provider(key)
    if bare != key and (len(bare.split()) > 1 or is_distinctive(name.split(None, 1)[-1])):
        keys |= {bare, bare.replace(" ", "")}
    if not key.endswith("s"):
        keys.add(key + "s")
    return keys


# Short forms students type for words the notes spell out ("temp token", "launch config").
SHORT_WORDS = {
    "temp": "temporary",
    "config": "configuration",
    "configs": "configurations",
    "mgmt": "management",
    "acct": "account",
    "accts": "accounts",
    "env": "environment",
    "envs": "environments",
    "perms": "permissions",
    "repo": "repository",
    "repos": "repositories",
    "msg": "message",
    "msgs": "messages",
    "req": "request",
    "reqs": "requests",
    "conn": "connection",
    "conns": "connections",
    "cert": "certificate",
    "certs": "certificates",
    "addr": "address",
    "svc": "service",
    "svcs": "services",
    "auth": "authentication",
    "vol": "volume",
    "vols": "volumes",
    "secs": "seconds",
    "mins": "minutes",
    "hrs": "hours",
    "yrs": "years",
}


class Linker:
    """Link questions to entities.

    >>> lexicon = Lexicon.build([("s3-glacier", "Amazon S3 Glacier", ["Glacier"])], ["archive", "vault"])
    >>> [l.entity_id for l in Linker(lexicon).link("how many vaults per account in glaicer")]
    ['s3-glacier']
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.min_score = float(settings.get("link_min_score"))

    def link(self, question: str) -> list[Link]:
        tokens = normalize(question).split()
        taken = [False] * len(tokens)
        links: list[Link] = []
        for size in range(min(6, len(tokens)), 0, -1):
            for start in range(0, len(tokens) - size + 1):
                if any(taken[start : start + size]):
                    continue
                words = tokens[start : start + size]
                if size == 1 and words[0] in QUESTION_WORDS | STOPWORDS:
                    continue
                phrase = " ".join(words)
                link = self._exact(phrase, start, start + size)
                if link is not None:
                    links.append(link)
                    taken[start : start + size] = [True] * size
        # A plain word linked only weakly ("logs") may still be part of a misspelt name ("cloudwach logs").
        free = list(taken)
        for link in links:
            if link.weak:
                free[link.start : link.end] = [False] * (link.end - link.start)
        fuzzy = self._fuzzy(tokens, free)
        links = [link for link in links if not any(f.start < link.end and link.start < f.end for f in fuzzy)] + fuzzy
        return sorted(links, key=lambda link: link.start)

    def _exact(self, phrase: str, start: int, end: int) -> Link | None:
        lexicon = self.lexicon
        if " " in phrase:
            # a name typed with a short word ("launch config") even where the notes use the short
            # word on its own (AWS Config)
            spelled = " ".join(SHORT_WORDS.get(word, word) for word in phrase.split())
            if spelled != phrase and spelled in lexicon.forms:
                entity_id = lexicon.forms[spelled]
                return Link(entity_id, lexicon.labels[entity_id], phrase, start, end, score=99.0)
        for key in (phrase, phrase.replace(" ", "")):
            if key in lexicon.forms:
                entity_id = lexicon.forms[key]
                return Link(entity_id, lexicon.labels[entity_id], phrase, start, end)
            if key in lexicon.catalog_forms:
                entity_id = lexicon.catalog_forms[key]
                return Link(entity_id, lexicon.labels[entity_id], phrase, start, end, in_notes=False)
        if phrase in lexicon.weak_forms:
            entity_id = lexicon.weak_forms[phrase]
            return Link(entity_id, lexicon.labels[entity_id], phrase, start, end, weak=True)
        return None

    def _fuzzy(self, tokens: list[str], taken: list[bool]) -> list[Link]:
        """Misspelt names: n-grams of words the notes never use, matched by edit similarity."""
        lexicon = self.lexicon
        links: list[Link] = []
        for size in (3, 2, 1):
            for start in range(0, len(tokens) - size + 1):
                if any(taken[start : start + size]):
                    continue
                words = tokens[start : start + size]
                if words[-1] in QUESTION_WORDS or (words[0] in QUESTION_WORDS and size == 1):
                    continue
                unknown = [w for w in words if w not in lexicon.vocabulary and w not in STOPWORDS and len(w) >= 3]
                if not unknown or any(w in STOPWORDS for w in words):
                    continue
                phrase = " ".join(words)
                best = None
                for candidate in (phrase, phrase.replace(" ", "")):
                    found = process.extractOne(candidate, lexicon.fuzzy_keys, scorer=fuzz.ratio)
                    if found and (best is None or found[1] > best[1]):
                        best = found
                if best is None:
                    continue
                key, score, _ = best
                if words[0] in QUESTION_WORDS and not key.startswith(words[0]):
                    continue  # "big querry" is BigQuery; "max size" names nothing
                length = len(key.replace(" ", ""))
                if score < MIN_FUZZY.get(length, self.min_score) or abs(length - len(phrase.replace(" ", ""))) > 3:
                    continue
                entity_id = lexicon.forms[key]
                links.append(Link(entity_id, lexicon.labels[entity_id], phrase, start, start + size, score=score))
                taken[start : start + size] = [True] * size
        return links


def corrected_question(question: str, links: list[Link]) -> str:
    """The question with misspelt names replaced by their canonical labels (for retrieval)."""
    fixed = question
    for link in links:
        if link.score < 100:
            fixed = re.sub(re.escape(link.surface), link.label, fixed, flags=re.IGNORECASE)
    return fixed
