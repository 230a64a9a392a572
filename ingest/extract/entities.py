"""Services and components: finding them in text, resolving every spelling to one node.

The ``EntityIndex`` matches catalog names (case-insensitively, with the provider prefix and plurals
folded), discovers services the catalog lacks from headings and naming patterns ("Amazon X",
"AWS X (ACRONYM)", "Azure X"), repairs misspelled headings by fuzzy matching, and keeps the
registry of the entities the notes actually name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ingest.facts import EntityRecord, Mention, Provenance
from ingest.model import NON_CONTENT_KINDS, Block, Document
from ontology.catalog import (
    Catalog,
    Entry,
    is_distinctive,
    looks_like_service_name,
    normalize,
    strip_provider,
)

# Single words that are ordinary English: as bare names they only count with their provider prefix.
GENERIC_WORDS = frozenset(
    """batch config shield inspector glue backup connect support transfer detective forecast personalize
    comprehend translate registry monitor advisor policy blueprints functions storage files queue queues
    tables table disks disk firewall bastion sentinel defender automation pipelines repos boards artifacts
    compute network dns cdn nat vpn cache search events workflow logging monitoring build deploy
    functions apps app service services sql spanner tasks scheduler run data analytics images image
    container containers object objects key keys bucket buckets snapshot snapshots volume volumes
    instance instances item items topic topics vault vaults archive archives stream streams
    cluster clusters node nodes role roles user users group groups""".split()
)
# Common IT abbreviations that some service happens to use as its acronym ("SMS", "SSO").
AMBIGUOUS_ACRONYMS = frozenset(
    """SMS SSO API APIs CDN DNS SDK CLI ML AI DB VM VMs OS IP URL SQL HTTP HTTPS TCP UDP SSL TLS ETL BI AD HSM
    PKI CA IDS IPS DR HA IT QA CI CD""".split()
)
PROVIDER_WORD_RE = re.compile(r"\b(?:Amazon|AWS|Azure|Microsoft|Google|GCP)\b", re.IGNORECASE)
SERVICE_HEAD_WORDS = frozenset(
    """service services gateway manager firewall store database queue cache pipeline directory
    transcoder shield guard hub registry functions insights analytics studio engine lake connect
    monitor backup vault search notification notifications workflow""".split()
)
PAREN_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]*)\)\s*[_*.]*$")
DISCOVERY_RE = re.compile(
    r"\b(?P<name>(?:Amazon|AWS|Azure|Microsoft Azure|Google Cloud)(?:\s+[A-Z][\w/-]*){1,4})"
    r"\s*\((?P<acronym>[A-Z][A-Za-z0-9]{1,7})\)"
)
SLUG_RE = re.compile(r"[^a-z0-9]+")
FUZZY_HEADING_MIN = 90.0


def slugify(text: str) -> str:
    """``"AWS Foo Bar"`` → ``"aws-foo-bar"``."""
    return SLUG_RE.sub("-", text.lower()).strip("-") or "entity"


@dataclass(slots=True)
class BlockContext:
    """What surrounds a block: its document, section chain, bullet ancestry and topic entities.

    Attributes:
        document: The parsed document.
        block: The block.
        section_titles: Titles of the enclosing sections, outermost first (untitled ones skipped).
        ancestry: Parent list items, outermost first.
        section_entity: The most specific entity the enclosing headings name.
        ancestor_entity: The most specific entity the bullet ancestry names.
        service_id: The service the block is about (from headings or ancestry).
    """

    document: Document
    block: Block
    section_titles: list[str]
    ancestry: list[Block]
    section_entity: str | None = None
    ancestor_entity: str | None = None
    service_id: str | None = None
    heading_entities: list[str] = field(default_factory=list)
    provider: str | None = None
    section_entity_is_own_heading: bool = False  # the innermost heading itself names an entity
    lead: Block | None = None  # the paragraph that introduces the list this item belongs to
    lead_entity: str | None = None  # the entity that paragraph opens with

    @property
    def topic(self) -> str | None:
        """The most specific entity the block's context is about."""
        return self.ancestor_entity or self.lead_entity or self.section_entity or self.service_id

    @property
    def source(self) -> str:
        return self.document.source

    def prov(self) -> Provenance:
        return Provenance(self.document.source, self.block.line_start, self.block.line_end, self.block.id)

    def context_texts(self) -> list[str]:
        """Heading titles and ancestor texts, outermost first: where a fact's subject may be written."""
        return self.section_titles + ([self.lead.text] if self.lead else []) + [b.text for b in self.ancestry]


class EntityIndex:
    """Find and resolve entity mentions; keep the registry of entities the notes name.

    Args:
        nlp: A pipeline whose tokenizer is used to build the phrase patterns.
        catalog: The service catalog.
    """

    def __init__(self, nlp: Language, catalog: Catalog) -> None:
        self.catalog = catalog
        self.vocab = nlp.vocab
        self._tokenizer: Any = nlp.tokenizer
        self.registry: dict[str, EntityRecord] = {}
        self.providers: dict[str, str | None] = {}  # source -> the provider its notes are about
        self._discovered_keys: dict[str, str] = {}
        # Distinctive names ("DynamoDB", "Amazon S3", "Route 53") match in any case; plain-word names
        # ("Auto Scaling", "Glacier") and acronyms only as written, so "load balancing" or "sms"
        # in running text is not taken for a service.
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._add_catalog_patterns()
        labels = {}
        for entry in catalog:
            if entry.kind == "service":
                for name in entry.names():
                    labels[name] = entry.id
        self._fuzzy_names = labels

    # -- patterns --------------------------------------------------------------------------------

    def _add_catalog_patterns(self) -> None:
        for entry in self.catalog:
            loose: set[str] = set()
            exact: set[str] = set()
            for name in entry.names():
                for form in _surface_forms(name, entry):
                    if form.isupper() or not is_distinctive(form):
                        exact.add(form)
                        if entry.kind == "component" and len(form.split()) >= 2 and not _has_acronym(form):
                            exact.add(form.lower())  # "Persistent Disk" is written "a persistent disk"
                    else:
                        loose.add(form)
            self._add_patterns(entry.id, loose, exact)

    def _add_patterns(self, entity_id: str, loose: Iterable[str], exact: Iterable[str]) -> None:
        loose_docs = list(self._tokenizer.pipe(sorted(loose)))
        exact_forms = set(exact)
        # A plain-word name also matches in Title Case ("Elastic load balancing" no, "Storage Gateway" yes).
        exact_forms |= {f.title() for f in exact_forms if f.islower()}
        exact_forms |= {f[0].upper() + f[1:] for f in exact_forms if f[:1].islower()}
        exact_docs = list(self._tokenizer.pipe(sorted(exact_forms)))
        if loose_docs:
            self.matcher.add(entity_id, loose_docs)
        if exact_docs:
            self.exact_matcher.add(entity_id, exact_docs)

    def add_discovered(self, label: str, acronym: str | None, prov: Provenance) -> str:
        """Register a service found by naming patterns; return its id."""
        key = normalize(strip_provider(normalize(label)))
        existing = self._discovered_keys.get(key) or (acronym and self._discovered_keys.get(normalize(acronym)))
        if existing:
            if acronym:
                self.registry[existing].aliases.add(acronym)
            return existing
        entity_id = slugify(label)
        while entity_id in self.catalog.by_id or entity_id in self.registry:
            entity_id += "-x"
        provider = _provider_of(label)
        record = EntityRecord(id=entity_id, label=label, kind="service", provider=provider, first=prov)
        if acronym:
            record.aliases.add(acronym)
        bare = strip_provider(normalize(label))
        if bare != normalize(label):
            record.aliases.add(_strip_prefix_words(label))
        self.registry[entity_id] = record
        self._discovered_keys[key] = entity_id
        if acronym:
            self._discovered_keys[normalize(acronym)] = entity_id
        self._add_patterns(entity_id, {label}, {_strip_prefix_words(label), *([acronym] if acronym else [])})
        return entity_id

    # -- resolution ------------------------------------------------------------------------------

    def ensure(self, entity_id: str, prov: Provenance | None = None, alias: str | None = None) -> EntityRecord:
        """Return the registry record of ``entity_id``, creating it from the catalog if needed."""
        record = self.registry.get(entity_id)
        if record is None:
            entry = self.catalog.by_id[entity_id]
            record = EntityRecord(
                id=entry.id,
                label=entry.label,
                kind=entry.kind,
                provider=entry.provider,
                category=entry.category,
                part_of=entry.part_of,
                catalog_id=entry.id,
                first=prov,
            )
            self.registry[entity_id] = record
        elif prov is not None and (
            record.first is None or (prov.source == record.first.source and prov.line_start < record.first.line_start)
        ):
            record.first = prov
        if alias and normalize(alias) != normalize(record.label):
            record.aliases.add(alias)
        return record

    def lookup(self, text: str, provider: str | None = None) -> str | None:
        """The id of the entity written exactly as ``text`` (catalog or discovered), else None.

        With ``provider`` set, another provider's entry counts only when ``text`` names its provider.
        """
        entry = self.catalog.lookup(text)
        if entry is not None:
            if provider and entry.provider not in {provider, "unknown"} and not PROVIDER_WORD_RE.search(text):
                return None
            if len(text.split()) == 1 and text.lower() in GENERIC_WORDS:
                return None
            return entry.id
        key = normalize(strip_provider(normalize(text)))
        return self._discovered_keys.get(key) or self._discovered_keys.get(normalize(text))

    def lookup_in_context(self, text: str, service_id: str | None, provider: str | None = None) -> str | None:
        """Resolve a short phrase, trying it qualified by the service's names first
        (``Object Key`` under S3 → ``S3 object key``)."""
        text = text.strip().rstrip(".:")
        if not text or len(text.split()) > 6:
            return None
        provider = provider or (self.provider_of(service_id) if service_id else None)
        if service_id:
            for name in self.names_of(service_id):
                found = self.lookup(f"{name} {text}", provider)
                if found:
                    return found
        found = self.lookup(text, provider)
        if found and self.kind_of(found) == "component" and service_id:
            service = self.service_of(found)
            if service != service_id and not self._mentions_service(text):
                return None  # "Instance" under S3 is not an EC2 instance
        return found

    def _mentions_service(self, text: str) -> bool:
        return any(self.kind_of(m.entity_id) == "service" for m in self.find_text(text))

    def names_of(self, entity_id: str) -> list[str]:
        """Written forms of an entity, shortest first (used to qualify component phrases)."""
        entry = self.catalog.by_id.get(entity_id)
        names = set(entry.names()) if entry else set()
        record = self.registry.get(entity_id)
        if record:
            names |= {record.label, *record.aliases}
        return sorted(names, key=len)

    def kind_of(self, entity_id: str) -> str:
        record = self.registry.get(entity_id)
        if record:
            return record.kind
        entry = self.catalog.by_id.get(entity_id)
        return entry.kind if entry else "service"

    def service_of(self, entity_id: str) -> str:
        """The service an entity belongs to (itself for services)."""
        seen = set()
        current = entity_id
        while current not in seen:
            seen.add(current)
            record = self.registry.get(current)
            parent = record.part_of if record else None
            if parent is None and current in self.catalog.by_id:
                parent = self.catalog.by_id[current].part_of
            if not parent:
                return current
            current = parent
        return current

    def label_of(self, entity_id: str) -> str:
        record = self.registry.get(entity_id)
        if record:
            return record.label
        entry = self.catalog.by_id.get(entity_id)
        return entry.label if entry else entity_id

    def component(self, service_id: str | None, phrase: str, prov: Provenance) -> str | None:
        """Resolve or create the component ``phrase`` names inside ``service_id``.

        A phrase the catalog does not know becomes a discovered component labelled with the service's
        short name (``Object Key`` under S3 → ``S3 Object Key``).
        """
        phrase = _clean_phrase(phrase)
        if not phrase:
            return None
        found = self.lookup_in_context(phrase, service_id)
        if found:
            return found
        if service_id is None or not _is_thing_phrase(phrase):
            return None
        short = self.short_name(service_id)
        label = phrase if normalize(short) in normalize(phrase) else f"{short} {phrase}"
        entity_id = f"{service_id}--{slugify(phrase)}"
        if entity_id not in self.registry:
            self.registry[entity_id] = EntityRecord(
                id=entity_id,
                label=label,
                kind="component",
                part_of=service_id,
                provider=self.registry[service_id].provider if service_id in self.registry else "unknown",
                first=prov,
            )
            self._discovered_keys[normalize(label)] = entity_id
        return entity_id

    def short_name(self, entity_id: str) -> str:
        """The shortest capitalised name the notes use for an entity (``S3``, ``DynamoDB``)."""
        record = self.registry.get(entity_id)
        seen = sorted((a for a in (record.aliases if record else ()) if a[:1].isupper()), key=len)
        if seen:
            return seen[0]
        entry = self.catalog.by_id.get(entity_id)
        if entry:
            return entry.short_label
        record = self.registry.get(entity_id)
        if record:
            acronyms = [a for a in record.aliases if a.isupper()]
            return acronyms[0] if acronyms else _strip_prefix_words(record.label)
        return entity_id

    def resolve_heading(self, title: str, service_id: str | None, provider: str | None = None) -> str | None:
        """The entity a heading names: whole-title lookup, then its mentions, then a fuzzy match
        of service-like titles (repairing typos), then a discovered service."""
        title = title.strip().strip("_*").strip()
        if not title:
            return None
        paren = PAREN_RE.match(title)
        parts = [paren.group("name"), paren.group("inner")] if paren else [title]
        for part in parts:
            found = self.lookup(part, provider)
            if found:
                if service_id and found != service_id and self.kind_of(found) == "service":
                    # "Auto Scaling Plans" under Auto Scaling is a topic of Auto Scaling.
                    low = normalize(title)
                    if any(low.startswith(normalize(n) + " ") for n in self.names_of(service_id)):
                        return service_id
                return found
        if service_id and len(title.split()) <= 5:
            for name in self.names_of(service_id):
                found = self.lookup(f"{name} {parts[0]}", provider)
                if found:
                    return found
        mentions = self.find_text(title, provider)
        if mentions:
            best = max(mentions, key=lambda m: (self.kind_of(m.entity_id) == "component", m.end - m.start))
            return best.entity_id
        if looks_like_service_name(parts[0]) or paren:
            match = process.extractOne(
                parts[0], list(self._fuzzy_names), scorer=fuzz.ratio, processor=lambda s: normalize(s)
            )
            if match and match[1] >= FUZZY_HEADING_MIN:
                found = self._fuzzy_names[match[0]]
                if not provider or self.provider_of(found) == provider:
                    return found
        return None

    # -- finding ---------------------------------------------------------------------------------

    def find(self, doc: Doc, provider: str | None = None) -> list[Mention]:
        """Entity mentions in a tokenized text, longest match winning overlaps.

        Args:
            doc: The text.
            provider: The notes' cloud provider; other providers' services then count only
                when written with their provider's name ("Azure Functions", not "Functions").
        """
        spans = []
        matches = [(m, True) for m in self.matcher(doc)] + [(m, False) for m in self.exact_matcher(doc)]
        for (match_id, start, end), loose in matches:
            span = doc[start:end]
            entity_id = self.vocab.strings[match_id]
            if not self._acceptable(span, entity_id, provider, loose):
                continue
            span.label_ = entity_id
            spans.append(span)
        return [Mention(s.label_, s.text, s.start_char, s.end_char) for s in filter_spans(spans)]

    def contextual_mentions(self, doc: Doc, service_id: str | None, found: list[Mention]) -> list[Mention]:
        """Plain words that name a component of the service in context ("vaults" under Glacier,
        "items" under DynamoDB), which ``find`` leaves out because alone they are ordinary words."""
        if service_id is None:
            return []
        taken = [(m.start, m.end) for m in found]
        extra = []
        for token in doc:
            if token.lower_ not in GENERIC_WORDS or any(a <= token.idx < b for a, b in taken):
                continue
            if doc.has_annotation("POS") and token.pos_ not in {"NOUN", "PROPN"}:
                continue
            if token.i > 0 and doc[token.i - 1].pos_ in {"NOUN", "PROPN", "ADJ"} and doc[token.i - 1].is_alpha:
                previous = doc[token.i - 1].lower_
                if not any(previous in normalize(name).split() for name in self.names_of(service_id)):
                    continue  # "master key" is not the S3 object key
            entity_id = self.lookup_in_context(token.text, service_id)
            if entity_id and entity_id != service_id and self.service_of(entity_id) == service_id:
                extra.append(Mention(entity_id, token.text, token.idx, token.idx + len(token.text)))
        return extra

    def find_text(self, text: str, provider: str | None = None) -> list[Mention]:
        return self.find(self._tokenizer(text), provider)

    def provider_of(self, entity_id: str) -> str:
        record = self.registry.get(entity_id)
        if record:
            return record.provider
        entry = self.catalog.by_id.get(entity_id)
        return entry.provider if entry else "unknown"

    def _acceptable(self, span: Span, entity_id: str, provider: str | None, loose: bool) -> bool:
        text = span.text
        words = text.split()
        if len(words) == 1 and text.lower() in GENERIC_WORDS:
            return False
        if text in AMBIGUOUS_ACRONYMS:
            return False
        own = self.provider_of(entity_id)
        if provider and own not in {provider, "unknown"} and not PROVIDER_WORD_RE.search(text):
            return False
        sentence_start = (
            span.start == 0
            or span.doc[span.start - 1].text in {":", ".", "-", "–", "•", "(", "!", "?"}
            or (span.doc.has_annotation("SENT_START") and span.start == span.sent.start)
        )
        if (
            not loose
            and len(words) == 1
            and sentence_start
            and not text.isupper()
            and (self.kind_of(entity_id) != "component")
        ):
            # A plain word opening a sentence is capitalised anyway ("Organizations can ...").
            # ... so it is a name when it stands alone ("invoke: Lambda") or before punctuation
            return span.end == len(span.doc) or span.doc[span.end].is_punct
        return True

    def discover_in(self, text: str, prov: Provenance) -> None:
        """Register services written as ``Amazon X (ACRONYM)`` that the catalog lacks, and the short
        forms a glossary line gives known names ("RG = resource group, ASG = application security
        group": "ASG" then names the application security group wherever the notes write it)."""
        pairs = GLOSSARY_PAIR_RE.findall(text)
        for short, name in pairs if len(pairs) >= 2 else ():
            entity_id = self.lookup(name.strip())
            entry = self.catalog.by_id.get(entity_id) if entity_id else None
            # (another provider's "ASG", the auto scaling group, is no name here)
            if entry is None or self.lookup(short, provider=entry.provider) is not None:
                continue
            self.ensure(entry.id, alias=short)
            self._add_patterns(entry.id, set(), {short})
        for match in DISCOVERY_RE.finditer(text):
            name, acronym = match.group("name"), match.group("acronym")
            if self.lookup(name) or self.lookup(acronym):
                continue
            if name.split()[-1].lower() not in SERVICE_HEAD_WORDS:
                continue
            self.add_discovered(name, acronym, prov)


# "ASG = application security group" in a glossary line of such pairs
GLOSSARY_PAIR_RE = re.compile(r"\b([A-Z][A-Za-z]{1,5})\s*=\s*([A-Za-z][A-Za-z -]{2,50}?)\s*(?=[,;]|$)")


def _surface_forms(name: str, entry: Entry) -> Iterable[str]:
    yield name
    bare = _strip_prefix_words(name) if name == entry.label else name
    if bare != name and (len(bare.split()) > 1 or is_distinctive(bare)):
        yield bare
    if entry.kind == "component":
        for form in (name, bare):
            if not form.endswith("s") and not form.isupper():
                yield form + "s"
                if form.endswith("y"):
                    yield form[:-1] + "ies"


def _strip_prefix_words(label: str) -> str:
    words = label.split()
    while len(words) > 1 and normalize(words[0]) in {"amazon", "aws", "azure", "microsoft", "google", "gcp"}:
        words = words[1:]
    if len(words) > 1 and words[0] == "Cloud" and label.lower().startswith("google cloud"):
        return " ".join(words)
    return " ".join(words)


def _provider_of(label: str) -> str:
    low = label.lower()
    if low.startswith(("amazon", "aws")):
        return "aws"
    if low.startswith(("azure", "microsoft")):
        return "azure"
    if low.startswith(("google", "gcp", "cloud ")):
        return "gcp"
    return "unknown"


GENERIC_HEADS = frozenset(
    """limitations limits limit overview features feature benefits advantages use cases case example examples
    notes note misc other others general basics introduction summary details options option types
    best practice practices durability availability security encryption scalability performance cost
    pricing access control management configuration""".split()
)


def phrase_candidates(text: str) -> list[str]:
    """Ways a bullet or heading may name a thing: its head phrase, and an acronym in brackets
    ("Gateway Virtual Tape Libraries (VTL)" → the phrase, then "VTL")."""
    head = _clean_phrase(text)
    found = [head] if head else []
    paren = re.match(r"^[^(:]{1,60}\(([^()]{1,40})\)", text.strip())
    if paren and paren.group(1).strip() not in found:
        found.append(paren.group(1).strip())
    return found


def own_label(text: str) -> str:
    """The name a bullet gives itself: "String: Text and ..." → "String", "SSE-C (Customer ...)"."""
    match = re.match(r"^(?P<name>[A-Z][\w./+-]*(?:\s+[\w./+()-]+){0,3}?)\s*(?::|\s[-–—]\s)\s*\S", text.strip())
    if not match:
        return ""
    name = match.group("name").strip()
    return name if _is_thing_phrase(name) and name.lower() not in GENERIC_HEADS else ""


def _clean_phrase(text: str) -> str:
    text = re.split(r"[:(–—]| - ", text, maxsplit=1)[0]
    text = re.sub(r"^(?:the|a|an|each|every|\d+\.)\s+", "", text.strip(), flags=re.I)
    return text.strip(" .,_*")


THING_JOINERS = frozenset({"of", "and", "per", "for"})
NOT_THING_WORDS = frozenset(
    """to for when if how why what use using via with is are was were be can could will would should must may
    might has have had do does did the a an this that these those it its your our their you we they not no
    all any each every some more most less than then there here which who whom whose""".split()
)


PHRASE_END_STOPS = frozenset(
    "by of to in on for with from at as into via and or the a an is are be can will that which".split()
)


def _is_thing_phrase(phrase: str) -> bool:
    """A short noun phrase naming a thing ("Object Key", "Query operation"), not a topic word."""
    words = phrase.split()
    if not 1 <= len(words) <= 4 or not words[0][:1].isupper():
        return False
    if all(w.lower() in GENERIC_HEADS for w in words):
        return False
    last = words[-1].lower()
    if last in PHRASE_END_STOPS or (len(words) > 1 and re.fullmatch(r"[a-z]+ed", words[-1])):
        return False  # "Durability achieved by", "Data stored": a clause cut short, not a name
    if any(w.lower() in NOT_THING_WORDS for w in words) or not all(re.match(r"^[\w./+()-]+$", w) for w in words):
        return False
    return all(w[:1].isalnum() or w.lower() in THING_JOINERS for w in words)


PROVIDER_PATTERNS = {
    "aws": re.compile(r"\b(?:AWS|Amazon)\b"),
    "azure": re.compile(r"\b(?:Azure|Microsoft)\b"),
    "gcp": re.compile(r"\b(?:Google|GCP|GKE|BigQuery)\b"),
}


def document_provider(document: Document) -> str | None:
    """The cloud provider a document is about, when one clearly dominates its mentions."""
    text = "\n".join(document.lines)
    counts = {name: len(pattern.findall(text)) for name, pattern in PROVIDER_PATTERNS.items()}
    best = max(counts, key=lambda name: counts[name])
    total = sum(counts.values())
    return best if total >= 3 and counts[best] >= 0.7 * total else None


def analyze_structure(documents: list[Document], index: EntityIndex) -> dict[tuple[str, int], BlockContext]:
    """Resolve section headings and bullet ancestors to entities; return each block's context.

    Headings are resolved top-down so a heading inherits the service of its enclosing sections
    (``S3 Objects`` → S3 object, ``Limits`` under DynamoDB → DynamoDB).
    """
    contexts: dict[tuple[str, int], BlockContext] = {}
    for document in documents:
        provider = document_provider(document)
        index.providers[document.source] = provider
        heading_prov = {b.section_id: b for b in document.blocks if b.kind == "heading"}
        section_entity: dict[int, str | None] = {0: None}
        resolved_here: set[int] = set()
        section_service: dict[int, str | None] = {0: None}
        # a section under a category (no service) whose previous sibling was a component of a
        # service ("Instance Metadata" of EC2) is another topic of that service ("Instance Tags")
        sibling_service: dict[int, str | None] = {}
        for section in document.sections[1:]:
            parent = section.parent_id or 0
            inherited_service = section_service.get(parent) or sibling_service.get(parent)
            heading = heading_prov.get(section.id)
            prov = Provenance(
                document.source,
                section.line,
                heading.line_end if heading else section.line,
                heading.id if heading else -1,
            )
            found = index.resolve_heading(section.title, inherited_service, provider) if section.title else None
            if found is None and section.title and (index.catalog.is_service_title(section.title)):
                paren = PAREN_RE.match(section.title)
                name = paren.group("name") if paren else section.title
                acronym = paren.group("inner") if paren and paren.group("inner").isupper() else None
                if looks_like_service_name(name) or acronym:
                    found = index.add_discovered(name.strip(), acronym, prov)
            if found:
                index.ensure(found, prov, alias=section.title if index.lookup(section.title, provider) else None)
                section_entity[section.id] = found
                resolved_here.add(section.id)
                owner = index.service_of(found)
                section_service[section.id] = owner if index.kind_of(owner) == "service" else inherited_service
                if section_service.get(parent) is None:
                    sibling_service[parent] = owner if owner != found and index.kind_of(owner) == "service" else None
            else:
                section_entity[section.id] = section_entity.get(parent)
                section_service[section.id] = inherited_service
                # a lost heading: the component the section's first bullet opens with ("A VPC
                # peering connection is ...") is what the section is about
                opening = _untitled_topic(document, section.id, index, provider) if not section.title else None
                if opening and (inherited_service is None or index.service_of(opening) == inherited_service):
                    section_entity[section.id] = opening
        lead: Block | None = None
        lead_entity: str | None = None
        for block in document.blocks:
            chain = document.section_chain(block.section_id)
            ancestry = document.ancestry(block)
            service = section_service.get(block.section_id)
            if block.kind == "paragraph":
                lead, lead_entity = block, _opening_entity(block.text, index, provider)
            elif block.kind != "bullet" or (lead is not None and lead.section_id != block.section_id):
                lead, lead_entity = None, None
            if lead_entity and lead is not block and not ancestry:
                owner = index.service_of(lead_entity)
                if index.kind_of(owner) == "service":
                    service = owner
            ancestor_entity = None
            for ancestor in ancestry:
                found = next(
                    (
                        f
                        for f in (
                            index.lookup_in_context(c, service, provider) for c in phrase_candidates(ancestor.text)
                        )
                        if f
                    ),
                    None,
                )
                if found is None:
                    mentions = index.find_text(ancestor.text.split(":")[0][:80], provider)
                    components = [m.entity_id for m in mentions if index.kind_of(m.entity_id) == "component"]
                    found = components[0] if len(components) == 1 and len(ancestor.text.split()) <= 8 else None
                if found is None:
                    # "Azure Key Vault stores secrets ..." then its sub-bullets: the subject it opens with
                    found = _opening_entity(ancestor.text, index, provider)
                if found:
                    ancestor_entity = found
                    index.ensure(
                        found,
                        Provenance(document.source, ancestor.line_start, ancestor.line_end, ancestor.id),
                    )
                    owner = index.service_of(found)
                    if index.kind_of(owner) == "service":
                        service = owner
            contexts[(document.source, block.id)] = BlockContext(
                document=document,
                block=block,
                section_titles=[s.title for s in chain if s.title],
                ancestry=ancestry,
                section_entity=section_entity.get(block.section_id),
                ancestor_entity=ancestor_entity,
                service_id=service,
                heading_entities=[e for e in (section_entity.get(s.id) for s in chain) if e],
                provider=provider,
                section_entity_is_own_heading=block.section_id in resolved_here,
                lead=lead if lead is not block else None,
                lead_entity=lead_entity if lead is not block else None,
            )
    return contexts


OPENING_ARTICLE_RE = re.compile(r"^(?:the|an?)\s+", re.IGNORECASE)


def _opening_entity(text: str, index: EntityIndex, provider: str | None) -> str | None:
    """The service or component a paragraph opens with ("Azure Monitor collects ..."): what the list
    after it is about."""
    opening = text[:160]
    article = OPENING_ARTICLE_RE.match(opening)
    offset = article.end() if article else 0
    mentions = index.find_text(opening, provider)
    first = next((m for m in mentions if m.start == offset), None)
    if first is None or index.kind_of(first.entity_id) not in {"service", "component"}:
        return None
    return first.entity_id


def _untitled_topic(document: Document, section_id: int, index: EntityIndex, provider: str | None) -> str | None:
    """The component an untitled section's first block opens with, if any."""
    first = next((b for b in document.blocks if b.section_id == section_id and b.kind not in NON_CONTENT_KINDS), None)
    if first is None:
        return None
    found = _opening_entity(first.text, index, provider)
    return found if found and index.kind_of(found) == "component" else None


def _has_acronym(form: str) -> bool:
    return any(len(w) > 1 and w.isupper() for w in form.split())
