"""Precision and recall of extracted facts against the hand-made gold in ``benchmarks/gold``.

Matching rules (written before tuning, kept lenient only where the gold itself is a judgment call):
- services: a predicted service matches a gold one when they resolve to the same catalog entry or
  share a written form; gold entries marked optional count neither for recall nor against precision;
- limits (inside the gold scope): same line (inside the predicted span) and same value (normalised
  first, then as written); the subject is correct when it is the entity the gold subject names, or
  when it belongs to the gold service and shares a word that identifies the gold subject beyond the
  service's own name ("Blob Storage Cool" for "Cool tier");
- relations (inside the scope): same line, same predicate, and both ends resolve to the gold ends
  or to their services;
- comparisons: every gold table must overlap a predicted table comparison that has cells; prose
  comparisons count when a predicted one cites a gold prose comparison's lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.quantities import UNITS
from ontology.catalog import default_catalog, normalize

GOLD_DIR = Path(__file__).resolve().parent / "gold"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def _resolve(name: str) -> str | None:
    entry = default_catalog().lookup(name)
    if entry is None:
        paren = re.match(r"^(.*?)\s*\(([^)]*)\)", name)
        if paren:
            entry = default_catalog().lookup(paren.group(1)) or default_catalog().lookup(paren.group(2))
    return entry.id if entry else None


def _service_of(entity_id: str | None) -> str | None:
    if entity_id is None:
        return None
    catalog = default_catalog()
    entry = catalog.by_id.get(entity_id)
    return catalog.service_of(entry).id if entry else entity_id.split("--")[0]


def _in_scope(line: int, scope: list[list[int]]) -> bool:
    return any(a <= line <= b for a, b in scope)


def _head(text: str) -> str:
    """The head noun of a subject phrase: its last word before any preposition."""
    text = re.split(r"\s(?:from|of|per|for|in|on|with|above|below|at|to|and)\s", text.lower())[0]
    words = [w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 1]
    if not words:
        return ""
    word = words[-1]
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _local(iri: str) -> str:
    from urllib.parse import unquote

    return unquote(iri.rsplit("/", 1)[-1])


GENERIC_SUBJECT_WORDS = frozenset(
    """tier tiers type types attribute attributes value values size limit limits the of a an in on for per and
    with amazon aws azure google cloud service services""".split()
)


def _words(text: str) -> set[str]:
    words = set()
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        words.add(word[:-1] if word.endswith("s") and len(word) > 3 else word)
    return words


def subject_matches(limit: dict[str, Any], fact: dict[str, Any]) -> bool:
    """Whether a predicted limit's subject is the gold one: the same entity; or, within the gold
    service, a subject sharing a word that identifies the gold subject beyond the service's own
    name ("Blob Storage Cool" for "Cool tier"); a gold subject that is the service itself accepts
    anything of that service."""
    predicted_id = _local(fact["subject"])
    gold_id = _resolve(limit["subject"])
    if gold_id == predicted_id:
        return True
    service = _resolve(limit["service"])
    if service is not None and _service_of(predicted_id) != service:
        return False
    entry = default_catalog().by_id.get(service) if service else None
    service_words = _words(" ".join(entry.names())) if entry else _words(limit["service"])
    identifying = _words(limit["subject"]) - service_words - _words(" ".join(GENERIC_SUBJECT_WORDS))
    if not identifying:
        return True
    return bool(identifying & _words(f"{fact['subject_label']} {fact['attribute']} {predicted_id}"))


def score_services(gold: dict[str, Any], facts: dict[str, Any]) -> Score:
    score = Score()
    predicted = [s for s in facts["services"] if s.get("kind", "service") == "service"]
    gold_keys = []
    for entry in gold["services"]:
        forms = {normalize(entry["name"]), *(normalize(a) for a in entry["aliases"])}
        ids = {i for i in (_resolve(entry["name"]), *(_resolve(a) for a in entry["aliases"])) if i}
        gold_keys.append((entry, forms, ids))
    matched_gold: set[int] = set()
    unmatched = []
    for service in predicted:
        forms = {normalize(service["label"]), *(normalize(a) for a in service["aliases"])}
        entity_id = _local(service["iri"])
        hit = None
        for n, (_, g_forms, g_ids) in enumerate(gold_keys):
            if entity_id in g_ids or forms & g_forms:
                hit = n
                break
        if hit is None:
            score.fp += 1
            unmatched.append(service["label"])
        else:
            matched_gold.add(hit)
            if not gold_keys[hit][0]["optional"]:
                score.tp += 1
    required = [n for n, (e, _, _) in enumerate(gold_keys) if not e["optional"]]
    score.fn = sum(1 for n in required if n not in matched_gold)
    score.tp = sum(1 for n in required if n in matched_gold)
    score.extra["false_positives"] = unmatched
    score.extra["missed"] = [gold_keys[n][0]["name"] for n in required if n not in matched_gold]
    return score


def _gold_normalized(limit: dict[str, Any]) -> Decimal | None:
    unit = UNITS.get(str(limit.get("unit", "")).lower())
    try:
        value = Decimal(str(limit["value"]))
    except Exception:
        return None
    return value * unit[2] if unit else value


def score_limits(gold: dict[str, Any], facts: dict[str, Any]) -> Score:
    scope = gold["scope"]
    source = gold["source"]
    predicted = [f for f in facts["limits"] if f["source"].endswith(source) and _in_scope(f["line_start"], scope)]
    used: set[int] = set()
    score = Score()
    subject_ok = 0
    missed = []
    # Match on the normalised value first (so "1 capacity unit" and "1KB" on one line pair up
    # with the right facts), then on the value as written.
    pairs: dict[int, int] = {}
    for strict in (True, False):
        for g, limit in enumerate(gold["limits"]):
            if g in pairs:
                continue
            target = _gold_normalized(limit)
            for n, fact in enumerate(predicted):
                if n in used or not fact["line_start"] <= limit["line"] <= fact["line_end"]:
                    continue
                normalized = Decimal(str(fact["normalized_value"]))
                raw = {Decimal(str(fact["value"])), normalized}
                if (strict and target is not None and target == normalized) or (
                    not strict and (Decimal(str(limit["value"])) in raw or target in raw)
                ):
                    pairs[g] = n
                    used.add(n)
                    break
    for g, limit in enumerate(gold["limits"]):
        hit = pairs.get(g)
        if hit is None:
            if not limit.get("optional"):
                score.fn += 1
                missed.append(f"{limit['line']}: {limit['text']}")
            continue
        if limit.get("optional"):
            continue
        score.tp += 1
        if subject_matches(limit, predicted[hit]):
            subject_ok += 1
    score.fp = len(predicted) - len(used)
    score.extra["subject_accuracy"] = subject_ok / score.tp if score.tp else 0.0
    score.extra["missed"] = missed
    score.extra["false_positives"] = [
        f"{f['line_start']}: {f['value_text']} ({f['subject_label']}, {f['attribute']})"
        for n, f in enumerate(predicted)
        if n not in used
    ]
    return score


def score_relations(gold: dict[str, Any], facts: dict[str, Any]) -> Score:
    scope = gold["scope"]
    predicted = [
        f for f in facts["relations"] if f["source"].endswith(gold["source"]) and _in_scope(f["line_start"], scope)
    ]
    used: set[int] = set()
    score = Score()
    missed = []
    for relation in gold["relations"]:
        subject_ids = {i for i in (_resolve(relation["subject"]), _resolve(relation["subject_service"])) if i}
        object_ids = {i for i in (_resolve(relation["object"]), _resolve(relation["object_service"])) if i}
        hit = None
        for n, fact in enumerate(predicted):
            if n in used or not fact["line_start"] <= relation["line"] <= fact["line_end"]:
                continue
            if fact["predicate"].rsplit("#", 1)[-1] != relation["predicate"]:
                continue
            s_id, o_id = _local(fact["subject"]), _local(fact["object"])
            if ({s_id, _service_of(s_id)} & subject_ids) and ({o_id, _service_of(o_id)} & object_ids):
                hit = n
                break
        if hit is None:
            if not relation.get("optional"):
                score.fn += 1
                missed.append(f"{relation['line']}: {relation['subject']} {relation['predicate']} {relation['object']}")
            continue
        used.add(hit)
        if not relation.get("optional"):
            score.tp += 1
    score.fp = len(predicted) - len(used)
    score.extra["missed"] = missed
    score.extra["false_positives"] = [
        f"{f['line_start']}: {f['subject_label']} {f['predicate'].rsplit('#', 1)[-1]} {f['object_label']}"
        for n, f in enumerate(predicted)
        if n not in used
    ]
    return score


def score_comparisons(gold: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    predicted = [c for c in facts["comparisons"] if c["source"].endswith(gold["source"])]
    tables = [c for c in gold["comparisons"] if c["type"] == "table"]
    table_hits = 0
    missing_tables = []
    for table in tables:
        overlapping = [
            c
            for c in predicted
            if c["type"] == "table" and c["line_start"] <= table["line_end"] and table["line_start"] <= c["line_end"]
        ]
        if any(c["cells"] for c in overlapping):
            table_hits += 1
        else:
            missing_tables.append(table["line_start"])
    prose_gold = [c for c in gold["comparisons"] if c["type"] == "prose"]
    prose_predicted = [c for c in predicted if c["type"] == "prose"]
    correct = [
        c
        for c in prose_predicted
        if any(g["line_start"] <= c["line_end"] and c["line_start"] <= g["line_end"] for g in prose_gold)
    ]
    required = [g for g in prose_gold if not g.get("optional")]
    recalled = [
        g
        for g in required
        if any(g["line_start"] <= c["line_end"] and c["line_start"] <= g["line_end"] for c in prose_predicted)
    ]
    return {
        "tables": len(tables),
        "tables_with_cells": table_hits,
        "tables_missing": missing_tables,
        "prose_found": len(correct),
        "prose_predicted": len(prose_predicted),
        "prose_gold": len(prose_gold),
        # the share of the required gold prose comparisons some predicted one cites (target >= 0.50)
        "prose_recall": round(len(recalled) / len(required), 3) if required else 0.0,
    }


def evaluate(gold_file: Path, facts: dict[str, Any]) -> dict[str, Any]:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    return {
        "source": gold["source"],
        "services": score_services(gold, facts),
        "limits": score_limits(gold, facts),
        "relations": score_relations(gold, facts),
        "comparisons": score_comparisons(gold, facts),
    }


def evaluate_files(gold_file: Path, facts: dict[str, Any], folder: str = "notes/") -> dict[str, Any]:
    """Limits, relations and comparisons of a corpus split into files (``{"corpus", "files": [...]}``),
    summed over its annotated files; ``folder`` is the part of each gold ``source`` above the folder
    that was ingested (the corpus's ``notes/``). Services are left out: they are listed per file."""
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    limits, relations = Score(), Score()
    subject_ok = 0.0
    comparisons: dict[str, Any] = {
        "tables": 0,
        "tables_with_cells": 0,
        "prose_found": 0,
        "prose_predicted": 0,
        "prose_gold": 0,
    }
    required_prose = recalled_prose = 0
    for entry in gold["files"]:
        source = entry["source"].removeprefix(folder)
        own = {
            kind: [f for f in facts[kind] if f["source"] == source] for kind in ("limits", "relations", "comparisons")
        }
        part = {**entry, "source": source}
        scored = score_limits(part, own)
        limits.tp, limits.fp, limits.fn = limits.tp + scored.tp, limits.fp + scored.fp, limits.fn + scored.fn
        subject_ok += scored.extra["subject_accuracy"] * scored.tp
        scored = score_relations(part, own)
        relations.tp, relations.fp, relations.fn = (
            relations.tp + scored.tp,
            relations.fp + scored.fp,
            relations.fn + scored.fn,
        )
        found = score_comparisons(part, own)
        for key in comparisons:
            comparisons[key] += found[key]
        required = sum(1 for c in entry["comparisons"] if c["type"] == "prose" and not c.get("optional"))
        required_prose += required
        recalled_prose += round(found["prose_recall"] * required)
    limits.extra["subject_accuracy"] = subject_ok / limits.tp if limits.tp else 0.0
    comparisons["prose_recall"] = round(recalled_prose / required_prose, 3) if required_prose else 0.0
    comparisons["tables_missing"] = []
    return {"source": gold["corpus"], "limits": limits, "relations": relations, "comparisons": comparisons}
