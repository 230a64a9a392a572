"""The question-answering engine: link, classify, query the graph, retrieve, compose or abstain.

Usage (with a store built by `kg ingest`)::

    engine = Engine.open(".kg-store")
    engine.ask("what's the max size of an s3 object?").answer
    # '5 TB: the maximum object size of S3 object — “Max object size = 5TB”'
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kg import settings
from kg.build import sparql_prefixes
from kg.errors import KGError
from kg.index.dense import default_encoder
from kg.index.tokens import ACRONYM_PLURAL_RE, tokenize
from kg.passages import Passage
from kg.qa import compose, templates
from kg.qa.answer import Answer, Citation, around, shorten
from kg.qa.intent import DEFINITION_TAIL, FILLER_RE, Intent, classify, split_parts
from kg.qa.link import SHORT_WORDS, Lexicon, Link, Linker, corrected_question
from kg.qa.retrieve import Hit, HybridRetriever
from kg.store import KnowledgeStore
from kg.types import Encoder
from ontology.catalog import normalize

log = logging.getLogger(__name__)

ENTITIES_QUERY = (
    sparql_prefixes()
    + """
SELECT ?entity ?label ?kind ?part_of (GROUP_CONCAT(DISTINCT ?alias; separator="\\u001f") AS ?aliases)
WHERE {
  ?entity a nkg:Entity ; skos:prefLabel ?label .
  BIND(IF(EXISTS { ?entity a nkg:Component }, "component", IF(EXISTS { ?entity a nkg:Service }, "service", "other"))
       AS ?kind)
  OPTIONAL { ?entity skos:altLabel ?alias }
  OPTIONAL { ?entity nkg:partOf ?part_of . FILTER NOT EXISTS { ?relation nkg:relationSubject ?entity ;
                                                                         nkg:relationObject ?part_of } }
}
GROUP BY ?entity ?label ?kind ?part_of
"""
)
MAX_SPAN = 12
MIN_LIMIT_SCORE = 2.6
ITEM_LOOKUP = 4  # passages looked up by each compared item's name
LOWER_PLURAL_RE = re.compile(r"\b[a-z][a-z0-9]+s\b")  # "ips", read as the notes' "IPs"
# "which service should i use to ...", "what aws service lets me ..."
WHICH_SERVICE_RE = re.compile(
    r"\b(?:which|what)\s+(?:aws\s+|azure\s+|gcp\s+|google\s+cloud\s+)?(?:service|tool|product)\s+"
    r"(?:(?:should|would|could|can|do|to)\s+(?:i\s+|we\s+|you\s+)?(?:use|pick|choose)|lets|allows|helps)\b",
    re.I,
)
COMMAND_RE = re.compile(r"\b(?:command|cli|syntax|snippet|terminal|shell|one-?liner)s?\b", re.I)
COMMAND_WORDS = frozenset(tokenize("command commands cli syntax snippet az aws gcloud kubectl"))
# a definition asked for what the thing is for, and a bullet that says it
PURPOSE_ASKED_RE = re.compile(
    r"\b(?:point|purpose|benefits?|advantages?)\s+of\b|\bwhy\s+(?:use|would|should|do)\b|\bused\s+for\b|"
    r"\bwhat\s+(?:is|are|does)\b.*\bfor\s*\??\s*$",
    re.I,
)
PURPOSE_SAID_RE = re.compile(
    r"^\s*(?:it\s+|they\s+)?(?:enables?|allows?|lets?|helps?|is\s+used|are\s+used|used|recommended|designed|"
    r"ideal|useful|provides?)\b",
    re.I,
)
SCENARIO_WORDS = frozenset(tokenize("need want service tool product use using aws azure gcp"))
# "the storage that holds X", "the storage behind X", "the servers under X"
HOLDER_RE = re.compile(
    r"\b(?:(?:that|which)\s+(holds?|stores?|keeps?|runs?|hosts?|contains?)|(behind|backing|underneath|underlying|"
    r"beneath|under))\b",
    re.I,
)
KIND_TOKENS = frozenset(tokenize("default maximum max minimum min limit"))  # frame words that say what is compared
RARE_DF = 3  # a word in at most this many passages is a specific name
USED_DF = 5  # a word in at least this many passages is one the notes use
PROVIDER_TOKENS = frozenset(tokenize("aws amazon azure microsoft google cloud gcp"))
SPELLING_MIN_RATIO = 75  # candidates for the word a misspelling stands for (then at most one or two edits away)
# words of questions, not of notes, that are no misspelling of a notes' word
SPELLING_KEEP = frozenset(
    "which where there their would could should about whats thats theres doesnt dont didnt isnt arent wasnt "
    "werent cant couldnt wont wouldnt shouldnt hasnt havent".split()
)
UNKNOWN_MIN_RATIO = 80  # a word this close to one of the notes' words is a misspelling of it
CLOSE_SIMILARITY = 0.6  # a passage this close to the question may answer it in other words
# Words written like names: CamelCase (BatchGetItem), with digits (m4.large), long words.
# a name-like word: CamelCase, with a digit, or long (not an adverb: "automatically" names nothing)
IDENTIFIER_RE = re.compile(r"\b(?:[a-z]*[A-Z][a-z0-9]+[A-Z]\w*|\w*\d\w*|(?![A-Za-z]+ly\b)[A-Za-z]{11,})\b")


class Engine:
    """Answers questions from one store. Load once, ask many times.

    Args:
        store: The opened store.
        encoder: The question encoder (default: the store's model, all-MiniLM-L6-v2).
    """

    def __init__(self, store: KnowledgeStore, encoder: Encoder | None = None) -> None:
        self.store = store
        self.graph = store.graph
        self.passages: list[Passage] = store.passages
        self.encoder = encoder or default_encoder()
        self.retriever = HybridRetriever(self.passages, store.sparse, store.dense, self.encoder)
        self.top_k = int(settings.get("top_k"))
        self.abstain_threshold = float(settings.get("abstain_threshold"))
        self.fact_boost = float(settings.get("fact_boost"))
        entities = self.graph.select(ENTITIES_QUERY)
        self.labels = {row["entity"].rsplit("/", 1)[-1]: row["label"] for row in entities}
        self.kinds = {row["entity"].rsplit("/", 1)[-1]: row["kind"] for row in entities}
        self.part_of = {
            row["entity"].rsplit("/", 1)[-1]: row["part_of"].rsplit("/", 1)[-1]
            for row in entities
            if row.get("part_of")
        }
        vocabulary = {token for p in self.passages for token in re.findall(r"[a-z0-9]+", p.index_text().lower())}
        # acronym plurals as the notes write them ("IPs"), for questions typed in lowercase ("ips")
        self.acronym_plurals = {
            found.group(0).lower(): found.group(0)
            for p in self.passages
            for found in ACRONYM_PLURAL_RE.finditer(p.text)
        }
        self.lexicon = Lexicon.build(
            (
                (
                    row["entity"].rsplit("/", 1)[-1],
                    row["label"],
                    [a for a in row.get("aliases", "").split("\x1f") if a],
                )
                for row in entities
            ),
            vocabulary,
        )
        self.linker = Linker(self.lexicon)
        self.names = {
            row["entity"].rsplit("/", 1)[-1]: [
                row["label"],
                *(a for a in row.get("aliases", "").split("\x1f") if a),
            ]
            for row in entities
        }
        self.tables = self.graph.select(templates.ALL_COMPARISONS)
        self.document_frequency: dict[str, int] = {}
        self._vocabulary: list[str] | None = None
        for passage in self.passages:
            for token in set(tokenize(passage.index_text())):
                self.document_frequency[token] = self.document_frequency.get(token, 0) + 1
        self.by_span: dict[tuple[str, int, int], int] = {}
        self.by_line: dict[tuple[str, int], list[int]] = {}
        self.children: dict[int, list[int]] = {}
        for passage in self.passages:
            self.by_span.setdefault((passage.source, passage.line_start, passage.line_end), passage.id)
            for line in range(passage.line_start, passage.line_end + 1):
                self.by_line.setdefault((passage.source, line), []).append(passage.id)
            if passage.parent is not None and passage.kind != "table-row":
                self.children.setdefault(passage.parent, []).append(passage.id)
        # the top-level items of each section (and paragraphs that announce a list of their own)
        self.sections: dict[str, list[int]] = {}
        for passage in self.passages:
            top = passage.kind == "bullet" or (passage.kind == "paragraph" and passage.id in self.children)
            if passage.parent is None and top and passage.section:
                self.sections.setdefault(f"{passage.source}::{passage.section}", []).append(passage.id)

    @classmethod
    def open(cls, folder: str | Path, encoder: Encoder | None = None) -> Engine:
        """Open the store at ``folder`` and load what answering needs (models once)."""
        return cls(KnowledgeStore(folder), encoder)

    # -- public ----------------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        """Answer one question."""
        return self.ask_many([question])[0]

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """Answer many questions, encoding them in one batch."""
        prepared = [self._prepare(q) for q in questions]
        texts = [p["retrieval_text"] for p in prepared]
        vectors = self.retriever.encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
        return [self._answer(p, v) for p, v in zip(prepared, vectors, strict=True)]

    # -- steps -----------------------------------------------------------------------------------

    def _prepare(self, question: str) -> dict[str, Any]:
        asked = " ".join(question.split())
        question = expand_short_words(asked, self.lexicon.vocabulary)
        question = self._spelled(question)
        question = LOWER_PLURAL_RE.sub(lambda found: self.acronym_plurals.get(found.group(0), found.group(0)), question)
        links = self.linker.link(question)
        retrieval_text = corrected_question(question, links) if links else question
        # Spell out acronyms and short names for retrieval: "LSI" also searches "local secondary index".
        expansions = [
            link.label
            for link in links
            if link.in_notes
            and normalize(link.label) != link.surface
            and normalize(link.label) not in normalize(retrieval_text)
        ]
        # and the short form the notes write a name in full for ("application security groups": ASG)
        expansions += [
            name
            for link in links
            if link.in_notes and not link.weak
            for name in self.names.get(link.entity_id, [])
            if name.isupper() and 2 <= len(name) <= 5 and not set(tokenize(name)) <= set(tokenize(retrieval_text))
        ]
        if expansions:
            retrieval_text = f"{retrieval_text} ({'; '.join(dict.fromkeys(expansions))})"
        return {
            "asked": asked,
            "question": question,
            "links": links,
            "intent": classify(question, [link.surface for link in links if not link.weak]),  # (a plain word asks)
            "retrieval_text": retrieval_text,
        }

    @functools.cached_property
    def _spelling(self) -> tuple[list[str], set[str]]:
        """The notes' words a misspelling is corrected to (most used first), and the words of the
        catalog's names the notes never use (a service the notes lack is no typo of a word they have)."""
        words = sorted(
            (w for w in self.lexicon.vocabulary if w.isalpha() and len(w) >= 4),
            key=lambda w: -self.document_frequency.get(w, 0),
        )
        named = {w for form in self.lexicon.catalog_forms for w in form.split()}
        return words, named - self.lexicon.vocabulary

    def _spelled(self, question: str) -> str:
        """The question with each word the notes never use, and that is no name the catalog knows,
        spelt as the closest word the notes use ("destinatons" → "destinations", "visibilty" →
        "visibility"), so that the cues of intent and the words retrieval matches see it."""
        words, named = self._spelling

        def fix(found: re.Match[str]) -> str:
            word = found.group(0)
            low = word.lower()
            if len(low) < 5 or low in self.lexicon.vocabulary or low in named or low in SPELLING_KEEP:
                return word
            stems = tokenize(low)
            if not stems:
                return word  # a stopword
            # the closest of the notes' words within one edit (two for a long word), a swap of two
            # letters counting one ("lcoks": locks)
            best = next(
                (
                    found
                    for found in process.extract(
                        low, words, scorer=fuzz.ratio, score_cutoff=SPELLING_MIN_RATIO, limit=8
                    )
                    if OSA.distance(low, found[0]) <= 1
                    or (len(low) >= 9 and found[1] >= 85 and OSA.distance(low, found[0]) <= 2)
                ),
                None,
            )
            if best is None or best[0][0] != low[0] or abs(len(best[0]) - len(low)) > 2:
                return word
            if best[0].startswith(low) or low.startswith(best[0]):
                return word  # another form of the same word ("speeds"), not a misspelling
            if any(self.document_frequency.get(t) for t in stems) and tokenize(best[0]) != stems:
                return word  # a form of a word the notes use ("stopping" is no "shopping")
            return best[0]

        return re.sub(r"\b[A-Za-z]+\b", fix, question)

    def _words_used(self, link: Link) -> bool:
        """Whether every word of a catalog-only name as asked, but the provider's, is a word the notes use."""
        words = [w for w in tokenize(link.surface) if w not in PROVIDER_TOKENS]
        return bool(words) and all(self.document_frequency.get(w, 0) >= USED_DF for w in words)

    def _service(self, entity_id: str) -> str:
        seen = set()
        while entity_id in self.part_of and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self.part_of[entity_id]
        return entity_id

    def _answer(self, prepared: dict[str, Any], vector: np.ndarray) -> Answer:
        started = time.perf_counter()
        question: str = prepared["question"]
        links: list[Link] = prepared["links"]
        intent: Intent = prepared["intent"]
        answer = Answer(question=prepared.get("asked", question), intent=intent.name)
        if not question.strip():
            answer.abstained, answer.message = True, "Ask a question about the notes."
            return answer
        present = [link for link in links if link.in_notes]
        # (a catalog name made of words the notes use, "Azure Storage" in notes on storage accounts
        # and blobs, is no sign the notes lack what is asked)
        absent = [link for link in links if not link.in_notes and not self._words_used(link)]
        if absent and not [link for link in present if not link.weak]:
            names = ", ".join(dict.fromkeys(link.label for link in absent))
            answer.abstained = True
            answer.message = f"The notes do not mention {names}, so they cannot answer this."
            answer.citations = self._citations(self.retriever.search(prepared["retrieval_text"], vector=vector), [])[:3]
            return answer
        linked = list(dict.fromkeys(link.entity_id for link in present))
        parts = split_parts(question)
        if len(parts) > 1 and intent.name != "comparison":
            return self._answer_parts(answer, parts, vector)
        composition, hits = self._compose(question, intent, links, linked, vector, prepared["retrieval_text"], answer)
        terms = compose.limit_terms(
            compose.content_terms(question, [link.surface for link in links if not link.weak]), intent
        )
        if intent.name == "comparison":
            terms |= set(tokenize(question)) & KIND_TOKENS  # "default behaviour" compares the defaults
        if composition is not None:
            composition.question = question
            if intent.name != "limit" and not composition.exact and self._misses_rare_term(composition, terms):
                # the answer stands on passages that never say a rare word asked ("noncompliant"): a
                # retrieved passage that says it answers instead
                composition = self._saying_rare(composition, hits, terms, linked, question)
        if composition is None or (
            not composition.exact
            and (
                self._weak(composition, hits, intent, terms, [link.entity_id for link in present if not link.weak])
                or self._misses_rare_term(composition, terms)
                or (
                    intent.name == "definition"
                    and self._unknown_term(_definition_term(question, links), [link.surface for link in links])
                )
                or (
                    intent.name == "limit"
                    and compose.other_tier(question, composition.text, [link.surface for link in links])
                )
            )
        ):
            answer.abstained = True
            answer.message = self._abstain_message(intent, present)
            answer.citations = self._citations(hits, [])[:3]
            answer.facts = []
        else:
            answer.answer = composition.text
            answer.facts = composition.facts
            answer.citations = self._citations(hits, composition.lead_passages)
        log.debug("answered %r in %.1f ms", question, 1000 * (time.perf_counter() - started))
        return answer

    def _answer_parts(self, answer: Answer, parts: list[str], vector: np.ndarray) -> Answer:
        """A two-part question: answer each part, then join (carrying the entity over to the second)."""
        carried: list[Link] = []
        sub_answers = []
        for index, part in enumerate(parts):
            if index:
                part = _resolve_pronoun(part, parts[0])
            prepared = self._prepare(part)
            plain = dict(prepared)
            if not [link for link in prepared["links"] if link.in_notes] and carried:
                prepared["links"] = carried
                prepared["retrieval_text"] = f"{part} {' '.join(link.label for link in carried)}"
            carried = [link for link in prepared["links"] if link.in_notes] or carried
            part_vector = self.retriever.encode([prepared["retrieval_text"]])[0]
            sub = self._answer(prepared, part_vector)
            if sub.abstained and plain["links"] is not prepared["links"]:
                # the entity carried over was not what this part asks about ("how recent can a
                # point in time restore be" after a question on Multi-AZ failover)
                sub = self._answer(plain, self.retriever.encode([plain["retrieval_text"]])[0])
            sub_answers.append(sub)
            if index == 0 and not sub.abstained and len(parts) > 1:
                # "single vm sla needs which disk, and what's that disk's max iops": "that disk" is
                # the one the first answer names
                parts[1] = self._resolve_reference(parts[1], sub.answer.split(" — “")[0], part)
        answered = [a for a in sub_answers if not a.abstained]
        if not answered:
            answer.abstained = True
            answer.message = sub_answers[0].message
            answer.citations = sub_answers[0].citations
            return answer
        # each part's figure first ("35 days: ... | 5 minutes: ..."), the quoted evidence after them
        leads = [a.answer.split(" — “")[0] for a in answered]
        evidence = [a.answer[len(lead) :].strip(" —") for lead, a in zip(leads, answered, strict=True)]
        answer.answer = " | ".join(shorten(lead, 280 // len(answered)) for lead in leads)
        if any(evidence):
            # each quote cut around its figure, so that every part's figure and its words fit
            room = max(100, (300 - len(answer.answer)) // len(answered) - 4)
            answer.answer += " — " + " ".join(
                f"“{around(e.strip('“” '), _figure_of(lead), room)}”"
                for e, lead in zip(evidence, leads, strict=True)
                if e
            )
        answer.facts = [f for a in answered for f in a.facts]
        answer.sparql = [q for a in sub_answers for q in a.sparql]
        merged: list[Citation] = []
        for group in zip(*(a.citations for a in answered), strict=False):
            for citation in group:
                if all(
                    (c.source, c.line_start, c.line_end) != (citation.source, citation.line_start, citation.line_end)
                    for c in merged
                ):
                    merged.append(citation)
        answer.citations = merged[: self.top_k]
        return answer

    def _resolve_reference(self, part: str, first_answer: str, first_question: str) -> str:
        """``part`` with "that X" / "this X" / "the same X" replaced by the entity the first answer
        names that is an X (its name or its kind's name holds X), and was not asked in the first part."""
        found = re.search(r"\b(?:that|this|the\s+same)\s+([a-z][\w-]*?)(?:'s|’s)?\b", part, re.I)
        if not found:
            return part
        noun = compose.singular(found.group(1).lower())
        asked = normalize(first_question)
        for link in self.linker.link(first_answer):
            if re.search(rf"\b{re.escape(link.surface)}\b", asked) or not link.in_notes:
                continue  # what the first part asked about, not what its answer names
            names = " ".join([link.surface, link.label, self.labels.get(self.part_of.get(link.entity_id, ""), "")])
            if noun in {compose.singular(w) for w in normalize(names).split()}:
                return part[: found.start()] + link.surface + part[found.end() :]
        return part

    def _compose(
        self,
        question: str,
        intent: Intent,
        links: list[Link],
        linked: list[str],
        vector: np.ndarray,
        retrieval_text: str,
        answer: Answer,
    ) -> tuple[compose.Composition | None, list[Hit]]:
        content = compose.content_terms(question, [link.surface for link in links if not link.weak])
        terms = compose.limit_terms(content, intent)
        # the names as asked and as the notes write them ("eni": "elastic network interface")
        linked_terms = set(tokenize(" ".join(link.surface for link in links if link.in_notes)))
        linked_terms |= set(tokenize(" ".join(self.labels.get(link.entity_id, "") for link in links if link.in_notes)))
        # A plain word standing for a component ("rule", "bucket") names a limit's subject, but
        # only steers retrieval when nothing else is named.
        strong = [link.entity_id for link in links if link.in_notes and not link.weak]
        all_linked = linked
        linked = list(dict.fromkeys(strong)) or linked
        components = [
            link.entity_id
            for link in links
            if link.in_notes and not link.weak and self.kinds.get(link.entity_id) == "component"
        ]
        services = {e: self._service(e) for e in linked}
        name = intent.name
        fact_rows: list[dict[str, Any]] = []
        if name in {"limit"} or (name == "comparison" and intent.kinds):
            fact_rows = templates.limits(self.graph, all_linked, answer.sparql)
            if strong and name == "limit":
                # a plain word ("timeout") names a component of another service than the one
                # the question names ("lambda max timeout"): its figures do not answer
                wanted = {self._service(e) for e in strong}
                fact_rows = [r for r in fact_rows if self._service(r["subject"].rsplit("/", 1)[-1]) in wanted]
        elif name == "relationship":
            fact_rows = templates.relations(self.graph, linked, answer.sparql)
        elif name == "definition":
            term = _definition_term(question, links)
            focus = max(
                present_links(links),
                key=lambda link: len(set(tokenize(link.surface)) & set(tokenize(term))),
                default=None,
            )
            fact_rows = templates.definitions(self.graph, [focus.entity_id] if focus else [], answer.sparql)
        fact_passages = {}
        for row in fact_rows:
            passage = self._passage_of(row)
            if passage is not None:
                fact_passages[passage] = 0.5 * self.fact_boost / (self.retriever.rrf_k + 1)
        hits = self.retriever.search(
            retrieval_text,
            vector=vector,
            entities=linked,
            services=services,
            fact_passages=fact_passages if name != "limit" else {},
        )
        if name == "comparison" and len(linked) >= 2:
            # one item with many passages ("EBS") must not crowd out the other ("instance store"):
            # interleave the passages boosted for each item in turn
            items = [(n, e) for n, e in _comparison_items(question, links, self.names, self.kinds) if e in services][:3]
            queries = [f"{n} {' '.join(sorted(terms))}".strip() for n, _ in items]
            vectors: Any = self.retriever.encode(queries) if queries else []
            per_item = [
                self.retriever.search(query, vector=v, entities=[e], services={e: services[e]})
                for query, v, (_, e) in zip(queries, vectors, items, strict=True)
            ]
            merged: dict[int, Hit] = {}
            for group in zip(hits, *per_item, strict=False):
                for hit in group:
                    merged.setdefault(hit.passage.id, hit)
            hits = list(merged.values())
        result: compose.Composition | None = None
        # "what cookie does ELB use": "ELB creates a cookie named AWSELB"
        by_name = compose.compose_named(hits, question) if name != "limit" else None
        chosen = self._service_for(question, hits, terms, linked) if WHICH_SERVICE_RE.search(question) else None
        if chosen is not None:
            result = chosen
        elif name in {"procedure", "definition"} and (commands := self._commands(question, hits, terms)) is not None:
            result = commands  # "how do i swap the slot with the cli": the commands in the notes' code block
        elif by_name is not None:
            result = by_name
        elif name == "limit":
            # (the names as asked and as the notes write them: "rr" is a "read replica")
            # each entity by its name as asked and as the notes write it ("rr": read replica; "how many
            # rgs" counts resource groups)
            asked_as: dict[str, Sequence[str]] = {
                link.entity_id: [link.surface, *self.names.get(link.entity_id, [link.label])] for link in links
            }
            named = {entity: names for entity, names in asked_as.items() if entity in components}
            counted = compose.counted_words(question, asked_as)
            measured = compose.measured_noun(question, [link.surface for link in links if not link.weak])

            def limit_from(rows: list[dict[str, Any]], within: list[str]) -> compose.Composition | None:
                return compose.compose_limit(
                    rows,
                    intent,
                    terms,
                    all_linked,
                    self._passage_of,
                    MIN_LIMIT_SCORE,
                    linked_terms=linked_terms,
                    components=within,
                    components_named=named,
                    counted=counted,
                    measured=measured,
                    question=question,
                )

            result = limit_from(fact_rows, components)
            modified = [
                link.entity_id
                for link in links
                if link.entity_id in components and _followed_by_term(question, link.surface, terms)
            ]
            if result is None and modified:
                # "sqs message retention": the figure may sit on a sibling of the component the
                # question names (the queue's "Retention"), so look across its service too; not
                # for a component that only contains the thing counted ("instances in a group").
                wider = list(dict.fromkeys(self._service(c) for c in modified))
                result = limit_from(templates.limits(self.graph, wider, answer.sparql), [])
            if result is None and intent.unit != "count":
                # "max timeout for a lambda function": a component named after its service ("Lambda
                # function" of AWS Lambda) is what the service's own figures are about
                named_after = [
                    self._service(c)
                    for c in components
                    if self._service(c) != c
                    and (own := set(tokenize(self.labels.get(self._service(c), ""))) - compose.FRAME_WORDS)
                    and own <= set(tokenize(self.labels.get(c, "")))
                ]
                if named_after:
                    rows = templates.limits(self.graph, list(dict.fromkeys(named_after)), answer.sparql)
                    result = limit_from(rows, [])
            if result is None and len(terms) >= 2:
                # "sts temporary token": a component whose name holds the question's other words
                # ("IAM Roles/Temporary Security Tokens") though the question does not name it
                named_by_terms = self._entities_named_by(terms)
                if named_by_terms:
                    result = limit_from(templates.limits(self.graph, named_by_terms, answer.sparql), [])
            if result is None:
                # "premium ssd max iops": the figure is a row of "Disk Storage Premium SSD", an
                # entity whose name holds the name asked (linked to another entity it aliases)
                holding = self._entities_holding([link.surface for link in links if link.in_notes and not link.weak])
                if holding:
                    result = limit_from(templates.limits(self.graph, holding, answer.sparql), [])
            if (
                result is not None
                and intent.kinds[:1] == ("range",)
                and not any(f.predicate.startswith("allowed range") for f in result.facts)
            ):
                # a range asked and a maximum found: a passage that states the range wins
                ranged = compose.compose_limit_from_passages(
                    hits,
                    intent,
                    terms,
                    linked,
                    min_overlap=0.99,
                    question=question,
                    measured=measured,
                    components=components,
                    about=self._about,
                )
                if ranged is not None and ranged.text.lower().startswith(("between", "from")):
                    result = ranged
            if result is None and not all_linked and len(terms) >= 2:
                # nothing named ("min days a blob sits in cool"): the figures of what the lines
                # retrieved are about ("Storage Cool")
                retrieved = list(dict.fromkeys(e for h in hits[:3] for e in (*h.passage.entities, *h.passage.topics)))
                result = compose.compose_limit(
                    templates.limits(self.graph, retrieved, answer.sparql) if retrieved else [],
                    intent,
                    terms,
                    retrieved,
                    self._passage_of,
                    MIN_LIMIT_SCORE + 1.0,
                    question=question,
                    measured=measured,
                )
            if result is None and intent.unit == "count":
                # "how many slots on the standard tier": "deployment slots: Standard gets 5, Premium 20"
                result = compose.compose_tier_count(hits, question, counted)
            if result is None and intent.unit == "count":
                # "how many routing policies": the notes count them, or list them
                result = compose.compose_count_of_list(
                    hits,
                    question,
                    self.children,
                    self.passages,
                    terms,
                    [link.surface for link in links if link.in_notes],
                )
            if result is None:
                result = compose.compose_limit_from_passages(
                    hits,
                    intent,
                    terms,
                    # (a plain word's component, "tier", stands for its service: "the cool tier")
                    linked if strong else list(dict.fromkeys(self._service(e) for e in linked)),
                    min_overlap=0.5,
                    question=question,
                    measured=measured,
                    components=components,
                    about=self._about,
                )
            held = HOLDER_RE.search(question)
            if result is None and held and intent.unit and strong:
                # "what durability does the storage that holds ebs snapshots give": the figure is of
                # what the notes say holds them ("EBS snapshots are stored in S3")
                holder = (question[: held.start()].split() or [""])[-1]  # "storage" of "the storage behind X"
                verb = held.group(1) or holder  # "storage behind": stores
                runs = verb.lower().startswith(("run", "host", "server", "compute", "instance"))
                held_by = "runsOn" if runs else "storesDataIn"
                holders = [
                    r["object"].rsplit("/", 1)[-1]
                    for r in templates.relations(self.graph, strong, answer.sparql)
                    if r["subject"].rsplit("/", 1)[-1] in strong and r["predicate"].rsplit("#", 1)[-1] == held_by
                ]
                if holders:
                    # (the holder's kind, "storage", names no figure of it)
                    kind = set(tokenize(holder))
                    result = compose.compose_limit(
                        templates.limits(self.graph, list(dict.fromkeys(holders)), answer.sparql),
                        intent,
                        terms - kind,
                        holders,
                        self._passage_of,
                        MIN_LIMIT_SCORE,
                        question=question,
                    )
            if result is None:
                # "how long does the asg wait after a simple scaling policy": the notes say it
                # waits "for the cooldown", and give the cooldown's figure elsewhere
                about = [h for h in hits[:3] if set(all_linked) & {*h.passage.entities, *h.passage.topics}]
                near = {*all_linked, *(t for h in about for t in h.passage.topics)}
                near |= {self._service(e) for e in near}
                rows = templates.limits(self.graph, sorted(near), answer.sparql) if about else []
                result = compose.compose_limit_by_bridge(about, rows, intent, content, self._passage_of)
            surfaces = [link.surface for link in links]
            if result is not None and compose.other_tier(question, result.text, surfaces):
                # the graph's figure is another tier's ("Archive" for "cool tier"): a passage on the
                # tier asked may state it ("... out of the Cool tier before 30 days ...")
                read = compose.compose_limit_from_passages(
                    hits,
                    intent,
                    terms,
                    list(dict.fromkeys(self._service(e) for e in linked)),  # the tier asked is another part
                    min_overlap=0.5,
                    question=question,
                    measured=measured,
                )
                if read is not None and not compose.other_tier(question, read.text, surfaces):
                    result = read
            if result is not None and result.facts:
                # a graph figure that misses a rare word of the question ("110KB") loses to a
                # passage that has it ("To read a 110KB item, 28 capacity units are consumed")
                result.question = question
                if self._misses_rare_term(result, terms):
                    read = compose.compose_limit_from_passages(
                        hits,
                        intent,
                        terms,
                        [*linked, *(self._service(e) for e in linked)],  # a passage of its service may say it
                        min_overlap=0.5,
                        question=question,
                        measured=measured,
                        counted=counted,  # "rcus" counts read capacity units
                    )
                    if read is not None:
                        read.question = question
                        if not self._misses_rare_term(read, terms):
                            result = read
        elif name == "comparison":
            result = self._comparison(
                question,
                intent,
                links,
                linked,
                hits,
                terms,
                fact_rows,
                answer,
                linked_terms=linked_terms,
                vector=vector,
            )
        elif name == "relationship":
            result = compose.compose_relation(
                # (a plain word's entity is no end of the relation asked: "what endpoints can sns push to")
                fact_rows,
                hits,
                terms,
                strong or linked,
                question,
                self._passage_of,
                self.names,
                self.passages,
            )
            if result is not None and not result.facts and result.lead_passages:
                lead = self.passages[result.lead_passages[0]]
                parent = self.passages[lead.parent] if lead.parent is not None else None
                if (
                    parent is not None
                    and compose.announces_items(parent, self.children)
                    and terms & set(tokenize(parent.text)) - set(tokenize(lead.text))
                ):
                    # the question's words are in the bullet over it ("After each bulk data load"):
                    # the whole list under that bullet answers ("run VACUUM ..."; "run ANALYZE ...")
                    lead = parent
                if compose.announces_items(lead, self.children):
                    result = compose.compose_list(
                        [Hit(lead, 0.0, result.confidence)],
                        terms,
                        linked,
                        self.children,
                        self.passages,
                        question=question,
                    )
        elif name == "definition" and (spelled := _spelled_out(question, links, self.names, self._passages_saying)):
            result = spelled
        elif name == "definition":
            term = _definition_term(question, links)
            if fact_rows and not _names_entity(term, links):
                fact_rows = []  # "explain envelope encryption in KMS" asks about the term, not about KMS
            # the notes' names of what the term's short form links to ("sqs dlq": dead letter queue)
            aliases = [
                name
                for link in links
                if link.in_notes
                and not link.weak
                and link.surface in term.lower()
                and link.surface != link.label.lower()
                and len(link.surface.split()) >= len(term.split()) - 1  # (the term is that name, "sqs dlq")
                for name in self.names.get(link.entity_id, [])
            ]
            result = compose.compose_definition(
                fact_rows, hits, terms, linked, term, self._passage_of, self.children, self.passages, aliases
            )
            if result is not None and result.lead_passages and PURPOSE_ASKED_RE.search(question):
                self._with_purpose(result)
        elif name == "yesno":
            result = compose.compose_yesno(
                hits, terms, components or linked, question, [link.surface for link in links if link.in_notes]
            )
        elif name in {"list", "procedure"}:
            sections = {k.split("::", 1)[1]: v for k, v in self.sections.items()}
            result = compose.compose_list(
                hits,
                terms,
                linked,
                self.children,
                self.passages,
                ordered=name == "procedure",
                tables=self.tables,
                sections=sections,
                question=question,
                # (a plain word's weak link, "types" for instance types, names nothing beside a name)
                # (a misspelt name as the notes spell it: "storage gatway" is AWS Storage Gateway)
                names=[
                    link.surface if link.score >= 100 else link.label
                    for link in links
                    if link.in_notes and (not link.weak or not strong)
                ],
            )
        else:
            asks_command = COMMAND_RE.search(question) is not None
            candidates = hits
            if asks_command:  # the code blocks retrieved at all, then the rest
                code = [h for h in hits if h.passage.kind == "code" and compose.overlap(terms, h.passage.text) > 0]
                candidates = code[:3] + [h for h in hits if h not in code[:3]]
            hit = compose.pick_passage(
                candidates,
                terms,
                linked,
                prefer=lambda p: 0.8 if asks_command and p.kind == "code" else 0.0,
                question=question,
            )
            if hit is not None:
                hit = compose.lift_to_list(hit, self.children, self.passages, ordered=False)
            if hit is not None and compose.announces_items(hit.passage, self.children):
                # "Hosting plans:" announces its sub-bullets: they are the answer
                result = compose.compose_list([hit], terms, linked, self.children, self.passages, question=question)
            elif hit is not None:
                result = compose.Composition(
                    compose.excerpt(hit.passage, terms), [], [hit.passage.id], confidence=hit.similarity
                )
        return result, hits

    def _comparison(
        self,
        question: str,
        intent: Intent,
        links: list[Link],
        linked: list[str],
        hits: list[Hit],
        terms: set[str],
        limit_rows: list[dict[str, Any]],
        answer: Answer,
        *,
        linked_terms: set[str],
        vector: np.ndarray,
    ) -> compose.Composition | None:
        if intent.kinds and limit_rows:
            found = compose.compose_limit(
                limit_rows,
                intent,
                terms,
                linked,
                self._passage_of,
                MIN_LIMIT_SCORE,
                linked_terms=linked_terms,
                compare=True,
            )
            if found is not None:
                return found
        known: dict[str, str] = {}
        items = _comparison_items(question, links, self.names, self.kinds)
        # what the question asks of the items beyond their names ("which one is stateful")
        asked = terms - set(tokenize(" ".join(f"{name} {link.surface}" for name, _ in items for link in links)))
        rows = templates.comparisons(self.graph, linked, answer.sparql) if len(linked) >= 2 else []
        details: dict[str, list[dict[str, Any]]] = {}

        def detail(iri: str) -> list[dict[str, Any]]:  # run only for the comparisons looked at
            if iri not in details:
                details[iri] = templates.comparison_detail(self.graph, iri, answer.sparql)
            return details[iri]

        # A table that compares the items is the notes' own comparison: it comes before prose; a
        # passage that contrasts the items itself comes before the cells of prose comparisons.
        bare = [self._bare_name(name, entity) for name, entity in items]  # "geolocation" of "route 53 geolocation"
        contrasting = self._contrasting(items, bare, terms, question, vector)
        # services named beside the items ("multi-az vs read replicas in rds"); contrasts and prose
        # cells keep to those whose notes name the items ("lamda@edge vs cloudfront functions" is not
        # about Lambda's notes)
        beside = {e for e in linked if e not in {entity for _, entity in items} and self.kinds.get(e) == "service"}
        named_services = {e for e in beside if self._holds(e, items)}

        def named_service(passage: Passage) -> bool:
            return not named_services or self._section_service(passage) in named_services

        contrast = compose.compose_contrast(
            [h for h in contrasting + hits if named_service(h.passage)],
            [(short or name, entity) for short, (name, entity) in zip(bare, items, strict=True)],
            children=self.children,
            passages=self.passages,
        )
        shown = {hit.passage.id for hit in hits}
        hits += [hit for hit in contrasting if hit.passage.id not in shown]  # evidence, as retrieved passages are
        if not any(row["matched"] >= 2 and row["type"] == "table" for row in rows):
            named = self._table_by_names(items, question)
            if named is not None:
                row, labels = named
                found = compose.compose_comparison_table(
                    detail(row["comparison"]), labels, row["title"], row, terms=asked
                )
                if found is not None:
                    found.lead_passages = self._passages_at(row["source"], row["line_start"], row["line_end"])
                    return _with_verdict(found, contrast)
        for tables_only in (True, False):
            if not tables_only and contrast is not None and len(contrast.text) >= 150:
                break  # a long contrast says more than prose cells; each item's description may follow it
            for row in rows:
                if row["matched"] < 2 or (row["type"] == "table") != tables_only:
                    continue
                found = compose.compose_comparison_table(
                    detail(row["comparison"]), linked, row["title"], row, terms=asked
                )
                if found is not None:
                    passage = self.by_span.get((row["source"], row["line_start"], row["line_end"]))
                    found.lead_passages = [p for p in [passage] if p is not None] + self._passages_at(
                        row["source"], row["line_start"], row["line_end"]
                    )
                    return _with_verdict(found, contrast)
        for row in rows:
            # A prose contrast that describes one of the items ("Unlike Memcached, Redis ..."), in
            # the service the question names if it names one
            at = self._passages_at(row["source"], row["line_start"], row["line_end"])
            if named_services and not any(named_service(self.passages[p]) for p in at):
                continue
            for cell in detail(row["comparison"]):
                entity = (cell.get("refers") or "").rsplit("/", 1)[-1]
                for name, item_entity in items:
                    if (
                        item_entity == entity
                        and not compose.is_rating(cell.get("value") or "")  # (not "+++")
                        and name not in known
                    ):
                        known[name] = cell["value"]
        # a service named beside the items holds them, else the service whose sections speak most of
        # every item ("multi-az vs read replicas": RDS, though ElastiCache has both too)
        within = beside or self._home_service([entity for _, entity in items])

        def in_service(passage: Passage) -> bool:
            return self._section_service(passage) in within

        # Retrieval for the whole question can miss one item's own section ("multi-az vs read
        # replicas" finds Multi-AZ bullets): each item's name is looked up too.
        # (in the service that holds them, when one does)
        looked_up = {
            name: [
                hit
                for hit in self.retriever.lookup(
                    " ".join([name, *(self.labels.get(e, "") for e in within)]), vector, ITEM_LOOKUP * 4
                )
                if not within or in_service(hit.passage)
            ][:ITEM_LOOKUP]
            for name, _ in items
        }
        return compose.compose_comparison_passages(
            hits,
            items,
            terms,
            self.children,
            self.passages,
            known=known,
            in_service=in_service if within else None,
            contrast=contrast,
            question=question,
            looked_up=looked_up,
        )

    def _about(self, passage: Passage) -> set[str]:
        """What a passage is about: its entities and topics, and those its previous sibling names
        (it goes on about them: "... a temporary security token from STS" then "Requesting a
        temporary security token requires ...")."""
        found = {*passage.entities, *passage.topics}
        before = compose.sibling(passage, self.passages, -1)
        if before is not None:
            found.update(before.entities)
        return found

    def _commands(self, question: str, hits: list[Hit], terms: set[str]) -> compose.Composition | None:
        """The commands of a retrieved code block, when the question asks for the commands."""
        if not COMMAND_RE.search(question):
            return None
        asked = terms - COMMAND_WORDS
        code = next(
            (
                h
                for rank, h in enumerate(hits[:10])
                if h.passage.kind == "code"
                and (compose.overlap(asked, h.passage.text) >= 0.5 or (rank < 3 and h.similarity >= 0.5))
            ),
            None,
        )
        if code is None:
            return None
        return compose.Composition(
            compose.excerpt(code.passage, terms), [], [code.passage.id], confidence=code.similarity, exact=True
        )

    def _with_purpose(self, result: compose.Composition) -> None:
        """A definition asked for its purpose ("what's the point of a placement group") goes on with
        the bullet after it that says what it is for ("enable applications to participate in a
        low-latency, 10 Gbps network")."""
        after = compose.sibling(self.passages[result.lead_passages[0]], self.passages)
        if after is None or not PURPOSE_SAID_RE.match(after.text) or after.text[:60] in result.text:
            return
        result.text = f"{result.text} {compose.shorten(' '.join(after.text.split()), 200)}"
        result.lead_passages = [*result.lead_passages[:1], after.id, *result.lead_passages[1:]]

    def _service_for(
        self, question: str, hits: list[Hit], terms: set[str], linked: list[str]
    ) -> compose.Composition | None:
        """ "Which service should I use to ...": the service whose notes say it (not one the question
        names as what it works with: "stream clickstream data into redshift")."""
        named = {self._service(e) for e in linked}
        candidates = [h for h in hits[:8] if (s := self._section_service(h.passage)) and s not in named]
        asked = terms - SCENARIO_WORDS
        hit = compose.pick_passage(candidates, asked, [], question=question)
        if hit is None or compose.overlap(asked, f"{hit.passage.context} {hit.passage.text}") < 0.3:
            return None
        service = self._section_service(hit.passage) or ""
        quote = compose.shorten(" ".join(hit.passage.text.split()), 220)
        return compose.Composition(
            f"{self.labels.get(service, service)} — “{quote}”", [], [hit.passage.id], confidence=hit.similarity
        )

    def _section_service(self, passage: Passage) -> str | None:
        """The service of the passage's section: the first service of its topics."""
        return next((t for t in passage.topics if self.kinds.get(t) == "service"), None)

    @functools.cached_property
    def _by_service(self) -> dict[str, list[Passage]]:
        """The passages of each service's sections, made once."""
        found: dict[str, list[Passage]] = {}
        for passage in self.passages:
            service = self._section_service(passage)
            if service is not None:
                found.setdefault(service, []).append(passage)
        return found

    @functools.cached_property
    def _mentions(self) -> dict[str, Counter[str]]:
        """For each entity, how many passages of each service's sections name it, counted once."""
        found: dict[str, Counter[str]] = {}
        for service, passages in self._by_service.items():
            for passage in passages:
                for entity in set(passage.entities):
                    found.setdefault(entity, Counter())[service] += 1
        return found

    def _holds(self, service: str, items: list[tuple[str, str | None]]) -> bool:
        """Whether the service's own passages name every item."""
        own = self._by_service.get(service, [])
        return all(any(compose._names(p, name, entity, items) for p in own) for name, entity in items)

    def _home_service(self, entities: list[str | None]) -> set[str]:
        """The one service whose passages name each of these components most often (the fewest
        mentions of any one counting), if the components are not services themselves."""
        if len(entities) < 2 or any(e is None or self.kinds.get(e) == "service" for e in entities):
            return set()
        counts = {e: self._mentions.get(e, Counter()) for e in entities if e is not None}
        services = set.intersection(*(set(c) for c in counts.values()))
        shared = sorted(((min(c[s] for c in counts.values()), s) for s in services), reverse=True)
        if not shared or shared[0][0] < 2 or (len(shared) > 1 and shared[1][0] == shared[0][0]):
            return set()
        return {shared[0][1]}

    def _contrasting(
        self,
        items: list[tuple[str, str | None]],
        bare: list[str | None],
        terms: set[str],
        question: str = "",
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Passages anywhere in the notes that name every item and contrast them ("Backup protects
        ..., whereas Site Recovery keeps ..."), which retrieval may rank below the items' sections;
        on what the question asks, if it asks more than the names ("... is encryption enforced";
        "default behaviour": "default-deny"). ``bare``: each item's name without its service's
        words, found too."""
        if len(items) < 2:
            return []
        names = [compose.flat(name) for name, _ in items]
        kinds = set(tokenize(question)) & KIND_TOKENS
        asked = (terms | kinds) - set(tokenize(" ".join(name for name, _ in items)))
        found = []
        for passage, text in zip(self.passages, self._flat_texts, strict=True):
            # (by name, or by the entity the notes name otherwise: "RBAC" for role-based access control;
            # the names first, they are cheap to look for)
            if not all(
                name in text or (entity and entity in passage.entities) or (short and short in text)
                for name, short, (_, entity) in zip(names, bare, items, strict=True)
            ):
                continue
            if not compose.CONTRAST_RE.search(passage.text):
                continue
            if not asked or compose.overlap(asked, passage.text) > 0.0:
                found.append(passage)
        return [Hit(p, 0.0, self.retriever.similarity(p.id, vector) if vector is not None else 0.5) for p in found[:3]]

    def _bare_name(self, name: str, entity: str | None) -> str | None:
        """A component's name without its service's words ("route 53 geolocation": "geolocation"),
        as notes under the service write it."""
        service = self._service(entity) if entity else None
        if service is None or service == entity:
            return None
        own = set(compose.flat(" ".join([self.labels.get(service, ""), *self.names.get(service, [])])).split())
        words = compose.flat(name).split()
        while words and words[0] in own:
            words.pop(0)
        rest = " ".join(words)
        return rest if len(rest) >= 4 and rest != compose.flat(name) else None

    @functools.cached_property
    def _flat_texts(self) -> list[str]:
        """Each passage's text as ``compose.flat`` writes it, made once (comparisons scan them all)."""
        return [compose.flat(passage.text) for passage in self.passages]

    def _table_by_names(
        self, items: list[tuple[str, str | None]], question: str = ""
    ) -> tuple[dict[str, Any], list[str]] | None:
        """A table whose item names hold, each, a word of a different item asked ("sqs standard vs
        fifo": "Standard queue", "FIFO queue") when entity links did not find it."""
        parts = _comparison_parts(question)
        if len(parts) != len(items):
            parts = [""] * len(items)
        wanted = [
            set(tokenize(f"{name} {part}")) - compose.FRAME_WORDS for (name, _), part in zip(items, parts, strict=True)
        ]
        if len(wanted) < 2 or not all(wanted):
            return None
        for row in self.tables:
            if row["type"] != "table":
                continue
            labels = [label for label in row["items"].split("\x1f") if label]
            if len(labels) < 2:
                continue
            label_words = [set(tokenize(label)) for label in labels]
            common = set.intersection(*label_words)  # "queue" of "Standard queue" and "FIFO queue"
            matched: list[int] = []
            for words in wanted:
                scores = [(len(words & (own - common)), j) for j, own in enumerate(label_words) if j not in matched]
                best = max(scores, default=(0, -1))
                if best[0] == 0:
                    break
                matched.append(best[1])
            else:
                return row, [labels[j] for j in matched]
        return None

    def _passages_saying(self, pattern: str, most: int = 20) -> list[tuple[str, int]]:
        """The matches of ``pattern`` (case aside) in passages and their headings, with the passages."""
        compiled = re.compile(pattern, re.IGNORECASE)
        found: list[tuple[str, int]] = []
        for passage in self.passages:
            match = compiled.search(passage.text) or compiled.search(passage.context)
            if match:
                found.append(((match.group(1) if compiled.groups else match.group(0)), passage.id))
                if len(found) >= most:
                    break
        return found

    def _entities_holding(self, surfaces: list[str]) -> list[str]:
        """Entities whose name holds one of the names asked (of two words or more) in a longer name."""
        asked = [(s, re.compile(rf"\b{re.escape(s)}\b")) for s in surfaces if len(s.split()) >= 2]
        if not asked:
            return []
        found = []
        for entity, label in self.labels.items():
            name = normalize(label)
            if any(s != name and pattern.search(name) for s, pattern in asked):
                found.append(entity)
        return found[:8]

    def _entities_named_by(self, terms: set[str]) -> list[str]:
        """Components whose name holds at least two of ``terms`` and most of them."""
        found = []
        for entity, label in self.labels.items():
            if self.kinds.get(entity) != "component":
                continue
            shared = terms & set(tokenize(label))
            if len(shared) >= 2 and 2 * len(shared) >= len(terms):
                found.append(entity)
        return found[:8]

    def _weak(
        self,
        composition: compose.Composition,
        hits: list[Hit],
        intent: Intent,
        terms: set[str],
        linked: Sequence[str] = (),
    ) -> bool:
        """Too weak to answer: nothing from the graph, and the passage used is not close enough to
        the question, or shares none of its content words (a yes/no passage that names every one
        of two or more things asked about is close enough: "can a running vm join an availability
        set" — "a VM can only be added to an availability set at creation time")."""
        if composition.facts:
            return False
        best = max((h.similarity for h in hits[:5]), default=0.0)
        if best < self.abstain_threshold:
            return True
        if (
            terms
            and composition.lead_passages
            and not (intent.name == "procedure" and len(composition.lead_passages) > 1)
        ):
            lead = self.passages[composition.lead_passages[0]]
            similarity = next((h.similarity for h in hits if h.passage.id == lead.id), 0.0)
            names_all = (
                intent.name == "yesno" and len(set(linked)) >= 2 and set(linked) <= {*lead.entities, *lead.topics}
            )
            if (
                compose.overlap(terms, f"{lead.context} {lead.text}") == 0.0
                and similarity < CLOSE_SIMILARITY
                and not names_all
            ):
                return True
        return False

    def _rare_terms(self, composition: compose.Composition, terms: set[str]) -> set[str]:
        """The question's words that name something rare in the notes ("BatchGetItem")."""
        names = set(tokenize(" ".join(IDENTIFIER_RE.findall(composition_question(composition)))))
        return {t for t in terms & names if 0 < self.document_frequency.get(t, 0) <= RARE_DF}

    def _saying_rare(
        self, composition: compose.Composition, hits: list[Hit], terms: set[str], linked: list[str], question: str
    ) -> compose.Composition:
        """The retrieved passage that says the question's rare words, as the answer in place of
        ``composition`` (which is kept when none says them)."""
        rare = self._rare_terms(composition, terms)
        saying = [h for h in hits[:10] if rare <= set(tokenize(f"{h.passage.context} {h.passage.text}"))]
        hit = compose.pick_passage(saying, terms, linked, question=question)
        if hit is None:
            return composition
        excerpt = compose.excerpt(hit.passage, terms)
        found = compose.Composition(excerpt, [], [hit.passage.id], confidence=hit.similarity)
        found.question = question
        return found

    def _misses_rare_term(self, composition: compose.Composition, terms: set[str]) -> bool:
        """The question names something rare in the notes ("BatchGetItem") that the passages the
        answer stands on never mention: the answer is about something else."""
        rare = self._rare_terms(composition, terms)
        if not rare or not composition.lead_passages:
            return False
        seen: set[str] = set()
        for passage_id in composition.lead_passages[:4]:
            passage = self.passages[passage_id]
            seen |= set(tokenize(f"{passage.context} {passage.text}"))
        # a word said by its opposite is not missed ("synchronous?" — "asynchronous")
        seen |= {compose.OPPOSITE_TOKENS[t] for t in seen if t in compose.OPPOSITE_TOKENS}
        return not rare <= seen

    def _unknown_term(self, term: str, linked: list[str]) -> bool:
        """A term to define with a word the notes never use, not even misspelt ("bastion host"):
        whatever passage comes closest defines something else. Words of linked names (a misspelt
        name the linker matched: "beanstock") are known."""
        if self._vocabulary is None:
            self._vocabulary = [w for w in self.document_frequency if w.isalpha() and len(w) >= 3]
        known = set(tokenize(" ".join(linked)))
        for word in tokenize(term.replace("-", " ")):  # ("dead-letter queues": dead letter queues)
            if word in known:
                continue
            if len(word) < 4 or not word.isalpha() or self.document_frequency.get(word):
                continue
            if not process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=UNKNOWN_MIN_RATIO):
                return True
        return False

    def _abstain_message(self, intent: Intent, present: list[Link]) -> str:
        if not present:
            return "The notes do not answer this question."
        about = ", ".join(dict.fromkeys(link.label for link in present))
        if intent.name == "limit":
            return f"The notes state no such figure for {about}."
        return f"The notes do not answer this question about {about}."

    # -- citations -------------------------------------------------------------------------------

    def _passage_of(self, row: dict[str, Any]) -> int | None:
        key = (row["source"], int(row["line_start"]), int(row["line_end"]))
        found = self.by_span.get(key)
        if found is not None:
            return found
        ids = self.by_line.get((row["source"], int(row["line_start"])), [])
        return ids[0] if ids else None

    def _passages_at(self, source: str, start: int, end: int) -> list[int]:
        return [p for line in range(start, end + 1) for p in self.by_line.get((source, line), [])][:4]

    def _citations(self, hits: list[Hit], leads: Iterable[int]) -> list[Citation]:
        scores = {hit.passage.id: hit.score for hit in hits}
        top = max(scores.values(), default=1.0)
        ordered: list[tuple[int, float]] = []
        for rank, passage_id in enumerate(dict.fromkeys(leads)):
            ordered.append((passage_id, top + 1.0 - 0.01 * rank))
        listing = {p for p, _ in ordered if compose.announces_items(self.passages[p], self.children)}
        ordered += [(hit.passage.id, hit.score) for hit in hits]
        citations: list[Citation] = []
        seen: set[tuple[str, int, int]] = set()
        for passage_id, score in ordered:
            passage = self.passages[passage_id]
            end = passage.line_end
            if passage_id in listing:  # a bullet that announces a list is cited with its items
                end = max(end, *(self.passages[k].line_end for k in self.children[passage_id]))
            start, end = passage.line_start, min(end, passage.line_start + MAX_SPAN - 1)
            key = (passage.source, start, end)
            if any(source == key[0] and a <= start and end <= b for source, a, b in seen):
                continue  # already cited within a wider span
            seen.add(key)
            citations.append(
                Citation(
                    passage.source,
                    start,
                    end,
                    passage.section,
                    self._text(passage, start, end),
                    round(score, 4),
                )
            )
            if len(citations) >= self.top_k:
                break
        return citations

    def _text(self, passage: Passage, start: int, end: int) -> str:
        try:
            lines = self.store.source_lines(passage.source)
        except (KGError, OSError, ValueError):
            lines = []
        if lines and end <= len(lines):
            return "\n".join(line.strip().lstrip("•").strip() for line in lines[start - 1 : end])
        return passage.text


SHORT_WORDS_RE = re.compile(r"\b(?:" + "|".join(SHORT_WORDS) + r")\b", re.IGNORECASE)


def expand_short_words(question: str, vocabulary: set[str] | frozenset[str] = frozenset()) -> str:
    """Spell out the short forms of words that the notes never use short ("temp" → "temporary").

    >>> expand_short_words("sts temp token lifetime", {"temporary"})
    'sts temporary token lifetime'
    """

    def full(found: re.Match[str]) -> str:
        word = found.group(0)
        return word if word.lower() in vocabulary else SHORT_WORDS[word.lower()]

    return SHORT_WORDS_RE.sub(full, question)


PRONOUN_RE = re.compile(r"\b(?:they|them|it|its|their|those|these)\b", re.I)
OBJECT_RE = re.compile(
    r"\b(?:the|an?)\s+((?:(?!(?:when|that|which|to|in|on|for|of|and|or|how|with|if|after|before|is|are|do|does|"
    r"can)\b)[\w-]+\s*){1,5})",
    re.I,
)


def _resolve_pronoun(part: str, first: str) -> str:
    """The second part of a two-part question with "it"/"they" for the first part's object:
    "how long do they last" after "who issues the temp credentials" asks how long temp credentials last.

    >>> _resolve_pronoun("how long do they last by default", "who issues the temp credentials when you assume a role")
    'how long do temp credentials last by default'
    >>> _resolve_pronoun("how close to now", "with the max retention how far back can i restore")
    'how close to now can i restore'
    """
    if len(part.split()) <= 4 and not PRONOUN_RE.search(part):
        # an elliptical part ("how close to now") asks the first part's verb again ("can i restore")
        verb = re.search(r"\b(?:can|could|do|does|will|should|would)\s+(?:i|you|we|one)\s+\w+.*$", first, re.I)
        return f"{part} {verb.group(0)}" if verb else part
    found = OBJECT_RE.search(first)
    if not found or not PRONOUN_RE.search(part):
        return part
    phrase = found.group(1).strip()
    return PRONOUN_RE.sub(lambda m: f"{phrase}'s" if m.group(0).lower() in {"its", "their"} else phrase, part, count=1)


def _figure_of(lead: str) -> str:
    """The figure an answer leads with, as the notes write it: "5 minutes" of "5 minutes: the ...",
    "one to two minutes" of "1 to 2 minutes (one to two minutes)"."""
    head = lead.split(":")[0]
    written = re.search(r"\(([^)]+)\)", head)
    return written.group(1) if written else head.strip()


def _spelled_out(
    question: str,
    links: list[Link],
    names: dict[str, list[str]],
    saying: Callable[..., list[tuple[str, int]]],
) -> compose.Composition | None:
    """ "what does AMI stand for": the name the acronym is the initials of, as the notes write it
    ("Amazon Machine Image (AMI)" in a heading or a line; cited), else an entity name the notes use."""
    asked = re.search(r"\bwhat\s+(?:does|do|is)\s+(?:an?\s+|the\s+)?([\w-]+)\s+stands?\s+for\b", question, re.I)
    if not asked:
        return None
    acronym = asked.group(1)
    if len(acronym) < 2:
        return None
    written = rf"([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){{1,7}})\s*\(\s*{re.escape(acronym)}\s*\)"
    candidates: list[tuple[str, int | None]] = list(saying(written))
    candidates += [(name, None) for link in links for name in names.get(link.entity_id, [link.label])]
    for name, where in candidates:
        spelled = _initials_of(re.sub(r"\([^)]*\)", " ", name), acronym)
        if spelled is None:
            continue
        if where is None:  # an entity name: only as a passage of the notes writes it
            where = next((found for _, found in saying(re.escape(spelled), most=1)), None)
        if where is not None:
            text = f"{acronym.upper()} stands for {spelled}."
            return compose.Composition(text, [], [where], confidence=3.0, exact=True)
    return None  # (a name only the service catalog knows is not what the notes say)


def _initials_of(name: str, acronym: str) -> str | None:
    """The end of ``name`` whose initials spell ``acronym`` ("and", "of" aside), or None.

    >>> _initials_of("AWS Identity and Access Manager", "IAM")
    'Identity and Access Manager'
    """
    words = [m for m in re.finditer(r"[A-Za-z]+", name) if m.group(0).lower() not in {"and", "of", "for", "the"}]
    tail = words[-len(acronym) :]
    if len(tail) != len(acronym) or "".join(m.group(0)[0] for m in tail).lower() != acronym.lower():
        return None
    return name[tail[0].start() : tail[-1].end()]


def _definition_term(question: str, links: list[Link]) -> str:
    """The term a definition question asks about.

    >>> [_definition_term(q, []) for q in ["nat gw in a vpc - explain", "how does envelope encryption work"]]
    ['nat gw', 'envelope encryption']
    >>> _definition_term("what kind of service is redshift", [])
    'redshift'
    """
    # "what is the purpose of a bastion host" asks about the bastion host
    purpose = re.compile(r"\b(?:the\s+)?(?:purpose|role|point|job|function)\s+of\s+", re.I)
    framed = bool(purpose.match(question.strip()))  # "purpose of cloudtrail?" asks what it is
    question = purpose.sub("", question)
    asked = DEFINITION_FRAME_RE.sub("", FILLER_RE.sub("", question)).strip()
    working = re.match(r"^\s*how\s+(?:does|do)\s+(.+?)\s+work\s*\??\s*$", asked, re.I)
    if working or framed or asked != question.strip():  # "nat gw in a vpc - explain" asks what a NAT gateway is
        question = f"what is {working.group(1) if working else asked}"
    match = re.search(
        r"(?:what(?:'s|’s|s|\s+is|\s+are|\s+does)|define|meaning\s+of|explain|describe)\s+(?:an?\s+|the\s+)?"
        r"(.+?)(?:\s+(?:mean|do|guarantees?(?:\s+.*)?|stands?\s+for|(?:used|good|meant)\s+for|for|"
        r"(?:in|of|for)\s+(?:an?\s+|the\s+)?[\w-]+(?:\s+[\w-]+)?))?\s*\??$",
        question,
        re.IGNORECASE,
    )
    if match:
        term = match.group(1).strip()
        # "decider in amazon simple workflow": the term, not the service it is asked in
        setting = re.search(r"\s+(?:in|on|within|for)\s+(?:an?\s+|the\s+)?(.+)$", term, re.I)
        if setting and any(link.surface in setting.group(1).lower() for link in links if link.in_notes):
            return term[: setting.start()].strip()
        return term
    trailing = re.match(
        r"^\s*(.+?)\s+(?:meaning|definition|means?)(?:\s+(?:in|of|for)\s+.+)?\s*\??\s*$", question, re.IGNORECASE
    )
    if trailing:  # "aurora backtrack meaning": the term is "backtrack", not only the name found before it
        term = trailing.group(1).strip()
        for link in links:
            if term.lower().startswith(link.surface) and term[len(link.surface) :].strip():
                return term[len(link.surface) :].strip()
        return term
    return links[-1].surface if links else question


# the words around a definition's term that ask for it: "what kind of service is", "can someone
# explain", and the question's tail that also classifies it (intent.DEFINITION_TAIL: "- explain")
DEFINITION_FRAME_RE = re.compile(
    r"^\s*what\s+(?:kind|sort|type)\s+of\s+(?:a\s+)?\w+\s+(?:is|are)\s+|"
    r"^\s*what\s+does\s+(?:the\s+)?(?=.{1,60}\s+guarantee\b)|"
    r"^\s*(?:can|could)\s+(?:someone|somebody|anyone|you)\s+(?:explain|describe|define)\s+(?:what\s+(?:is|are)\s+)?|"
    + DEFINITION_TAIL,
    re.IGNORECASE,
)


def present_links(links: list[Link]) -> list[Link]:
    return [link for link in links if link.in_notes]


def composition_question(composition: compose.Composition) -> str:
    return composition.question


def _names_entity(term: str, links: list[Link]) -> bool:
    """True when a definition's term is just the linked entity's name ("what is an AMI")."""
    from kg.index.tokens import tokenize as words

    term_words = set(words(term)) - {"aws", "amazon", "azure", "google", "cloud", "service"}
    linked_words = set(words(" ".join(link.surface for link in links)))
    return bool(term_words) and term_words <= linked_words


def _followed_by_term(question: str, surface: str, terms: set[str]) -> bool:
    """Whether the name is followed by one of the question's terms ("sqs message retention")."""
    at = question.lower().find(surface.lower())
    if at < 0:
        return False
    following = tokenize(question[at + len(surface) :])
    return bool(following) and following[0] in terms


def _with_verdict(table: compose.Composition, contrast: compose.Composition | None) -> compose.Composition:
    """The notes' own one-line verdict ("LRS is the cheapest, whereas GZRS ...") before a table's cells."""
    if contrast is not None and compose.KEY_CONTRAST_RE.search(contrast.text):
        table.text = f"{compose.shorten(contrast.text, 180)} — {table.text}"
        table.lead_passages = contrast.lead_passages + table.lead_passages
    return table


def _comparison_parts(question: str) -> list[str]:
    """The phrases a comparison question sets against each other, as typed."""
    # (after the words that only ask: "how do standard and fifo queues differ")
    question = re.sub(r"^\s*(?:how\s+(?:do|does|is|are)|compare)\s+", "", question, flags=re.I)
    parts = re.split(
        r"\s+(?:vs\.?|versus|or|and|compared?\s+(?:to|with)|differ(?:s|ent)?\s+(?:from|than|to))\s+",
        question,
        flags=re.IGNORECASE,
    )
    parts = [re.sub(r"^(?:what(?:'s|’s| is)?\s+the\s+)?difference\s+between\s+", "", p, flags=re.I) for p in parts]
    # an item ends where the question goes on ("redis can they persist data", "disk is encryption
    # enforced", "fifo queues differ on delivery"), not inside a hyphenated name ("do-not-delete")
    ends = (
        r",|(?<![\w-])(?:in|which|what|for|can|could|is|are|does|do|did|should|will|when|how|who|where|why|"
        r"differ|differs|compare|compared)(?![\w-])"
    )
    parts = [re.split(ends, p, maxsplit=1, flags=re.I)[0].strip(" ?") for p in parts]
    parts = [re.sub(r"^(?:an?|the)\s+", "", p, flags=re.I) for p in parts]  # "a read-only lock": read-only lock
    # "persistent emr clusters compare to transient ones": transient clusters
    head = next((p.split()[-1] for p in parts if p.split() and p.split()[-1].lower() not in {"one", "ones"}), "")
    return [re.sub(r"\bones?$", head, p, flags=re.I) if head else p for p in parts]


def _comparison_items(
    question: str, links: list[Link], names: dict[str, list[str]] | None = None, kinds: dict[str, str] | None = None
) -> list[tuple[str, str | None]]:
    """The items a comparison asks about, each named as the notes name it, with its entity if linked
    (``names``: each entity's names; ``kinds``: each entity's kind)."""
    kinds = kinds or {}
    parts = _comparison_parts(question)
    items: list[tuple[str, str | None]] = []
    for part in parts[:3]:
        if not part:
            continue
        # the most specific name in the part ("rds general purpose ssd": General Purpose SSD), not
        # a plain word's weak link ("provisioned iops storage" is not Reduced Redundancy Storage)
        named = [link for link in links if link.surface in normalize(part) and not link.weak]
        # (a component before the service it belongs to: "dynamodb lsi" and "lsi ddb" compare the LSI)
        link = max(named, key=lambda link: (kinds.get(link.entity_id) != "service", len(link.surface)), default=None)
        qualifiers = " ".join(other.surface for other in named if other is not link)
        if link is not None and qualifiers and normalize(part) == f"{qualifiers} {link.surface}":
            part = link.surface  # the service named before its component
        # Name an item as the notes do (the name closest to what was typed: "kinisis streams" is
        # "Kinesis Streams", not "Amazon Kinesis Data Streams"), not as typed ("memcahced", "gsi").
        if link is not None and link.score < 100 and names and names.get(link.entity_id):
            closest = max(names[link.entity_id], key=lambda name: fuzz.ratio(link.surface, name.lower()))
            items.append((closest, link.entity_id))
        elif link is not None and (link.score < 100 or len(link.surface) <= 4):
            items.append((link.label, link.entity_id))
        elif (
            link is not None
            and part is parts[0]
            and normalize(part).startswith(link.surface + " ")
            and len(normalize(part).split()) == len(link.surface.split()) + 1
            and not any(normalize(part).split()[-1] in normalize(other) for other in parts[1:])
        ):
            # "cloudwatch basic vs detailed monitoring": the service named before the item
            items.append((normalize(part).split()[-1], None))
        elif link is not None and len(parts) > 1 and part is parts[-1] and normalize(part).startswith(link.surface):
            # "import/export disk encryption": the words after the name are what is compared
            items.append((link.surface, link.entity_id))
        else:
            items.append((part, link.entity_id if link else None))
    if len(items) < 2 and len(links) >= 2:
        items = [(link.label, link.entity_id) for link in links[:3]]
    return items
