"""Question answering on notes written another way: ``Key: value`` runs, pipe tables with bare
counts, tiers, lists announced by a heading bullet, CLI blocks; and the rules that make the engine
abstain instead of answering with a nearby figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.passages import Passage
from kg.qa import compose
from kg.qa.engine import Engine
from kg.qa.intent import classify
from kg.qa.retrieve import Hit

NOTES = """\
# Widget cloud notes

## Amazon Widget Queue

**Amazon Widget Queue** is a managed queue for widgets.

Message size: up to 256 KB
Retention: 1 minute to 14 days, default 4 days
Visibility timeout: 0 seconds to 12 hours, default 30 seconds

| | Standard queue | FIFO queue |
|---|---|---|
| Throughput | nearly unlimited | 300 messages per second |
| Delivery | at-least-once | exactly-once processing |
| Count | any | up to 15 per account |

- Delivery protocols:
  - HTTP endpoints
  - Email
  - Mobile push
- The Standard tier keeps events for 1 to 7 days.
- Amazon Widget Queue stores dead letters in Amazon Widget Store.

## Amazon Widget Store

- Amazon Widget Store keeps widget data in buckets.
  - Bucket retention is between 7 and 90 days (default 30).
- Each subnet has 16 addresses at least.
- Widget Store sessions use a cookie for sessions, so a session cookie keeps sessions on one bucket.
- Amazon Widget Store creates a cookie named WSTOKEN that maps a session to its bucket.
- Widget Store access logging is off by default.
- Partial Reads
  - is used to read only a part of a widget object.
- The store reserves 5 IPs of every subnet, so 16-5 = 11 IP addresses are left in the smallest subnet.

## Widget Cache

- Data in the widget cache is lost when:
  - the cache node reboots
  - the cache node fails

```bash
# make a FIFO queue
aws widgetqueue create-queue --name orders.fifo --attributes FifoQueue=true
```

## Widget Vault

Widget Vault keeps secrets for widgets.

- Widget Vault provides several mechanisms to protect secrets:
  - Sealed envelopes: secrets wrapped in a key
  - Shadow copies: a second copy in another zone
  - Rotation hooks: scripts that replace keys
- Widget Vault supports dead drop boxes.
- Widget Lock Service (WLS) locks a vault for a set time.
- A dead drop box is a box that holds secrets nobody has claimed.
- Vault Session Tokens
  - The range of a vault session token lifetime is 15 minutes to 12 hours.

To open a widget vault:
1. Create a vault key in the console of the region where the vault lives
2. Attach the key to the vault and wait until the console shows it attached
3. Unlock the vault with the key and confirm the unlock in the audit log

- To rotate a vault key, create a rotation plan for the vault key.
- The rotation plan lists the keys to replace; execute the rotation plan to rotate them.

### Vault tiers
- **Bronze** - one copy in one zone, the cheapest tier for widgets nobody will miss
- **Silver** - two copies in two zones for widgets that matter a little more
- **Gold** - three copies in three regions, for widgets that must never be lost
- **Platinum** - four copies everywhere with instant failover for the most critical widgets

## Widget Transfer

- Widget Truck
  - moves widgets by road between sites.
  - Encryption is enforced for every load.
  - can carry widgets to any region.
- Widget Disk Import/Export
  - moves widgets on disks you own.
  - Encryption is optional and not enforced.
  - can carry widgets to one region only.

### Use Cases

- Fast moves between sites: Widget Truck
- Cheap bulk moves on owned disks: Widget Disk Import/Export

## Widget Tunnels

- A single widget tunnel can span all zones of its region but cannot span regions.
- Tunnel priority must be between 100 and 4096
- Max 1,000 tunnels per widget vault

## Types of Widget Gateways

### Round Gateways

- Round gateways roll traffic between zones.

### Square Gateways

- Square gateways stack traffic in one zone.

## Widget Ledger

- Widget Ledger records every change made to a widget.
- Integration with Widget Audit
  - A ledger change made by an API call keeps the audit event ID of that call.
  - The audit logs then tell who made the call.
- Widget Ledger reads from Amazon Widget Store.
- After each bulk widget load
  - run COMPACT to reclaim space.
  - run REINDEX to refresh the statistics.
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, fake_encoder) -> Engine:  # type: ignore[no-untyped-def]
    from kg.builder import build_store

    folder = tmp_path_factory.mktemp("widget-notes")
    (folder / "widgets.md").write_text(NOTES, encoding="utf-8")
    store = tmp_path_factory.mktemp("widget-store") / "store"
    build_store([folder], store, encoder=fake_encoder)
    return Engine.open(store, encoder=fake_encoder)


def _line(text: str) -> int:
    return next(n for n, line in enumerate(NOTES.split("\n"), 1) if text in line)


@pytest.mark.parametrize(
    ("question", "expected", "line"),
    [
        # a "Key: value" line of a run is a fact of its own, cited by its line
        ("widget queue retention default", "4 days", "Retention:"),
        ("widget queue visibility timeout max", "12 hours", "Visibility timeout:"),
        # a bare count in a table cell counts its item
        ("how many fifo queues", "up to 15", "| Count |"),
        # throughput in messages per second is a rate
        ("fifo queue throughput", "300 messages per second", "| Throughput |"),
        # the sub-bullet is about the entity its parent bullet opens with
        ("widget store bucket retention", "7 and 90 days", "Bucket retention"),
    ],
)
def test_limits_from_notes_written_another_way(engine: Engine, question: str, expected: str, line: str) -> None:
    answer = engine.ask(question)
    assert not answer.abstained and expected in answer.answer[:300]
    assert any(c.line_start <= _line(line) <= c.line_end for c in answer.citations[:3])


def test_comparison_finds_a_table_by_its_item_names(engine: Engine) -> None:
    answer = engine.ask("widget queue standard vs fifo")
    assert "at-least-once" in answer.answer and "exactly-once" in answer.answer


def test_list_announced_by_a_bullet(engine: Engine) -> None:
    answer = engine.ask("widget queue delivery protocols")
    assert all(item in answer.answer for item in ("HTTP endpoints", "Email", "Mobile push"))


def test_relation_direction_of_where_questions(engine: Engine) -> None:
    # the queue stores data in the store; that does not say where the store keeps its data
    assert "Widget Store" in engine.ask("where does widget queue store dead letters").answer
    answer = engine.ask("where does widget store store data")
    assert not answer.answer.startswith("Amazon Widget Queue stores")


def test_list_of_sub_headings(engine: Engine) -> None:
    answer = engine.ask("widget gateway types")
    assert "Round Gateways" in answer.answer and "Square Gateways" in answer.answer


def test_cli_command_is_read_from_the_code_block(engine: Engine) -> None:
    answer = engine.ask("cli command to create a fifo widget queue")
    assert "create-queue" in answer.answer and "FifoQueue=true" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "how many subnets does the widget store have",  # only addresses are counted
        "widget queue premium tier retention",  # the notes give the Standard tier's figure
        "max size of a widget queue batch",  # batches are never measured
        "what is a widget lighthouse",  # "lighthouse" is not a word of the notes
    ],
)
def test_abstains_rather_than_giving_a_nearby_figure(engine: Engine, question: str) -> None:
    assert engine.ask(question).abstained


def test_yes_no_reads_survive_against_lost(engine: Engine) -> None:
    answer = engine.ask("does widget cache data survive a cache node reboot")
    assert answer.answer.startswith("No") and "lost" in answer.answer


@pytest.mark.parametrize(
    ("question", "intent", "unit"),
    [
        ("how much can a cached volume store", "limit", "bytes"),
        ("sns delivery protocols", "list", ""),
        ("how fast is glacier retrieval", "limit", "seconds"),
        ("what is an availability zone", "definition", ""),
        ("what is provisioned iops", "definition", ""),
        ("what is sqs retention", "limit", "seconds"),
        ("what are s3 storage classes", "list", None),
        # words before the question that ask nothing; a definition asked after its term or by
        # what the thing is or how it works
        ("in simple terms, what does storage gateway do", "definition", None),
        ("meaning of recovery time objective in dr planning", "definition", None),
        ("nat gw in a vpc - explain", "definition", None),
        ("amazon machine image - what is it?", "definition", None),
        ("ec2 instance store volumes, what are they", "definition", None),
        ("what kind of service is redshift", "definition", None),
        ("how does envelope encryption work", "definition", None),
        ("explain how to create a vpc", "procedure", None),
        # "different from" and "X instead of Y" compare
        ("how is redis different from memcached", "comparison", None),
        ("when should i use an interleaved sort key instead of a compound one", "comparison", None),
        ("how to set up an admin user instead of using root", "procedure", None),
        # where a thing is kept, what it stands on, where it sends its output
        ("redis backups are saved where", "relationship", None),
        ("what's the underlying storage for rds", "relationship", None),
        ("data pipeline output destinations", "relationship", None),
        ("storage gateway types", "list", None),
        ("requirements to turn on s3 crr", "procedure", None),
        ("can someone explain aws opsworks", "definition", None),
        ("purpose of aws cloudtrail?", "definition", None),
        ("aws eb - what's it for?", "definition", None),
        ("cloudtrail - explain what it's used for", "definition", None),
        # the topic first, then the yes/no question about it
        ("google cloud firewall - does it track connection state", "yesno", None),
        ("sns fifo -> standard queue subscription, allowed?", "yesno", None),
        ("which storage tiers can a gcs bucket use", "list", None),
        ("which plans can i host a function app on", "list", None),
        # procedures asked by what they involve or need, step by step, or "- steps?"
        ("what's involved in resizing an ec2 box into another type", "procedure", None),
        ("vpc endpoint creation - what has to be specified", "procedure", None),
        ("configuring a nat instance for a private subnet - steps?", "procedure", None),
        ("modifying an existing cloudformation stack in place - what's the process", "procedure", None),
        ("rds: spinning up a replica for read scaling, step by step", "procedure", None),
        ("the 3 kinds of storage gateway setups", "list", None),
    ],
)
def test_intent_of_new_phrasings(question: str, intent: str, unit: str | None) -> None:
    # names found in the question are passed as the engine does ("provisioned iops" names a volume type)
    found = classify(question, ["provisioned iops"] if "provisioned" in question else [])
    assert found.name == intent and (unit is None or found.unit == unit)


def test_counted_words_bring_the_names_of_the_entity_counted() -> None:
    words = compose.counted_words("how many SGs per vpc", {"security-group": ["security group", "SG", "SGs"]})
    assert {"security", "group"} <= words


def test_enumerations_are_read_in_linear_time() -> None:
    from kg.qa.compose import _list_segments

    assert _list_segments("stores it in S3, Redshift, or Elasticsearch.") == [
        "stores it in S3, Redshift, or Elasticsearch"
    ]
    assert _list_segments("1, " * 20000 + "2") == []  # a long comma run without "and"/"or" (was exponential)


def test_weak_words_do_not_hide_question_terms(tmp_path: Path) -> None:
    # "timeout" names a component of another service; it stays a word of the question
    assert "timeout" in compose.content_terms("lambda max timeout", ["lambda"])


def test_list_asked_as_ways_is_read_from_the_announced_sub_bullets(engine: Engine) -> None:
    answer = engine.ask("widget vault ways to protect secrets")
    assert all(item in answer.answer[:300] for item in ("Sealed envelopes", "Shadow copies", "Rotation hooks"))


def test_definition_that_says_what_the_term_is_beats_a_mention(engine: Engine) -> None:
    answer = engine.ask("what is a dead drop box")
    assert answer.answer.startswith("A dead drop box is a box that holds secrets")


def test_how_long_does_it_last_is_answered_by_a_lifetime(engine: Engine) -> None:
    answer = engine.ask("how long can a vault session token last")
    assert not answer.abstained and "15 minutes to 12 hours" in answer.answer[:300]


def test_steps_announced_by_a_paragraph(engine: Engine) -> None:
    answer = engine.ask("how to open a widget vault")
    assert all(step in answer.answer[:300] for step in ("Create a vault key", "Attach the key", "Unlock the vault"))


def test_list_names_come_first_when_details_run_long(engine: Engine) -> None:
    answer = engine.ask("widget vault tiers")
    assert "Bronze, Silver, Gold, Platinum" in answer.answer[:300]


def test_initials_of_entity_names_link() -> None:
    from kg.qa.link import Lexicon, Linker

    lexicon = Lexicon.build([("resource-group", "Azure resource group", []), ("vm", "Azure VM", [])], ["group"])
    assert [link.entity_id for link in Linker(lexicon).link("how many rgs per subscription")] == ["resource-group"]
    assert [link.entity_id for link in Linker(lexicon).link("what is an ip address")] == []  # "ip" is a word


def test_a_name_typed_with_a_short_word_links_where_the_short_word_is_a_name_too() -> None:
    from kg.qa.link import Lexicon, Linker

    lexicon = Lexicon.build(
        [("launch-configuration", "launch configuration", []), ("config", "AWS Config", ["config"])], ["config"]
    )
    linker = Linker(lexicon)
    assert [link.entity_id for link in linker.link("launch config limit")] == ["launch-configuration"]
    assert [link.entity_id for link in linker.link("what does config record")] == ["config"]


def test_items_fit_the_budget_short_ones_whole() -> None:
    items = compose.fit_items(["short one", "x" * 200, "y" * 200], 150)
    assert items[0] == "short one" and sum(len(i) for i in items) <= 150


def test_comparison_tells_each_item_by_what_the_question_asks(engine: Engine) -> None:
    answer = engine.ask("widget truck vs widget disk import export is encryption enforced")
    assert "Encryption is enforced" in answer.answer[:300] and "Encryption is optional" in answer.answer[:300]


def test_trailing_meaning_asks_a_definition(engine: Engine) -> None:
    assert engine.ask("dead drop box meaning").answer.startswith("A dead drop box is")


def test_procedure_goes_on_in_the_bullets_after_it(engine: Engine) -> None:
    answer = engine.ask("how to rotate a vault key")
    assert "create a rotation plan" in answer.answer and "execute the rotation plan" in answer.answer


def test_yes_no_reads_the_negation_before_single_against_multiple(engine: Engine) -> None:
    assert engine.ask("can a widget tunnel span multiple regions").answer.startswith("No")


def test_range_of_plain_numbers(engine: Engine) -> None:
    answer = engine.ask("widget tunnel priority range")
    assert answer.answer.startswith("between 100 and 4096")


def test_comparison_asking_what_each_is_for_reads_the_use_cases(engine: Engine) -> None:
    answer = engine.ask("widget truck vs widget disk import export what is each one for")
    assert "Fast moves between sites" in answer.answer[:300] and "Cheap bulk moves" in answer.answer[:300]


def test_table_comparison_shows_the_rows_asked_about(engine: Engine) -> None:
    answer = engine.ask("widget queue standard vs fifo which one delivers exactly once")
    assert "exactly-once processing" in answer.answer and "300 messages" not in answer.answer


def test_acronym_spelled_out_as_the_notes_write_it(engine: Engine) -> None:
    answer = engine.ask("what does wls stand for")
    assert answer.answer == "WLS stands for Widget Lock Service."
    assert any("Widget Lock Service (WLS)" in c.text for c in answer.citations[:1])
    assert engine.ask("what does xyz stand for").abstained


def test_how_many_counts_the_list_the_notes_give(engine: Engine) -> None:
    answer = engine.ask("how many delivery protocols does widget queue have")
    assert answer.answer.startswith("3: Delivery protocols")
    assert engine.ask("how many delivery protocols does widget cache have").abstained  # not its list


def test_comparison_cites_the_lines_each_item_summary_quotes(engine: Engine) -> None:
    answer = engine.ask("widget truck vs widget disk import export what is each one for")
    # first the lines quoted, not the bullets that only name the items
    cited = {citation.line_start for citation in answer.citations[:2]}
    assert cited == {_line("- Fast moves between sites"), _line("- Cheap bulk moves")}


def test_item_lookup_ranks_passages_that_name_it_by_the_questions_vector(engine: Engine) -> None:
    vector = engine.retriever.encode(["widget truck vs widget disk"])[0]
    hits = engine.retriever.lookup("Widget Truck", vector, 3)
    # (a passage is indexed with its headings and bullet ancestry: the truck's sub-bullets name it)
    assert hits and all("truck" in f"{hit.passage.context} {hit.passage.text}".lower() for hit in hits)
    first = hits[0]
    assert first.similarity == pytest.approx(float(engine.retriever.dense.reconstruct(first.passage.id) @ vector))


def test_a_title_bullet_is_answered_by_what_it_heads(engine: Engine) -> None:
    answer = engine.ask("how does widget ledger tie into widget audit")
    assert answer.answer.startswith("Integration with Widget Audit:") and "audit event ID" in answer.answer


def test_the_list_under_the_bullet_with_the_questions_words_answers(engine: Engine) -> None:
    answer = engine.ask("what to run after a bulk load in widget ledger")
    assert "COMPACT" in answer.answer and "REINDEX" in answer.answer
    # cited as one span: the bullet and the items it announces
    first = answer.citations[0]
    assert (first.line_start, first.line_end) == (_line("After each bulk widget load"), _line("run REINDEX"))


def test_item_summary_says_it_for_the_item_but_keeps_the_name_before_a_noun() -> None:
    units = {
        "gateway cached": {
            "All data stored on a Gateway-Cached volume is moved to S3.": 0,
            "Use the gateway cached mode to save disk.": 1,
        },
        "gateway stored": {"All data stays on site.": 2},
    }
    text, quoted = compose._item_summary("gateway cached", units, set(), 200)
    assert "a Gateway-Cached volume" in text and "Use it to save" not in text and "Use the gateway cached mode" in text
    assert quoted == [0, 1]
    units["gateway cached"] = {"You can create a gateway cached on a table.": 3}
    assert compose._item_summary("gateway cached", units, set(), 200)[0] == "You can create it on a table."


def test_an_acronym_plural_typed_in_lowercase_is_the_acronym(engine: Engine) -> None:
    # "ips" is "IPs" in the notes, which is "IP" ("11 IP addresses"), not an unknown word
    assert engine._prepare("how many ips are left")["question"] == "how many IPs are left"
    answer = engine.ask("how many ips are left in the smallest widget store subnet")
    assert answer.answer.startswith("11 IP addresses")
    assert answer.question == "how many ips are left in the smallest widget store subnet"  # as asked


def test_a_figure_read_from_a_passage_is_about_the_component_asked() -> None:
    def passage(i: int, text: str, topics: list[str]) -> Passage:
        return Passage(i, "n.md", i + 1, i + 1, "bullet", text, "VMs", f"VMs > {text}", [], topics, i, None)

    scale_set = passage(0, "A scale set supports up to 1,000 VM instances.", ["vm", "scale-set"])
    intent = classify("how many vms can i put in one availability set")
    args = ([Hit(scale_set, 1.0, 0.6)], intent, {"vm"}, ["vm", "availability-set"])
    question = "how many vms can i put in one availability set"
    assert compose.compose_limit_from_passages(*args, 0.5, question=question, components=["availability-set"]) is None
    # the same figure answers when the question names no component
    assert compose.compose_limit_from_passages(*args, 0.5, question=question) is not None


def test_that_x_in_a_second_part_is_what_the_first_answer_names(engine: Engine) -> None:
    first = "Amazon Widget Queue stores dead letters in Amazon Widget Store"
    resolved = engine._resolve_reference(
        "what is that store's bucket retention", first, "where does widget queue store"
    )
    assert resolved == "what is amazon widget store bucket retention"
    answer = engine.ask("where does widget queue store dead letters, and what is that store's bucket retention")
    assert "Amazon Widget Store" in answer.answer and "between 7 and 90 days" in answer.answer


def test_entities_whose_longer_name_holds_the_name_asked(engine: Engine) -> None:
    # ("premium ssd max iops": the figures are on "Disk Storage Premium SSD")
    held = engine._entities_holding(["widget store"])
    assert held
    labels = [engine.labels[e].lower() for e in held]
    assert all("widget store" in label and label != "widget store" for label in labels)
    assert engine._entities_holding(["store"]) == []  # one word names too much


def test_a_figure_given_under_another_name_is_reached_through_the_passage_that_names_it() -> None:
    bridge = Passage(
        0,
        "n.md",
        5,
        5,
        "bullet",
        "Quick mode - one write, then wait for the settle time.",
        "S",
        "S",
        [],
        ["store"],
        0,
        None,
    )

    def row(attribute: str, value: int) -> dict[str, object]:
        text = f"Default {attribute}: {value} seconds."
        return {"attribute": attribute, "kind": "default", "base_unit": "seconds", "value": value, "unit": "seconds",
                "value_max": None, "value_text": f"{value} seconds", "subject_label": "Store", "subject": "x/store",
                "passage_text": text, "text": text, "source": "n.md", "line_start": 2, "line_end": 2}  # fmt: skip

    rows = [row("settle time", 300), row("sync time", 60)]
    question = "how long does the store wait after a quick mode write by default"
    intent = classify(question)
    terms = compose.content_terms(question, ["store"])
    found = compose.compose_limit_by_bridge([Hit(bridge, 1.0, 0.7)], rows, intent, terms, lambda r: 1)
    assert found is not None and found.text.startswith("300 seconds") and "wait for the settle time" in found.text
    assert found.lead_passages == [0, 1]
    # a passage that leaves a word of the question out is no bridge
    assert (
        compose.compose_limit_by_bridge([Hit(bridge, 1.0, 0.7)], rows, intent, terms | {"retry"}, lambda r: 1) is None
    )


def test_a_figure_read_from_a_passage_comes_with_the_bullet_that_qualifies_it() -> None:
    def passage(i: int, text: str) -> Passage:
        return Passage(i, "n.md", i + 1, i + 1, "bullet", text, "Reads", f"Reads > {text}", ["table"], [], i, 9)

    first = passage(4, "To read a 110KB item, 28 capacity units are consumed.")
    sequel = passage(5, "For strongly consistent reads, twice the number of capacity units are consumed: 56.")
    question = "how many capacity units does a strongly consistent read of a 110KB item use"
    intent = classify(question)
    terms = compose.limit_terms(compose.content_terms(question), intent)
    hits = [Hit(first, 1.0, 0.9), Hit(passage(7, "Writes use write units."), 0.5, 0.5), Hit(sequel, 0.9, 0.8)]
    found = compose.compose_limit_from_passages(hits, intent, terms, ["table"], 0.5, question=question)
    assert found is not None and found.text.startswith("28 capacity units") and "56" in found.text
    assert found.lead_passages == [4, 5]


def test_a_long_procedure_and_its_sequel_keep_the_words_that_finish_it() -> None:
    filler = "with a long explanation of everything the console shows on the way there " * 2
    texts = [
        f"To update a widget, create a change plan {filler}.",
        f"The service compares the change plan {filler}and lists what will change.",
        f"The change plan lists the proposed changes {filler}; you then execute the change plan to update the widget.",
    ]
    passages = [Passage(i, "n.md", i + 1, i + 1, "bullet", t, "W", "W", [], [], i, None) for i, t in enumerate(texts)]
    found = compose._procedure_with_sequel(Hit(passages[0], 1.0, 0.9), passages, 300, {"updat", "widget"})
    assert len(found.text) <= 330 and found.lead_passages == [0, 1, 2]
    assert found.text.startswith("To update a widget") and "execute the change plan to update the widget." in found.text


def test_what_x_is_answered_by_the_sentence_that_names_an_x(engine: Engine) -> None:
    answer = engine.ask("what cookie does widget store use for sessions")
    assert answer.answer.startswith("Amazon Widget Store creates a cookie named WSTOKEN")


def test_item_summary_prefers_a_sentence_that_fits_and_says_what_is_asked() -> None:
    long = "Unlike automated snapshots that are deleted after the retention period, manual snapshots are kept " * 2
    units = {
        "manual snapshots": {long: 1, "Manual snapshots, however, are not deleted.": 0},
        "automated backups": {"When an instance is deleted, automated backups are deleted.": 0},
    }
    text, quoted = compose._item_summary("manual snapshots", units, {"delet"}, 80)
    assert text.startswith("Manual snapshots, however, are not deleted.") and quoted[0] == 0
    # nothing asked beyond the names: the best sentence stays first, shortened
    assert compose._item_summary("manual snapshots", units, set(), 80)[0].startswith("Unlike automated")


def test_yes_no_reads_a_word_that_says_the_opposite(engine: Engine) -> None:
    assert engine.ask("is widget store access logging on by default").answer.startswith("No")
    assert engine.ask("is widget store access logging off by default").answer.startswith("Yes")


def test_a_definition_that_goes_on_from_its_title_bullet_says_the_title(engine: Engine) -> None:
    answer = engine.ask("what is a partial read in widget store")
    assert answer.answer.startswith("Partial Reads is used to read only a part")


def _passage_opening(engine: Engine, words: str) -> Passage:
    """The first passage of the engine's notes whose text opens with ``words``."""
    return next(p for p in engine.passages if p.text.startswith(words))


def _engine_over(notes_text: str, folder: Path, encoder) -> Engine:  # type: ignore[no-untyped-def]
    """An engine over a few lines of notes of one test's own (the shared fixture stays as it is)."""
    from kg.builder import build_store

    notes = folder / "notes"
    notes.mkdir()
    (notes / "notes.md").write_text(notes_text, encoding="utf-8")
    build_store([notes], folder / "store", encoder=encoder)
    return Engine.open(folder / "store", encoder=encoder)


def test_a_definition_after_a_leading_setting_says_what_the_term_is(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Vault notes\n\n## Widget Vault\n\n"
        "- Widget Vault is the simplest way to get a locker up and running for a widget locker fleet.\n"
        "- In Widget Vault, a locker is conceptually similar to a drawer.\n"
        "- Widget Vault keeps secrets.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("what is a locker in widget vault")
    assert answer.answer.startswith("In Widget Vault, a locker is conceptually similar to a drawer")


def test_a_word_asked_is_not_missed_when_the_notes_say_its_opposite(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widget DB\n\n## Widget DB\n\n"
        "- Widget DB read replicas are asynchronous and used to scale reads.\n"
        "- Widget DB links: 50 Mbps to 50 Gbps through a partner.\n"
        "- Widget DB keeps backups for 7 days.\n\n## Widget HA\n\n"
        "- The HA standby copies data with synchronous replication in another zone.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    # "synchronous" is rare in the notes, which say "asynchronous": the answer is no, not an abstention
    assert engine.ask("are widget db read replicas synchronous").answer.startswith("No")
    assert classify("partner interconnect bandwidth range").unit == "bytes/s"  # bits or bytes per second


def test_each_kind_asked_gets_its_figure_from_its_own_line() -> None:
    def row(kind: str, value: int, line: int, text: str) -> dict[str, object]:
        return {"attribute": "visibility timeout", "kind": kind, "base_unit": "seconds", "value": value,
                "unit": "seconds", "value_max": None, "value_text": f"{value} seconds", "subject": "x/queue",
                "subject_label": "queue", "passage_text": text, "text": text, "source": "n.md",
                "line_start": line, "line_end": line, "normalized_value": value, "linked": ""}  # fmt: skip

    question = "what is the default visibility timeout and the max"
    intent = classify(question)
    rows = [
        row("max", 43200, 5, "The visibility timeout is up to 43200 seconds."),
        row("default", 30, 9, "The default visibility timeout is 30 seconds."),
    ]
    terms = compose.limit_terms(compose.content_terms(question), intent)
    found = compose.compose_limit(rows, intent, terms, ["queue"], lambda r: None, 0.0, question=question)
    assert found is not None and "30 seconds" in found.text and "43200 seconds" in found.text
    assert classify("difference between sqs standard and fifo queues").kinds == ()  # compares, asks no range


def test_the_purpose_of_a_thing_asks_about_the_thing() -> None:
    from kg.qa.engine import _definition_term

    assert _definition_term("what is the purpose of a bastion host", []) == "bastion host"
    assert _definition_term("what is the role of a nat gateway", []) == "nat gateway"


def test_item_summary_keeps_a_name_that_ends_its_clause_or_is_plural() -> None:
    units = {
        "read replicas": {"A group has up to 6 clusters, with 5 of them designated as read replicas.": 0},
        "multi-az": {"Multi-AZ keeps a standby.": 1},
    }
    assert compose._item_summary("read replicas", units, set(), 200)[0].endswith("designated as read replicas.")
    units["multi-az"] = {"You can fail over with multi-az.": 2}
    assert compose._item_summary("multi-az", units, set(), 200)[0] == "You can fail over with multi-az."


def test_yes_no_reads_the_notes_exception_and_strong_against_eventual(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widget DB\n\n## Widget DB\n\n"
        "- Widget DB storage can be increased over time as needs grow.\n"
        "- Storage expansion is supported for all of the engines except for Gizmo SQL.\n"
        "- By default, Widget DB reads are eventually consistent.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    grow = engine.ask("can you grow the storage of a widget db gizmo sql instance")
    assert grow.answer.startswith("No") and "except for Gizmo SQL" in grow.answer
    assert engine.ask("can you grow widget db storage").answer.startswith("Yes")
    assert engine.ask("are widget db reads strongly consistent by default").answer.startswith("No")


def test_how_often_asks_a_time_and_a_name_s_words_ask_no_relation() -> None:
    assert classify("how often does aws config send the config history file to s3").unit == "seconds"
    assert classify("how often does aws config send the config history file to s3").name == "limit"
    assert classify("what does an elastic load balancer do", ["elastic load balancer"]).name == "definition"
    assert classify("what does elb load data into", ["elb"]).name == "relationship"


def test_what_a_thing_is_used_for_asks_what_it_is() -> None:
    from kg.qa.engine import _definition_term

    assert _definition_term("what is redshift used for", []) == "redshift"
    assert compose.content_terms("what is redshift used for", ["redshift"]) == set()
    assert compose.content_terms("what are widget streams used for", ["widget"]) == {"stream"}


def test_a_title_bullet_is_defined_by_its_sub_bullet_that_says_what_it_is(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Directory\n\n## Widget Directory\n\n"
        "- Gizmo Connector\n"
        "  - Gizmo Connector forwards sign-in requests to your domain controllers.\n"
        "  - is a proxy service for connecting your directory to the cloud.\n"
        "- GPG (Gizmo Private Gateway)\n"
        "  - is the concentrator on the cloud side of the tunnel.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    assert engine.ask("what is gizmo connector").answer.startswith("Gizmo Connector: is a proxy service")
    assert "concentrator on the cloud side" in engine.ask("what is a gizmo private gateway").answer


def test_a_part_named_by_a_word_of_the_question_beats_the_service_s_own_figure() -> None:
    def row(subject: str, label: str, attribute: str, value: str, text: str, line: int) -> dict[str, object]:
        return {"attribute": attribute, "kind": "max", "base_unit": "bytes", "value": 1, "unit": "MB",
                "value_max": None, "value_text": value, "subject": f"x/{subject}", "subject_label": label,
                "passage_text": text, "text": text, "source": "n.md", "line_start": line, "line_end": line,
                "normalized_value": 1, "linked": ""}  # fmt: skip

    question = "how much data can a single widget db scan request return"
    intent = classify(question, ["widget db"])
    rows = [
        row("widget-db", "Widget DB", "single partition", "10GB", "1 single partition = max 10GB of data", 3),
        row("scan-operation", "Widget DB Scan operation", "data", "1MB", "Each request returns up to 1MB of data.", 9),
    ]
    terms = compose.limit_terms(compose.content_terms(question, ["widget db"]), intent)
    found = compose.compose_limit(
        rows, intent, terms, ["widget-db"], lambda r: None, 0.0, linked_terms={"widget", "db"}, question=question
    )
    assert found is not None and found.text.startswith("1 MB")


def test_a_chain_of_arrows_is_the_procedure_of_its_section(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widgets\n\n## Modifying Widget Type\n\n"
        "- If the needs prove higher or lower than expected, widgets can be changed to another size.\n"
        "- Stop widget -> Change widget type -> Restart widget\n\n## Widget Pricing\n\n"
        "- Widgets are billed per hour.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("how do i switch a widget to a bigger widget type")
    # "switch" is asked for what the notes call modifying and changing
    assert answer.answer.startswith("Stop widget -> Change widget type") and answer.citations[0].line_start == 6


def test_a_bullet_announcing_its_sub_bullets_lists_them_whatever_its_commas(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widgets\n\n## Reserved Widgets\n\n"
        "- Reserved Widgets are billed for a term.\n"
        "- Modifying Reservation: You can modify your whole reservation, or just a subset, in one or more of the"
        " following ways:\n"
        "  - Switch zones within the same region.\n"
        "  - Change the widget size within the same family.\n\n"
        "## Modifying Widget Type\n\n"
        "- Widgets can be changed to another size.\n"
        "- Stop widget -> Change widget type -> Restart widget\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    intro = _passage_opening(engine, "Modifying Reservation")
    listed = compose.compose_list([Hit(intro, 0.0, 1.0)], {"chang"}, [], engine.children, engine.passages)
    assert listed is not None and "Switch zones" in listed.text and "Change the widget size" in listed.text
    # a section about another thing than the one named ("Modifying Widget Type") gives no steps for it
    assert "Stop widget" not in engine.ask("how can i modify a reserved widget").answer
    assert classify("ways an swf workflow execution can be closed").name == "list"


def test_a_contrast_that_says_how_items_differ_beats_a_bare_verdict() -> None:
    def passage(i: int, text: str) -> Passage:
        return Passage(i, "n.md", i + 1, i + 1, "bullet", text, "NAT", "NAT")

    verdict = passage(0, "For common use cases, use a NAT gateway instead of a NAT instance.")
    described = passage(1, "A NAT gateway is managed and works just like a NAT instance, but is simpler to run.")
    items = [("nat gateway", None), ("nat instance", None)]
    found = compose.compose_contrast([Hit(verdict, 0.0, 0.9), Hit(described, 0.0, 0.8)], items)
    assert found is not None and found.text.startswith("A NAT gateway is managed")


def test_item_summary_drops_the_item_s_name_after_a_use_case() -> None:
    units = {
        "kinesis streams": {"For streams in real time.": 0, "use case: Real-Time Processing: Kinesis Streams": 1},
        "kinesis firehose": {"A service to load streams.": 2},
    }
    text, _ = compose._item_summary("kinesis streams", units, set(), 200, purpose=True)
    assert "use case: Real-Time Processing" in text and "Processing: Kinesis Streams" not in text


def test_a_component_is_named_without_its_service_and_where_asks_the_place(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    from kg.qa.intent import split_parts

    notes = (
        "# Beanstalk\n\n## AWS Elastic Beanstalk\n\n"
        "- Application Version\n"
        "  - An application version refers to a labeled iteration of deployable code.\n"
        "  - An application version points to an S3 object that contains the deployable code.\n"
        "  - Applications can have many versions and each application version is unique.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    links = engine.linker.link("where do application versions live")
    assert [link.entity_id for link in links] == ["eb-application-version"]  # not "application" and "versions"
    # (the fake encoder ranks every passage alike: the one that names a place answers "where")
    hits = [Hit(p, 0.0, 0.8) for p in engine.passages if "application version" in p.text.lower()]
    question = "where do application versions live"
    found = compose.compose_relation([], hits, {"live"}, ["eb-application-version"], question, lambda r: None)
    assert found is not None and "S3 object" in found.text
    assert len(split_parts("ec2 instance families and what each is optimized for")) == 1


def test_item_summary_prefers_the_sentence_whose_opposite_the_other_item_says() -> None:
    units = {
        "multi-az": {"Multi-AZ creates a cluster across zones.": 0, "Multi-AZ uses synchronous replication.": 1},
        "read replicas": {
            "Read replicas can be within a region or across regions.": 2,
            "Updates are asynchronously copied to the read replicas.": 3,
        },
    }
    assert compose._item_summary("multi-az", units, set(), 45)[0] == "Multi-AZ uses synchronous replication."
    # (a sentence that says both "within" and "across" contrasts nothing)
    assert "asynchronously" in compose._item_summary("read replicas", units, set(), 60)[0]


def test_one_step_of_an_announced_procedure_answers_with_all_its_steps(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Keys\n\n## Rotating Keys\n\n"
        "- The process to rotate keys can be conducted via the console:\n"
        "  - Create a new access key for the user.\n"
        "  - Reconfigure all applications to use the new access key.\n"
        "  - Delete the original access key.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    step = _passage_opening(engine, "Reconfigure")
    found = compose.compose_list([Hit(step, 0.0, 0.9)], {"applic"}, [], engine.children, engine.passages, ordered=True)
    assert found is not None and "1. Create a new access key" in found.text and "3. Delete" in found.text


def test_a_component_named_after_its_service_gets_the_service_s_figures(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Serverless\n\n## AWS Lambda\n\n"
        "- A Lambda function runs your code in response to events.\n"
        "- Timeout: default 3 seconds, max 900 seconds (15 minutes)\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("max timeout for a lambda function")
    assert not answer.abstained and "900 seconds" in answer.answer


def test_misspelt_names_starting_with_a_question_word_tiers_and_clauses() -> None:
    from kg.qa.link import Lexicon, Linker

    lexicon = Lexicon.build([("gcp-bigquery", "BigQuery", ["Big Query"])], ["query", "data"])
    assert [link.entity_id for link in Linker(lexicon).link("what is big querry")] == ["gcp-bigquery"]
    assert Linker(lexicon).link("what is the max size") == []
    question = "how long must a blob stay in cool tier to avoid the early deletion fee"
    text = "Deleting or moving a blob out of the Cool tier before 30 days incurs an early deletion charge."
    assert not compose.keeping_unstated(classify(question), question, text)  # a minimum stay is stated
    said = "Bucket Lock makes a retention policy permanent; a locked policy can never be removed or reduced."
    assert "never" in compose._best_sentence(said, {"bucket", "lock", "retent", "polici", "shorten"})


def test_a_short_item_stands_for_its_list_and_a_section_s_words_do_not_make_a_bullet_its_list(
    tmp_path: Path,
    fake_encoder,  # type: ignore[no-untyped-def]
) -> None:
    notes = (
        "# DNS\n\n## Widget DNS\n\n"
        "- Widget DNS performs 3 main functions. You can use any of them.\n"
        "  - Domain registration\n"
        "  - DNS service\n"
        "  - Health checking\n\n"
        "## Widget Plans\n\n"
        "- Maintain Current Levels\n"
        "  - Keep a fixed number of widgets.\n"
        "  - Replace unhealthy widgets.\n"
        "- Manual Scaling\n"
        "  - Set the desired count yourself.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    health = _passage_opening(engine, "Health checking")
    lifted = compose.lift_to_list(Hit(health, 0.0, 0.9), engine.children, engine.passages, ordered=False)
    assert lifted.passage.text.startswith("Widget DNS performs 3 main functions")
    maintain = _passage_opening(engine, "Maintain Current Levels")
    # "plan" is the section's word, not the bullet's: the section's bullets are the plans
    sections = {k.split("::", 1)[1]: v for k, v in engine.sections.items()}
    hits = [Hit(maintain, 0.0, 0.9), *(Hit(p, 0.0, 0.5) for p in engine.passages if p is not maintain)]
    listed = compose.compose_list(
        hits,
        {"plan"},
        [],
        engine.children,
        engine.passages,
        sections=sections,
        question="widget plan types",
        names=["widget"],
    )
    assert listed is not None and listed.text.startswith("Widget Plans: Maintain Current Levels; Manual Scaling")
    assert "sourc" in compose.content_terms("where can amis come from", ["amis"])


def test_comparison_items_drop_a_service_qualifier_and_weak_words_and_ratings_are_no_answer() -> None:
    from kg.qa.engine import _comparison_items
    from kg.qa.link import Link

    links = [
        Link("rds", "Amazon RDS", "rds", 0, 1),
        Link("ebs-gp", "General Purpose SSD", "general purpose ssd", 1, 4),
        Link("s3-rrs", "Reduced Redundancy Storage", "storage", 7, 8, weak=True),
    ]
    items = _comparison_items("rds general purpose ssd vs provisioned iops storage", links)
    assert items == [("general purpose ssd", "ebs-gp"), ("provisioned iops storage", None)]
    detail = [
        {"item_label": "General Purpose", "dimension_label": "Cost", "value": "+++", "refers": None},
        {"item_label": "Provisioned IOPS", "dimension_label": "Cost", "value": "+++++", "refers": None},
    ]
    row = {"source": "n.md", "line_start": 1, "line_end": 3}
    assert compose.compose_comparison_table(detail, ["General Purpose", "Provisioned IOPS"], "RDS", row) is None


def test_comparison_items_are_the_components_named_as_the_notes_name_them() -> None:
    from kg.qa.engine import _comparison_items
    from kg.qa.link import Link

    kinds = {"dynamodb": "service", "ddb-lsi": "component", "ddb-gsi": "component"}
    links = [
        Link("dynamodb", "Amazon DynamoDB", "dyanmodb", 0, 1, score=87.5),
        Link("ddb-lsi", "local secondary index", "lsi", 1, 2),
        Link("ddb-gsi", "global secondary index", "gsi", 3, 4),
    ]
    # the component, not the (longer) service name before it
    assert _comparison_items("dyanmodb lsi vs gsi", links, kinds=kinds) == [
        ("local secondary index", "ddb-lsi"),
        ("global secondary index", "ddb-gsi"),
    ]
    # a misspelt name is named as the notes name it, the name closest to what was typed
    names = {"kds": ["Amazon Kinesis Data Streams", "Kinesis Streams"], "firehose": ["Amazon Data Firehose"]}
    links = [
        Link("firehose", "Amazon Data Firehose", "firehose", 0, 1),
        Link("kds", "Amazon Kinesis Data Streams", "kinisis streams", 2, 4, score=90.0),
    ]
    assert _comparison_items("firehose vs kinisis streams", links, names)[1] == ("Kinesis Streams", "kds")


def test_yes_no_reads_single_against_many_in_the_clause_after_the_best_one() -> None:
    said = Passage(
        0,
        "n.md",
        1,
        1,
        "bullet",
        "Key policies control access to a key; every key has exactly one key policy.",
        "K",
        "K",
    )
    question = "can a key have more than one key policy"
    found = compose.compose_yesno([Hit(said, 0.0, 0.9)], compose.content_terms(question), [], question)
    assert found is not None and found.text.startswith("No")


def test_the_tier_asked_picks_the_figure_on_its_own_line() -> None:
    def row(value: str, text: str, line: int) -> dict[str, object]:
        return {"attribute": "instances", "kind": "max", "base_unit": "count", "value": 1, "unit": "count",
                "value_max": None, "value_text": value, "subject": "x/plan-tiers", "subject_label": "Plan Tiers",
                "passage_text": text, "text": text, "source": "n.md", "line_start": line, "line_end": line,
                "normalized_value": 1, "linked": ""}  # fmt: skip

    question = "max instance count on the isolated plan tier"
    intent = classify(question)
    rows = [
        row("3 instances", "Basic (B1-B3) - manual scale up to 3 instances", 2),
        row("100 instances", "Isolated (I1-I3) - runs alone, up to 100 instances", 5),
    ]
    terms = compose.limit_terms(compose.content_terms(question), intent)
    found = compose.compose_limit(rows, intent, terms, ["plan-tiers"], lambda r: None, 0.0, question=question)
    assert found is not None and found.text.startswith("up to 100 instances")


def test_a_figure_of_the_thing_that_holds_what_is_named(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Storage\n\n## Amazon S3\n\n"
        "- S3 provides 99.999999999% durability for objects.\n\n"
        "## Amazon EBS\n\n"
        "- EBS snapshots are stored in Amazon S3.\n"
        "- An EBS volume is a block device.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    for question in (
        "what durability does the storage that holds ebs snapshots give",
        "what durability does the storage behind ebs snapshots have",
    ):
        assert engine.ask(question).answer.startswith("99.999999999%"), question


def test_a_figure_on_the_bullet_after_the_one_naming_the_service(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Security\n\n## AWS IAM\n\n"
        "- IAM users sign in with a password.\n"
        "- When a user assumes a role, AWS gives a temporary security token from AWS STS.\n"
        "- Requesting a temporary security token requires a lifetime: from 15 minutes to 36 hours.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("sts temp token shortest and longest lifetime")
    assert answer.answer.startswith("15 minutes to 36 hours")


def test_the_notes_own_verdict_goes_before_a_table_s_cells(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Networking\n\n## Amazon Route 53\n\n"
        "| Policy | What it does |\n|---|---|\n"
        "| Latency | routes to the region with the lowest latency |\n"
        "| Geolocation | routes by the user's country |\n\n"
        "(!) Geolocation is about where the user is, whereas latency routing is about which region answers fastest.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("route 53 geolocation vs latency routing")
    assert answer.answer.startswith("(!) Geolocation is about where the user is"), answer.answer
    assert "routes by the user's country" in answer.answer


def test_widget_lists_yes_no_and_ranges_read_as_the_notes_give_them(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widget Service\n\n"
        "## Record Types\n\n- Widget Service supports the following record types:\n  - Alpha\n  - Beta\n\n"
        "## Routing Policies\n\n- A routing policy decides how Widget Service answers.\n"
        "- Routing policy options: simple, weighted, latency-based and failover.\n"
        "- Routing policies can be tied to health checks.\n\n"
        "## Widget Groups\n\n- A widget group can use either Gold or Silver widgets, but not both.\n"
        "- Configure your widget group to keep a minimum number of running widgets.\n"
        "- Widget groups run Gold widgets by default and can run Silver widgets as well.\n"
        "- Widget replicas are available for every widget group.\n"
        "- Widget tokens last 15 minutes to 36 hours.\n"
        "- Widget replicas are for disaster recovery only; they are not meant to enhance group performance.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    # a section whose title names the list ("Routing Policies") for any list noun asked ("types"),
    # its opening bullets' inline list first
    assert engine.ask("widget service routing policy types").answer.startswith("Routing policy options:")
    # "both" asked, "either ... but not both" said
    assert engine.ask("can one widget group run both gold and silver widgets").answer.startswith("No")
    # "faster" asked of what the notes call performance
    assert engine.ask("do widget replicas make the widget group faster").answer.startswith("No")
    # a range whose ends have units of their own stays as written
    assert engine.ask("shortest and longest widget token lifetime").answer.startswith("15 minutes to 36 hours")


def test_a_count_stated_bare_counts_its_subject() -> None:
    from kg.qa.intent import Intent

    row = {
        "subject": "https://notes-kg.dev/id/entity/read-replica",
        "subject_label": "read replica",
        "attribute": "count",
        "value_text": "up to 15",
        "base_unit": "count",
        "unit": "count",
        "kind": "max",
        "passage_text": "Count | one standby | up to 15 per source instance",
        "linked": "https://notes-kg.dev/id/entity/rds",
    }
    intent = Intent("limit", kinds=("max",), unit="count")
    asked = compose.counted_words("how many read replicas per rds instance")
    assert compose.score_limit(row, intent, {"instance"}, ["rds"], counted=asked) > 0
    # "up to 15" counts read replicas, not snapshots
    counted = compose.counted_words("how many manual rds snapshots per region")
    assert compose.score_limit(row, intent, {"manual", "region"}, ["rds"], counted=counted) < 0


def test_a_contrast_in_the_notes_then_each_item_s_own_description(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Databases\n\n## Amazon RDS\n\n### Multi-AZ\n\n"
        "- Multi-AZ keeps a standby in another Availability Zone using synchronous replication.\n"
        "- Multi-AZ deployments are for disaster recovery, whereas read replicas are for scaling reads: the standby "
        "serves no reads, so to improve database performance use read replicas or a cache in front.\n\n"
        "### Read Replicas\n\n"
        "- Read replicas use asynchronous replication to offload read traffic from the primary database.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("multi-az vs read replicas in rds").answer
    assert answer.startswith("Multi-AZ deployments are for disaster recovery, whereas"), answer
    assert "asynchronous replication" in answer


def test_which_service_to_use_names_the_service_whose_notes_say_it(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Services\n\n## Amazon SNS\n\n- SNS sends email and SMS notifications to subscribers.\n\n"
        "## Amazon EMR\n\n- EMR runs managed Hadoop clusters for big data processing.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    answer = engine.ask("what aws service lets me run managed hadoop clusters")
    assert answer.answer.startswith("Amazon EMR"), answer.answer
    # a service the question names as what it works with is not the answer
    answer = engine.ask("which service should i use to send sns email notifications")
    assert not answer.answer.startswith("Amazon SNS —")


def test_a_term_then_meaning_asks_its_definition(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Storage\n\n## Backups\n\n- RPO\n  - is defined as the maximum period of data loss that is acceptable.\n"
        "- Backups run daily in the backup window.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    assert "maximum period of data loss" in engine.ask("rpo meaning in backup and recovery").answer


def test_a_negated_list_and_the_bullet_that_announces_the_steps(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Identity\n\n## Simple AD\n\n"
        "- supports common directory features such as:\n  - user accounts\n  - group memberships\n"
        "- Features NOT supported:\n  - trust relationships\n  - schema extensions\n\n"
        "## Rotating Keys\n\n"
        "- It is a best practice to rotate the access keys of your users.\n"
        "- The process to rotate keys:\n"
        "  - Create a new access key.\n  - Reconfigure all applications to use the new access key.\n"
        "  - Disable the original access key.\n  - Delete the original access key.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    assert "schema extensions" in engine.ask("what features does simple ad not support").answer
    assert "schema extensions" not in engine.ask("what features does simple ad support").answer
    answer = engine.ask("how do i rotate access keys without breaking apps").answer
    assert "Create a new access key" in answer and "Delete the original" in answer, answer


def test_a_step_retrieved_brings_the_bullet_announcing_the_steps_before_it() -> None:
    texts = ["Keys should be rotated.", "The process to rotate keys:", "Create a new key.", "Delete the old key."]
    passages = [
        Passage(i, "n.md", i + 1, i + 1, "bullet", t, "Keys", "Keys", [], [], i, 1 if i >= 2 else None)
        for i, t in enumerate(texts)
    ]
    children = {1: [2, 3]}
    filler = [
        Hit(Passage(9 + i, "n.md", 20 + i, 20 + i, "bullet", "x", "S", "S", [], [], 9 + i), 0.1, 0.1) for i in range(9)
    ]
    hits = [Hit(passages[0], 1.0, 0.9), Hit(passages[2], 0.9, 0.8), *filler, Hit(passages[1], 0.1, 0.1)]
    ordered = compose._with_announcers(hits, children, passages)
    assert [h.passage.id for h in ordered[:3]] == [0, 1, 2]
    assert [h.passage.id for h in ordered].count(1) == 1


def test_the_point_of_a_thing_is_what_the_bullet_after_its_definition_says(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Compute\n\n## Amazon EC2\n\n- Placement Groups\n"
        "  - is a logical grouping of instances within a single Availability Zone.\n"
        "  - enable applications to participate in a low-latency, 10 Gbps network.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    assert "low-latency, 10 Gbps" in engine.ask("whats the point of a placement group").answer
    assert "10 Gbps" not in engine.ask("what is a placement group").answer


def test_a_procedure_asked_with_the_cli_is_the_code_block_s_commands(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Web apps\n\n## App Service\n\n- Deployment slots are live apps with their own host names.\n"
        "- You deploy to staging, warm it up, then swap with production.\n"
        "- To swap the staging slot into production safely:\n  - warm up the staging slot\n  - check its health\n\n"
        "```bash\n# create a plan, a web app and a staging slot, then swap\n"
        "az group create --name rg --location westeurope\n"
        "az appservice plan create --name plan --resource-group rg --sku S1\n"
        "az webapp create --name app --resource-group rg --plan plan\n"
        "az webapp deployment slot create --name app --resource-group rg --slot staging\n"
        "az webapp deployment slot swap --name app --resource-group rg --slot staging --target-slot production\n"
        "```\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    answer = engine.ask("how do i swap the staging slot into production with the cli").answer
    assert "az webapp deployment slot swap" in answer, answer
    answer = engine.ask("az cli commands to create a web app with a staging slot").answer
    assert "az appservice plan create" in answer and "slot create" in answer, answer


def test_how_one_service_triggers_another_goes_on_to_the_next_bullet(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Compute\n\n## Auto Scaling\n\n- Auto Scaling components: EC2 instances, CloudWatch, and a load balancer.\n\n"
        "### Scaling Policy\n\n"
        "- CloudWatch alarms and scaling policies can be associated with an Auto Scaling group.\n"
        "- When a threshold is crossed, CloudWatch sends alarms to trigger changes to the number of EC2 instances "
        "behind a load balancer.\n"
        "- After the CloudWatch alarm sends a message to the Auto Scaling group, Auto Scaling executes the associated "
        "policy.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("how does cloudwatch trigger auto scaling").answer
    assert "executes the associated policy" in answer, answer
    lead = answer.split(" — ")[0]
    assert "triggers" not in lead or "CloudWatch" not in lead.split("triggers", 1)[1], lead


def test_notes_written_in_short_lines_under_bold_headings(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Azure notes\n\n## Governance\n\n- a resource lives in exactly one RG\n\n"
        "**Locks**\n- two kinds: CanNotDelete (read + modify allowed, no delete) and ReadOnly (read only)\n"
        "- locks are inherited by child resources\n\n"
        "## Storage accounts\n\n- Azure Storage accounts hold blobs, files, queues and tables.\n\n"
        "**Access tiers**\n- Hot: frequent access\n- Cool: infrequent access, min retention 30 days\n\n"
        "## Compute\n\n**Availability**\n"
        "- Availability set: logical grouping that spreads VMs across fault domains\n"
        "  * a VM can only be added to an availability set at creation time\n\n"
        "**App Service**\n- deployment slots: Standard gets 5, Premium 20\n\n"
        "**Create a VM with the CLI**\n\n```bash\naz group create --name rg --location westeurope\n"
        "az vm create \\\n  --resource-group rg \\\n  --name vm01 \\\n  --image Ubuntu2204\n```\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    # "what X types": a list; "two kinds: A (...) and B (...)": a counted list of two
    assert "ReadOnly" in engine.ask("what lock types can i put on a resource").answer
    # nothing named: the figures of what the retrieved lines are about
    assert engine.ask("minimum days a blob has to stay in cool before no early delete fee").answer.startswith("30 days")
    # a yes/no sentence that names both things asked
    assert engine.ask("can i move an already running vm into an availability set").answer.startswith("No")
    # a count given per tier
    assert engine.ask("how many deployment slots on the standard tier").answer.startswith("5")
    # the command asked, with its continuation lines
    answer = engine.ask("what's the az cli command to create a new vm").answer
    assert "az vm create --resource-group rg --name vm01" in answer, answer


def test_a_yes_no_passage_naming_both_things_asked_is_close_enough(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    from kg.qa.intent import Intent

    notes = (
        "# Azure\n\n## Azure Virtual Machines\n\n- Availability set: spreads VMs across fault domains\n"
        "  * a VM can only be added to an availability set at creation time\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    lead = _passage_opening(engine, "a VM can only be added")
    composition = compose.Composition("No", [], [lead.id])
    hits = [Hit(lead, 0.5, max(engine.abstain_threshold, 0.45))]
    terms = {"move", "already", "run"}
    intent = Intent("yesno")
    assert engine._weak(composition, hits, intent, terms)
    assert not engine._weak(composition, hits, intent, terms, ["azure-vm", "azure-availability-set"])


def test_a_procedure_s_steps_fit_the_first_300_characters_without_their_asides(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Networking\n\n## NAT instances\n\n"
        "- To let instances in a private subnet reach the Internet through a NAT instance, do the following:\n"
        "  - Create a security group (outbound rules for the needed ports, protocols and addresses) for the NAT.\n"
        "  - Launch an Amazon Linux NAT AMI (the community image published for exactly this use) in a public subnet.\n"
        "  - Disable the Source/Destination Check (it is on by default for every instance) of the NAT.\n"
        "  - Configure the route table of the private subnet (for example, 0.0.0.0/0 to i-1a2b3c4d) for the NAT.\n"
        "  - Allocate an EIP and associate it with the NAT instance.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("steps to set up a nat instance for a private subnet")
    assert "5. Allocate an EIP" in answer.answer[:300], answer.answer
    assert "in a public subnet" in answer.answer[:300], answer.answer  # the step's words, not its aside


def test_a_definition_is_neither_a_glossary_line_nor_the_other_term_a_heading_names(
    tmp_path: Path, fake_encoder
) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Azure notes\n\n## Abbreviations\n\n"
        "- RG = resource group, VNet = virtual network, NSG = network security group, "
        "ASG = application security group\n\n"
        "## NSG / ASG\n\n- NSG: a list of allow/deny rules attached to a subnet or a NIC\n"
        "- ASG groups VM NICs by role so NSG rules can reference the group instead of IP addresses\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("what's an asg used for").answer
    assert answer.startswith("ASG groups VM NICs by role"), answer


def test_yes_no_reads_the_part_of_a_contrast_that_says_what_is_asked(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Azure networking\n\n## Azure Private Link\n\n"
        "- service endpoints secure the public endpoint, whereas private endpoints give the service a private IP — "
        "on-prem over VPN can reach private endpoints but NOT service endpoints\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    assert engine.ask("can on prem machines reach a private endpoint over a vpn").answer.startswith("Yes")
    assert engine.ask("can on prem machines reach a service endpoint over a vpn").answer.startswith("No")


def test_the_values_a_setting_takes_are_its_range() -> None:
    intent = classify("what values can i set delayseconds to")
    assert intent.name == "limit" and intent.kinds[:1] == ("range",)


def test_a_misspelt_word_is_read_as_the_notes_word_it_is_closest_to(engine: Engine) -> None:
    spelled = engine._spelled("what are the widget vault mechanisms to protect secrts, and the delivry protocols")
    assert "secrets" in spelled and "delivery" in spelled
    # another form of a notes' word, a name the catalog knows and a short word stay as typed
    assert engine._spelled("stopping widgets fargate tunels") == "stopping widgets fargate tunnels"
    assert engine._spelled("does it keep shadows") == "does it keep shadows"


def test_a_misspelt_cue_word_still_asks_its_intent(engine: Engine) -> None:
    intent = engine._prepare("vault session token lifetme range")["intent"]  # a duration, as "lifetime" asks
    assert (intent.name, intent.unit) == ("limit", "seconds")


def test_an_answer_that_never_says_a_rare_word_asked_gives_way_to_a_passage_that_does(
    tmp_path: Path, fake_encoder
) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widget notes\n\n## AWS Config\n\n"
        "- AWS Config sends notifications to Amazon SNS when a configuration snapshot is delivered to Amazon S3.\n"
        "- AWS Config rules check the settings of each resource.\n"
        "- If a resource violates a rule, AWS Config flags it as noncompliant and notifies you through Amazon SNS.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    answer = engine.ask("aws config noncompliant alerts - which service sends them")
    assert not answer.abstained and "flags it as noncompliant" in answer.answer, answer.answer


def test_a_definition_names_its_term_without_the_service_it_is_asked_in(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Key notes\n\n## Widget KMS\n\n"
        "- Widget KMS keeps keys for widgets.\n"
        "- Widget KMS uses envelope sealing for every key.\n"
        "- Envelope Sealing\n"
        "  - Widget KMS uses envelope sealing to protect data.\n"
        "  - The sealing wraps a data key in a master key.\n"
        "- Widget endpoints\n"
        "  - To create a widget endpoint: pick the vault and the zone.\n"
        "  - A widget endpoint enables a private connection to the vault.\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    answer = engine.ask("how does widget kms envelope sealing work").answer
    assert answer.startswith("Envelope Sealing:") and "data key" in answer[:300], answer
    # "endpoints" asked: the notes' "widget endpoint"
    answer = engine.ask("explain widget endpoints").answer
    assert answer.startswith("Widget endpoints: A widget endpoint enables"), answer


def test_a_procedure_whose_title_says_only_what_was_asked_starts_with_its_steps(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Widget notes\n\n## Widget peering\n\n"
        "- Peer two widget networks:\n"
        "  - Open the first network and select Peerings under Settings\n"
        "  - Click Add and name the peering link\n"
        "  - Save and confirm the peering shows Connected\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("how to peer two widget networks").answer
    assert answer.startswith("1. Open the first network"), answer


def test_how_long_a_thing_keeps_data_asks_its_retention(engine: Engine) -> None:
    answer = engine.ask("how long can the widget queue keep messages at most")
    assert not answer.abstained and "14 days" in answer.answer[:300], answer.answer


def test_a_relation_asked_with_its_own_verb_and_plain_words_keeps_the_facts(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Messaging\n\n## Amazon SNS\n\n"
        "- Amazon SNS messages are delivered to subscribers using different methods, such as Amazon SQS, HTTP, "
        "email, SMS and AWS Lambda.\n"
        "- A fanout scenario is when an SNS message is pushed to multiple SQS queues, HTTP endpoints, or email "
        "addresses.\n"
    )
    answer = _engine_over(notes, tmp_path, fake_encoder).ask("what endpoints can sns push messages to").answer
    assert "delivers to" in answer and "Lambda" in answer[:300], answer


def test_a_list_asked_by_a_word_that_only_says_list_finds_the_table_by_its_other_list_noun() -> None:
    tables = [
        {"type": "table", "title": "S3 Storage Classes", "items": "S3 Standard\x1fGlacier"},
        {"type": "table", "title": "RDS Oracle Editions Compared", "items": "Enterprise\x1fStandard One"},
    ]
    found = compose._best_table(tables, {"storag", "tier"}, {"s3"}, "list the s3 storage tiers")
    assert found is not None and found[1]["title"] == "S3 Storage Classes" and found[0] >= 0.5
    # "engines" asks for engines, not editions; "storage gateway types" are not S3's classes
    found = compose._best_table(tables, {"engin"}, {"rds"}, "rds engines")
    assert found is None or found[0] < 0.5
    assert compose._best_table(tables, {"type"}, {"storag", "gateway"}, "storage gateway types") is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # words that only say a limit is asked are no words the figure must share
        ("highest allowed widget queue visibility timeout", "12 hours"),
        ("widget tunnels per widget vault - upper quota?", "1,000 tunnels"),
    ],
)
def test_limit_words_are_not_content(engine: Engine, question: str, expected: str) -> None:
    answer = engine.ask(question)
    assert not answer.abstained and expected in answer.answer[:300], answer.answer


def test_a_definition_asked_hyphenated_and_plural_finds_the_sentence_that_says_what_it_is(engine: Engine) -> None:
    answer = engine.ask("dead-drop boxes - explain")
    assert answer.answer.startswith("A dead drop box is a box"), answer.answer


def test_the_term_of_a_definition_question() -> None:
    from kg.qa.engine import _definition_term
    from kg.qa.link import Link

    assert _definition_term("can someone explain aws opsworks", []) == "aws opsworks"
    assert _definition_term("purpose of aws cloudtrail?", []) == "aws cloudtrail"
    assert _definition_term("what are read replicas for", []) == "read replicas"
    swf = Link("swf", "Amazon Simple Workflow Service", "amazon simple workflow", 5, 8)
    assert _definition_term("purpose of a decider in amazon simple workflow", [swf]) == "decider"


def test_the_kind_and_unit_of_limits_asked_other_ways() -> None:
    # "how long" asks no maximum when the question says "at minimum"
    assert classify("coldline - how long do objects have to stay stored at minimum").kinds == ("min",)
    assert classify("min and max visibility timeout").kinds[0] == "range"
    # "charge" says no characters; "before it times out" asks a duration
    assert classify("cool tier min retention to avoid an early deletion charge").unit == "seconds"
    assert classify("longest a lambda function can run before it times out").unit == "seconds"
    assert "timeout" in compose.content_terms("longest a lambda function can run before it times out")


def test_a_figure_whose_attribute_says_minimum_is_a_minimum() -> None:
    from kg.qa.intent import Intent

    row = {
        "subject": "https://example.org/coldline",
        "attribute": "minimum storage duration",
        "kind": "exact",
        "base_unit": "seconds",
        "value_text": "90 days",
        "subject_label": "Coldline",
        "passage_text": "Coldline | 90 days",
    }
    intent = Intent("limit", ("min",), "seconds")
    said = compose.score_limit(row, intent, {"stor"}, ["coldline"])
    unsaid = compose.score_limit({**row, "attribute": "storage duration"}, intent, {"stor"}, ["coldline"])
    assert said == unsaid + 1.5


def test_a_limit_on_things_per_container_counts_them() -> None:
    assert compose.counted_words("limit on virtual machines per availability set") == {"virtual", "machin"}
    intent = classify("limit on virtual machines per availability set", ["virtual machines", "availability set"])
    assert intent.unit == "count"
    assert compose.counted_words("limit on in-flight messages for an sqs queue") == set()  # (no "per": no count)


def test_a_long_adverb_is_no_name_an_answer_must_say() -> None:
    from kg.qa.engine import IDENTIFIER_RE

    found = IDENTIFIER_RE.findall("does azure sql enable encryption automatically on noncompliant BatchGetItem")
    assert found == ["noncompliant", "BatchGetItem"]


def test_a_catalog_name_of_words_the_notes_use_does_not_make_the_notes_silent(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Storage notes\n\n## Storage accounts\n\n"
        "- A storage account holds blobs, files, queues and tables.\n"
        "- Storage redundancy: LRS keeps three copies in one datacenter.\n"
        "- Storage access tiers: hot, cool and archive.\n"
        "- Deleting a blob early from cool storage triggers a charge.\n"
        "- Storage firewalls limit which networks reach the account.\n\n"
        "### Blob types\n\n"
        "- Block blob - text and binary files for storage\n"
        "- Append blob - optimized for logging\n"
        "- Page blob - random read/write, used for VM disks\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    answer = engine.ask("what kinds of blobs does azure storage support")
    assert not answer.abstained and "Block blob" in answer.answer and "Page blob" in answer.answer, answer.answer
    # a service the notes never name still makes them silent
    fargate = engine.ask("what is the max memory of an aws fargate task")
    assert fargate.abstained and "Fargate" in fargate.message


def test_a_glossary_line_names_its_short_forms_everywhere(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Azure notes\n\n## Abbreviations\n\n"
        "- RG = resource group, NSG = network security group, ASG = application security group\n\n"
        "## Network rules\n\n"
        "- up to 1,000 rules per NSG\n"
        "- ASG groups VM NICs by role so NSG rules can reference the group instead of IP addresses\n\n"
        "## Resource groups\n\n"
        "- Resource group: a logical container for resources that share the same lifecycle.\n\n"
        "```bash\naz group create --name rg-notes --location westeurope\n```\n"
    )
    engine = _engine_over(notes, tmp_path, fake_encoder)
    assert "ASG" in engine.names["azure-asg"]
    answer = engine.ask("application security groups - purpose").answer
    assert answer.startswith("ASG groups VM NICs by role"), answer
    # a code block that uses a name ("rg-notes") does not define it
    answer = engine.ask("rg in azure - explain").answer
    assert answer.startswith("Resource group: a logical container"), answer


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("how do standard and fifo queues differ on delivery guarantees", ["standard", "fifo queues"]),
        ("difference between a do-not-delete lock and a read-only lock", ["do-not-delete lock", "read-only lock"]),
        ("how is redis different from memcached", ["redis", "memcached"]),
        ("redis vs memcached can they persist data", ["redis", "memcached"]),
        ("how do persistent emr clusters compare to transient ones", ["persistent emr clusters", "transient clusters"]),
    ],
)
def test_the_items_a_comparison_sets_against_each_other(question: str, parts: list[str]) -> None:
    from kg.qa.engine import _comparison_parts

    assert _comparison_parts(question) == parts


def test_how_long_a_name_or_id_can_be_asks_characters() -> None:
    assert classify("how long can an sqs message id be", ["sqs message id"]).unit == "characters"
    assert classify("how long are cloudtrail logs kept", ["cloudtrail"]).unit == "seconds"
