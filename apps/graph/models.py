"""A project's knowledge graph: its schema (entity and edge types), the
entities and relationships ingestion extracts, and their communities."""

from __future__ import annotations

from django.db import models

from apps.core.models import TimeStampedModel

# Edges where a newer fact replaces an older one rather than adding to it.
EXCLUSIVE_EDGE_NAMES = frozenset(
    {
        "WORKS_AT",
        "WORKS_FOR",
        "LIVES_IN",
        "LOCATED_IN",
        "BASED_IN",
        "HEADQUARTERED_IN",
        "MARRIED_TO",
        "CEO_OF",
        "LEADS",
        "REPORTS_TO",
    }
)

DEFAULT_ENTITY_TYPES = {
    "Entity": "Anything that fits no more specific type.",
    "Person": "A human being, real or fictional.",
    "Organization": "A company, institution, team or other group.",
    "Location": "A place: country, city, address, building.",
    "Concept": "An idea, topic or field.",
    "Event": "Something that happened at a time.",
    "Artifact": "A made thing: product, document, tool, work.",
}


class Source(models.TextChoices):
    USER = "user", "Defined by a user"
    GENERATED = "generated", "Found by ingestion"


class EntityType(TimeStampedModel):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="entity_types")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, default="")
    attribute_schema = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.USER)

    class Meta:
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="entitytype_unique_name")]

    def __str__(self) -> str:
        return self.name


class EdgeType(TimeStampedModel):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="edge_types")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, default="")
    attribute_schema = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.USER)
    exclusive = models.BooleanField(
        default=False,
        help_text="An entity has one current target for this edge (works at, lives in): a newer fact closes the older.",
    )

    class Meta:
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="edgetype_unique_name")]

    def __str__(self) -> str:
        return self.name


class EdgeTypeMap(models.Model):
    """Which edge types may join which entity types."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="edge_type_maps")
    source_type = models.ForeignKey(EntityType, on_delete=models.CASCADE, related_name="+")
    target_type = models.ForeignKey(EntityType, on_delete=models.CASCADE, related_name="+")
    edge_type = models.ForeignKey(EdgeType, on_delete=models.CASCADE, related_name="maps")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.USER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source_type", "target_type", "edge_type"], name="edgetypemap_unique_triple"
            )
        ]

    def __str__(self) -> str:
        return f"({self.source_type}) -{self.edge_type}-> ({self.target_type})"


class Community(TimeStampedModel):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="communities")
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True, default="")
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "-member_count", "name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class Entity(TimeStampedModel):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="entities")
    name = models.CharField(max_length=255)
    normalized_name = models.CharField(max_length=255)
    entity_type = models.ForeignKey(EntityType, on_delete=models.PROTECT, related_name="entities")
    summary = models.TextField(blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")

    class Meta:
        ordering = ["project", "name"]
        verbose_name_plural = "entities"
        indexes = [models.Index(fields=["project", "normalized_name"], name="entity_project_normalized")]

    def __str__(self) -> str:
        return self.name


class EntityAlias(models.Model):
    """Another name an entity is known by: the name of an entity merged into it, so
    that a later memory's "Alice" resolves to the "Alice Chen" it was merged into."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="entity_aliases")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=255)
    normalized_name = models.CharField(max_length=255)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [models.UniqueConstraint(fields=["entity", "normalized_name"], name="entity_alias_unique")]
        indexes = [models.Index(fields=["project", "normalized_name"], name="alias_project_normalized")]

    def __str__(self) -> str:
        return f"{self.name} ({self.entity})"


class Mention(models.Model):
    """An entity named in a memory, with the type that memory gave it.

    The types its mentions give an entity are the evidence for its own: the
    type most memories support wins (resolution.better_type). Mentions written
    before types were recorded have an empty one.
    """

    memory = models.ForeignKey("memories.Memory", on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    entity_type_name = models.CharField(max_length=80, blank=True, default="", db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["memory", "entity"], name="mention_unique")]

    def __str__(self) -> str:
        return f"{self.entity} in {self.memory_id}"


class Relationship(TimeStampedModel):
    """A fact joining two entities. A later contradicting fact closes it
    (`invalid_at`) rather than deleting it, so history stays readable."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="relationships")
    source = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="incoming")
    name = models.CharField(max_length=80)
    fact = models.TextField(blank=True, default="")
    episodes = models.ManyToManyField("memories.Memory", related_name="relationships")
    valid_at = models.DateTimeField(null=True, blank=True)
    invalid_at = models.DateTimeField(null=True, blank=True)
    invalidated_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="invalidated"
    )

    class Meta:
        ordering = ["project", "source", "name"]
        indexes = [
            models.Index(fields=["project", "source", "name"], name="relationship_source_name"),
        ]

    def __str__(self) -> str:
        return f"{self.source} -{self.name}-> {self.target}"
