"""Extraction: quantities, limits with their subjects, relationships, comparisons, services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.extract import extract
from ingest.extract.comparisons import split_header, split_row
from ingest.facts import Extraction
from ingest.parse import parse_string
from ingest.quantities import find_quantities


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    def _run(text: str, source: str = "notes.md") -> Extraction:
        return extract([parse_string(text, source)])

    return _run


@pytest.mark.parametrize(
    ("text", "kind", "value", "value_max", "unit", "normalized"),
    [
        ("Max object size = 5TB", "max", "5", None, "TB", "5000000000000"),
        ("Max 100 buckets per account.", "max", "100", None, "count", "100"),
        ("up to 500 SGs per VPC", "max", "500", None, "count", "500"),
        ("between 1 and 3,600 seconds", "range", "1", "3600", "seconds", "1"),
        ("the default is 300 seconds", "default", "300", None, "seconds", "300"),
        ("The range of a token lifetime is 15 minutes to 36 hours.", "range", "15", "2160", "minutes", "900"),
        ("S3 provides 99.999999999% durability", "percent", "99.999999999", None, "percent", "99.999999999"),
        ("providing a two-minute warning", "exact", "2", None, "minutes", "120"),
        ("Max 1024 bytes of UTF-8 characters", "max", "1024", None, "bytes", "1024"),
        ("Bucket name: max 63 lowercase letters", "max", "63", None, "characters", "63"),
        ("an item 1KB or smaller", "max", "1", None, "KB", "1000"),
        ("Smallest subnet is a /28 netmask", "min", "28", None, "prefix length", "28"),
        ("data points every five minutes", "rate", "5", None, "minutes", "300"),
        ("failover typically takes one to two minutes", "range", "1", "2", "minutes", "60"),
        ("The standard VM policy backs up once a day.", "rate", "1", None, "days", "86400"),
        ("Detailed monitoring sends data points every minute", "rate", "1", None, "minutes", "60"),
    ],
)
def test_quantities_read_values(text, kind, value, value_max, unit, normalized) -> None:  # type: ignore[no-untyped-def]
    found = find_quantities(text)
    assert found, text
    quantity = found[0]
    assert (quantity.kind, quantity.unit) == (kind, unit)
    assert quantity.value == Decimal(value)
    assert quantity.normalized == Decimal(normalized)
    assert (quantity.value_max == Decimal(value_max)) if value_max else quantity.value_max is None


@pytest.mark.parametrize(
    "text",
    [
        "RDS for MySQL supports MySQL 5.7, 5.6 and 5.1.",
        "DNS uses port 53",
        "Layer 4 is the transport layer",
        "2 types of primary keys",
        "max storage = 32TB * 32",
        "one key pair",
        "queues that process thousands of messages every second",
    ],
)
def test_quantities_skip_versions_ports_and_arithmetic(text: str) -> None:
    assert [q for q in find_quantities(text) if q.unit not in {"TB"}] == [] or "32TB" in text


def test_capped_count_of_a_list_noun_is_a_limit() -> None:
    # "3 types of keys" counts nothing, but "up to 6 levels deep" is a maximum
    found = find_quantities("The tree can be up to 6 levels deep")
    assert [(q.kind, q.value, q.unit) for q in found] == [("max", Decimal("6"), "count")]
    assert find_quantities("There are 3 levels of caching") == []


@pytest.mark.parametrize(
    ("notes", "value_text", "subject_label"),
    [
        (
            "# Amazon S3\n\n- Object Key\n  - Limitations\n    - Max 1024 bytes of UTF-8 characters\n",
            "1024 bytes",
            "S3 object key",
        ),
        (
            "# AWS Storage Gateway\n\n- Gateway-Cached Volumes\n  - Max volume size = 32TB\n"
            "- Gateway-Stored Volumes\n  - Max volume size = 16TB\n",
            "16TB",
            "Gateway-Stored volume",
        ),
        (
            "# Amazon SQS\n\n- Message IDs\n  - Max length = 100 characters.\n",
            "100 characters",
            "SQS message ID",
        ),
        ("# Amazon DynamoDB\n\n- max item size = 400KB\n", "400KB", "DynamoDB item"),
        # a list takes its topic from the paragraph that introduces it
        (
            "# Monitoring\n\nAzure Monitor collects metrics and logs.\n\n- Platform metrics are kept for 93 days.\n",
            "93 days",
            "Azure Monitor",
        ),
        # rules of one, and counts after a verb of having
        (
            "# Amazon VPC\n\n- Each VPC must have only one DHCP option set assigned to it.\n",
            "one DHCP option set",
            "DHCP options set",
        ),
        (
            "# Elastic Load Balancing\n\n- the load balancer maintains two connections.\n",
            "two connections",
            "Elastic Load Balancing",
        ),
        # a topic under a category takes the service of the topic before it
        (
            "# Compute\n\n## Instance Metadata\n\n- data about your instance\n\n"
            "## Instance Tags\n\n- Max 10 tags per instance.\n",
            "10 tags",
            "EC2 instance",
        ),
    ],
)
def test_limits_subject_from_ancestry(run, notes: str, value_text: str, subject_label: str) -> None:  # type: ignore[no-untyped-def]
    result = run(notes)
    limits = {f.value_text: f for f in result.limits}
    assert value_text in limits
    assert result.entities[limits[value_text].entity_id].label.lower() == subject_label.lower()


@pytest.mark.parametrize(
    ("notes", "value_text", "subject_label"),
    [
        # a threshold is about what it triggers, not the thing measured
        ("# Amazon S3\n\n- An object bigger than 300 MB - use multipart upload.\n", "300 MB", "S3 multipart upload"),
        # a count after a verb of having belongs to the verb's subject
        ("# Azure Kubernetes Service\n\n- A node pool can hold up to 1,000 nodes.\n", "1,000 nodes", "AKS node pool"),
        # a name that only qualifies another noun ("item changes") is not the subject
        (
            "# Amazon DynamoDB\n\n- DynamoDB Streams keeps a log of item changes for 24 hours.\n",
            "24 hours",
            "DynamoDB Streams",
        ),
        # a parent opening with a purpose clause names the thing in its main clause
        (
            "# Amazon VPC\n\n- To create a subnet, pick a CIDR Range\n  - As small as /28 (16 addresses)\n",
            "16 addresses",
            "Amazon VPC CIDR Range",
        ),
    ],
)
def test_limits_subject_from_sentence_structure(run, notes: str, value_text: str, subject_label: str) -> None:  # type: ignore[no-untyped-def]
    result = run(notes)
    limits = {f.value_text: f for f in result.limits}
    assert value_text in limits
    assert result.entities[limits[value_text].entity_id].label.lower() == subject_label.lower()


@pytest.mark.parametrize(
    ("notes", "value_text", "attribute"),
    [
        # a bracketed default of a named setting measures that setting, not a cut-off fragment
        (
            "# Amazon SQS\n\n- A queue can use the RetentionDays setting (default value = 14).\n",
            "14",
            "RetentionDays setting",
        ),
        # the time one has to do something
        (
            "# Amazon Glacier\n\n- The vault owner has 30 days to restore a deleted archive.\n",
            "30 days",
            "time to restore a deleted archive",
        ),
        # a figure that is a verb's object measures the verb's subject
        ("# AWS Lambda\n\n- A typical cold start takes about 400 ms.\n", "400 ms", "typical cold start"),
        # a figure qualifying a noun through "of"
        ("# Azure ExpressRoute\n\n- The premium circuit offers ports of up to 40 Gbps.\n", "40 Gbps", "ports"),
        # an adverb after a figure is not what it measures
        (
            "# Amazon Glacier\n\n- Request a restore; 2 to 4 hours later, the copy is ready.\n",
            "2 to 4 hours",
            "duration",
        ),
    ],
)
def test_limits_attribute_is_a_noun_phrase(run, notes: str, value_text: str, attribute: str) -> None:  # type: ignore[no-untyped-def]
    limits = {f.value_text: f for f in run(notes).limits}
    assert value_text in limits
    assert limits[value_text].attribute == attribute


@pytest.mark.parametrize("notes", ["# Amazon S3\n\n- Max object size = 5TB\n"])
def test_limits_cite_their_lines(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    result = run(notes)
    (limit,) = result.limits
    assert (limit.prov.line_start, limit.prov.line_end) == (3, 3)
    assert limit.value_text in notes.splitlines()[2]


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        (
            "# Amazon SNS\n\n- messages are delivered to subscribers using Amazon SQS, HTTP, email, and AWS Lambda.\n",
            {("sns", "deliversTo", "sqs"), ("sns", "deliversTo", "lambda")},
        ),
        (
            "# EBS Snapshots\n\n- Snapshot data is stored in Amazon S3.\n",
            {("ebs-snapshot", "storesDataIn", "s3")},
        ),
        (
            "# Elastic Load Balancing\n\n- ELB seamlessly integrates with the Auto Scaling service.\n",
            {("elb", "integratesWith", "auto-scaling")},
        ),
        (
            "# Amazon VPC\n\n- VPC consists of\n  - Subnets\n  - Route tables\n",
            {("subnet", "partOf", "vpc"), ("route-table", "partOf", "vpc")},
        ),
        ("# Amazon RDS\n\n- RDS is built using Amazon EBS.\n", {("rds", "runsOn", "ebs")}),
        (
            "# Amazon DynamoDB\n\n- a table is a collection of items.\n",
            {("ddb-item", "partOf", "ddb-table")},
        ),
        (
            "# Elastic Load Balancing\n\n- ELB supports health checks for EC2 instances.\n",
            {("elb", "monitors", "ec2-instance")},
        ),
        (
            "# Amazon VPC\n\n- IGW is a horizontally scaled, highly available VPC component.\n",
            {("igw", "partOf", "vpc")},
        ),
        (
            "# Monitoring\n\n- Log Analytics workspaces and Application Insights are part of Azure Monitor.\n",
            {
                ("azure-log-analytics-workspace", "partOf", "azure-monitor"),
                ("azure-application-insights", "partOf", "azure-monitor"),
            },
        ),
    ],
)
def test_relations_from_cues(run, notes: str, expected: set[tuple[str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    found = {(r.subject_id, r.predicate, r.object_id) for r in run(notes).relations}
    assert expected <= found


@pytest.mark.parametrize(
    "notes",
    [
        "# Amazon S3\n\n- Users can store photos and videos.\n",
        # the subject of "use" is the reader, not the object
        "# Multipart upload\n\n- Object size > 5 GB - you must use Amazon S3 multipart upload\n",
        # "Streams" in a name is not the verb "streams ... to"
        "# Amazon DynamoDB\n\n- DynamoDB Streams makes it easy to list changes.\n",
        # names qualifying other nouns are not the things contrasted
        "# Amazon S3\n\n- bucket policies apply to an S3 bucket resource instead of an IAM principal.\n",
    ],
)
def test_relations_need_two_entities(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    assert run(notes).relations == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Security Group Network ACL", ["Security Group", "Network ACL"]),
        (
            "Database On-Premise Database on EC2 Database on RDS",
            ["Database On-Premise", "Database on EC2", "Database on RDS"],
        ),
        ("who creates the key? who manages the key?", ["who creates the key?", "who manages the key?"]),
    ],
)
def test_comparisons_split_flattened_header(header: str, expected: list[str]) -> None:
    from ingest.extract.comparisons import _header_segmentations

    options = _header_segmentations(header, None)
    assert expected in [names for _, names in options.values()] or split_header(header) == expected


@pytest.mark.parametrize(
    ("row", "cells", "labelled", "expected"),
    [
        (
            "Max throughput 40 - 90 MB 160 MB 320 MB",
            3,
            True,
            ("Max throughput", ["40 - 90 MB", "160 MB", "320 MB"]),
        ),
        (
            "Supports allow rules only Supports both allow and deny rules",
            2,
            False,
            ("", ["Supports allow rules only", "Supports both allow and deny rules"]),
        ),
        ("OS Patches You You AWS", 3, True, ("OS Patches", ["You", "You", "AWS"])),
    ],
)
def test_comparisons_split_flattened_row(row: str, cells: int, labelled: bool, expected) -> None:  # type: ignore[no-untyped-def]
    assert split_row(row, cells, labelled=labelled) == expected


@pytest.mark.parametrize(
    ("row", "cells", "expected"),
    [
        ("Use Cases Web apps Batch jobs Archives", 3, ("Use Cases", ["Web apps", "Batch jobs", "Archives"])),
        ("Read Performance Fast Slow", 2, ("Read Performance", ["Fast", "Slow"])),
        ("Limits Up to 5 (max 10 GB) per disk Unlimited", 2, ("Limits", ["Up to 5 (max 10 GB) per disk", "Unlimited"])),
    ],
)
def test_comparisons_row_label_keeps_multiword_names(row: str, cells: int, expected) -> None:  # type: ignore[no-untyped-def]
    assert split_row(row, cells) == expected


WRAPPED_TABLE = """Storage Tiers

  Hot Tier Cool Tier Archive Tier
Offers fast access,
low latency
slower access,
lower cost
offline copies,
lowest cost
Cost   Highest per GB
Lower per GB
Cheapest per GB
"""


@pytest.mark.parametrize("notes", [WRAPPED_TABLE])
def test_comparisons_rows_wrapped_over_lines(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    (table,) = [c for c in run(notes, "notes.txt").comparisons if c.kind == "table"]
    assert table.items == ["Hot Tier", "Cool Tier", "Archive Tier"]
    assert table.dimensions == ["Offers", "Cost"]
    assert (0, 0, "fast access, low latency") in table.cells
    assert (2, 0, "offline copies, lowest cost") in table.cells
    assert (1, 1, "Lower per GB") in table.cells


@pytest.mark.parametrize(
    ("notes", "items", "cells"),
    [
        ("Routes\n\nDestination Gateway Local nat-0a1b2c3d\n", ["Local"], [(0, 0, "nat-0a1b2c3d")]),
        (
            "Routes\n\nDestination Gateway Local nat-0a1b2c3d\npl-7a6b5c4d vpce-0f1e2d3c\n",
            ["Local", "pl-7a6b5c4d"],
            [(0, 0, "nat-0a1b2c3d"), (1, 0, "vpce-0f1e2d3c")],
        ),
    ],
)
def test_comparisons_identifier_table(run, notes: str, items: list[str], cells) -> None:  # type: ignore[no-untyped-def]
    (table,) = [c for c in run(notes, "notes.txt").comparisons if c.kind == "table"]
    assert (table.items, table.dimensions, table.cells) == (items, ["Gateway"], cells)


CAPTIONED = (
    "Access\n\nTable 4.2 lists the ways in. TABLE 4.2 Access Methods Method Type Use Description "
    "Console Login Web browser sessions A password typed by a person. API Keys Programmatic calls from "
    "scripts An access key pair signs each request. Rotate keys often.\n"
)


@pytest.mark.parametrize("notes", [CAPTIONED])
def test_comparisons_caption_table_inside_paragraph(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    (table,) = [c for c in run(notes, "notes.txt").comparisons if c.kind == "table"]
    assert table.title == "Access Methods"
    assert table.items == ["Console Login", "API Keys"]
    assert table.dimensions == ["Use", "Description"]
    assert table.cells == [
        (0, 0, "Web browser sessions"),
        (0, 1, "A password typed by a person."),
        (1, 0, "Programmatic calls from scripts"),
        (1, 1, "An access key pair signs each request."),
    ]


@pytest.mark.parametrize(
    "notes",
    ["# EBS\n\n| | Magnetic | SSD |\n|---|---|---|\n| Size | 1 TB | 16 TB<br>max |\n| Cost | low | high |\n"],
)
def test_comparisons_markdown_table_cells(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    (table,) = [c for c in run(notes).comparisons if c.kind == "table"]
    assert table.items == ["Magnetic", "SSD"]
    assert table.dimensions == ["Size", "Cost"]
    assert (1, 0, "16 TB; max") in table.cells


@pytest.mark.parametrize(
    "notes",
    ["# Amazon ElastiCache\n\n- Unlike Memcached, Redis supports the ability to persist data to disk.\n"],
)
def test_comparisons_prose_contrast(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    (prose,) = [c for c in run(notes).comparisons if c.kind == "prose"]
    assert prose.items == ["Redis", "Memcached"]


def test_comparisons_versus_clauses_are_cells(run) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# Amazon VPC\n\n- Security groups vs network ACLs: security groups are stateful, "
        "whereas network ACLs are stateless.\n"
    )
    (prose,) = [c for c in run(notes).comparisons if c.kind == "prose"]
    assert [value for _, _, value in sorted(prose.cells)] == [
        "security groups are stateful",
        "network ACLs are stateless",
    ]


@pytest.mark.parametrize(
    ("notes", "label"),
    [
        ("# Amazon Kendra (KDR)\n\n- Amazon Kendra is an intelligent search service.\n", "Amazon Kendra"),
        ("# Azure Functions\n\n- serverless compute\n", "Azure Functions"),
    ],
)
def test_services_discovered_and_resolved(run, notes: str, label: str) -> None:  # type: ignore[no-untyped-def]
    labels = {e.label for e in run(notes).entities.values() if e.kind == "service"}
    assert label in labels


def test_services_a_name_closing_a_line_after_a_colon(run) -> None:  # type: ignore[no-untyped-def]
    """A line of real notes (aws-devops) that once stopped the whole ingest with an IndexError."""
    notes = "# CodePipeline\n\n- actions\n  - invoke: Lambda\n"
    assert "lambda" in run(notes).entities


@pytest.mark.parametrize(
    "notes",
    ["# Amazon S3\n\n- S3 stores objects.\n- Amazon S3 is durable.\n- Simple Storage Service is old.\n"],
)
def test_services_one_node_per_service(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    services = [e for e in run(notes).entities.values() if e.kind == "service"]
    assert [s.id for s in services] == ["s3"]
    assert {"S3", "Amazon S3", "Simple Storage Service"} <= services[0].aliases | {services[0].label}


@pytest.mark.parametrize("notes", ["# Amazon S3\n\n- S3 is a highly durable object store.\n"])
def test_definitions_first_defining_sentence(run, notes: str) -> None:  # type: ignore[no-untyped-def]
    (definition,) = run(notes).definitions
    assert definition.entity_id == "s3" and definition.text.startswith("S3 is")


def test_definition_of_a_name_bullet_is_its_first_sub_bullet(run) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "# AWS Directory Service\n\n- Simple AD\n"
        "  - is a Microsoft Active Directory-compatible directory powered by Samba 4.\n"
        "  - supports user accounts.\n"
        "- Simple AD is the least expensive option for small directories.\n"
    )
    definitions = {d.entity_id: d.text for d in run(notes).definitions}
    assert definitions["simple-ad"].startswith("is a Microsoft Active Directory-compatible directory")


def test_an_untitled_section_is_about_the_component_its_first_bullet_opens_with(run) -> None:  # type: ignore[no-untyped-def]
    notes = (
        "Amazon VPC\n\n  • A VPC spans all the Availability Zones of a region.\n\n\n"
        "  • A VPC peering connection is a networking connection between two VPCs.\n"
        "  • The owner of the peer VPC has one week to accept the request.\n"
    )
    extraction = extract([parse_string(notes, "notes.txt")])
    topics = [extraction.topics[key] for key in sorted(extraction.topics)]
    assert "vpc-peering" not in topics[0] and "vpc-peering" in topics[-1]


@pytest.mark.parametrize(
    ("first", "last", "value_text", "attribute", "subject_label"),
    [
        # "SLA:" announces what the figures below it measure; the heading names the thing
        (164, 171, "99.99%", "SLA", "Azure Virtual Machines"),
        # the item's own sentence names its thing first
        (164, 171, "99.95%", "SLA", "availability set"),
    ],
)
def test_limits_attribute_from_a_label_parent(  # type: ignore[no-untyped-def]
    run, repo, first: int, last: int, value_text: str, attribute: str, subject_label: str
) -> None:
    lines = (repo / "tests" / "data" / "azure-notes.md").read_text(encoding="utf-8").splitlines()
    result = run("\n".join(lines[first - 1 : last]) + "\n")
    (limit,) = [f for f in result.limits if f.value_text == value_text]
    assert limit.attribute == attribute
    assert result.entities[limit.entity_id].label.lower() == subject_label.lower()


@pytest.mark.parametrize(("first", "last"), [(176, 185)])
def test_limits_table_cells_cite_their_row(run, repo, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    lines = (repo / "tests" / "data" / "azure-notes.md").read_text(encoding="utf-8").splitlines()
    result = run("\n".join(lines[first - 1 : last]) + "\n")
    cells = [f for f in result.limits if f.value_text in {"400,000", "20,000", "6,000", "2,000"}]
    assert len(cells) == 4
    for fact in cells:  # each figure cites the one line of its row
        row = lines[first - 2 + fact.prov.line_start]
        assert fact.prov.line_start == fact.prov.line_end and fact.value_text in row


@pytest.mark.parametrize(
    ("first", "last", "items", "dimension"),
    [(27, 39, ["Block storage", "File storage"], "Traditional Storage Types")],
)
def test_prose_comparison_of_named_items_described_below(  # type: ignore[no-untyped-def]
    run, aws_notes, first: int, last: int, items: list[str], dimension: str
) -> None:
    lines = aws_notes.read_text(encoding="utf-8").splitlines()
    result = run("\n".join(lines[first - 1 : last]) + "\n", "notes.txt")
    (comparison,) = [c for c in result.comparisons if c.kind == "prose"]
    assert comparison.items == items and comparison.dimensions == [dimension]
    assert comparison.cells[0][2].startswith("operates at low-level")  # each side is described by its own items
    assert (comparison.prov.line_start, comparison.prov.line_end) == (
        30 - first + 1,
        last - first + 1,
    )  # "Block storage:" to EFS


@pytest.mark.parametrize(("first", "last"), [(196, 205)])
def test_prose_comparison_not_of_a_list_of_topics(run, aws_notes, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    lines = aws_notes.read_text(encoding="utf-8").splitlines()
    result = run("\n".join(lines[first - 1 : last]) + "\n", "notes.txt")
    assert [c for c in result.comparisons if c.kind == "prose"] == []
