"""What the graph API returns and accepts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.graph.models import Community, EdgeType, Entity, EntityType, Relationship


class EntityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(source="entity_type.name")


class CommunityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "name", "summary", "member_count"]


class EntitySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="entity_type.name")
    community_id = serializers.IntegerField(allow_null=True)
    degree = serializers.IntegerField(help_text="Current relationships, either way.")
    mention_count = serializers.IntegerField(help_text="Memories that mention it.")

    class Meta:
        model = Entity
        fields = [
            "id",
            "name",
            "type",
            "summary",
            "community_id",
            "degree",
            "mention_count",
            "first_seen_at",
            "last_seen_at",
        ]


class RelationshipSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()
    invalidated_by_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Relationship
        fields = [
            "id",
            "name",
            "fact",
            "source",
            "target",
            "valid_at",
            "invalid_at",
            "current",
            "invalidated_by_id",
            "created_at",
        ]

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    def get_source(self, relationship: Relationship) -> dict:
        return {"id": relationship.source_id, "name": relationship.source.name}

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    def get_target(self, relationship: Relationship) -> dict:
        return {"id": relationship.target_id, "name": relationship.target.name}

    def get_current(self, relationship: Relationship) -> bool:
        return relationship.invalid_at is None


class MentionSerializer(serializers.Serializer):
    memory_id = serializers.UUIDField(source="id")
    title = serializers.CharField()
    valid_at = serializers.DateTimeField()


class EntityDetailSerializer(serializers.ModelSerializer):
    """One entity with (the first of) its relationships, either way, and the memories that mention it.

    The view passes the lists and counts in the context.
    """

    type = serializers.CharField(source="entity_type.name")
    degree = serializers.IntegerField()
    community = CommunityRefSerializer(allow_null=True)
    relationships = serializers.SerializerMethodField(help_text="The first 100; see /relationships/?entity=<id>.")
    relationship_count = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField(help_text="The 50 most recent.")
    mention_count = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = [
            "id",
            "name",
            "type",
            "summary",
            "attributes",
            "degree",
            "community",
            "first_seen_at",
            "last_seen_at",
            "relationships",
            "relationship_count",
            "mentions",
            "mention_count",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(RelationshipSerializer(many=True))
    def get_relationships(self, entity: Entity) -> list[dict]:
        return RelationshipSerializer(self.context["relationships"], many=True).data

    def get_relationship_count(self, entity: Entity) -> int:
        return self.context["relationship_count"]

    @extend_schema_field(MentionSerializer(many=True))
    def get_mentions(self, entity: Entity) -> list[dict]:
        return MentionSerializer(self.context["memories"], many=True).data

    def get_mention_count(self, entity: Entity) -> int:
        return self.context["mention_count"]


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(source="entity_type.name")
    degree = serializers.IntegerField()


class CommunitySerializer(serializers.ModelSerializer):
    top_members = serializers.SerializerMethodField(help_text="Its best-connected members, at most 10.")

    class Meta:
        model = Community
        fields = ["id", "name", "summary", "member_count", "top_members", "created_at", "updated_at"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_top_members(self, community: Community) -> list[dict]:
        return MemberSerializer(self.context["members"].get(community.id, []), many=True).data


class GraphNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    community_id = serializers.IntegerField(allow_null=True)
    degree = serializers.IntegerField()
    depth = serializers.IntegerField(required=False, help_text="Neighbourhoods only: steps from the centre.")


class GraphEdgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.IntegerField()
    target = serializers.IntegerField()
    name = serializers.CharField()
    fact = serializers.CharField()
    weight = serializers.IntegerField(help_text="How many memories support it; edges come strongest first.")


class GraphSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True, help_text="Current relationships among the nodes.")
    total_nodes = serializers.IntegerField(help_text="How many entities there were to show before the cap.")
    truncated = serializers.BooleanField(help_text="Whether the caps left nodes or edges out.")
    limit = serializers.IntegerField()
    center = serializers.IntegerField(required=False)
    depth = serializers.IntegerField(required=False)


class TaskStartedSerializer(serializers.Serializer):
    task_id = serializers.UUIDField()


# -- schema -----------------------------------------------------------------------------


class EntityTypeSerializer(serializers.ModelSerializer):
    entity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = EntityType
        fields = ["id", "name", "description", "attribute_schema", "source", "entity_count", "created_at", "updated_at"]


class TripleSerializer(serializers.Serializer):
    source_type = serializers.CharField()
    target_type = serializers.CharField()


class EdgeTypeSerializer(serializers.ModelSerializer):
    relationship_count = serializers.IntegerField(read_only=True)
    triples = serializers.SerializerMethodField(help_text="The (source type, target type) pairs it has joined.")

    class Meta:
        model = EdgeType
        fields = [
            "id",
            "name",
            "description",
            "attribute_schema",
            "source",
            "exclusive",
            "relationship_count",
            "triples",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(TripleSerializer(many=True))
    def get_triples(self, edge_type: EdgeType) -> list[dict]:
        pairs = self.context.get("triples", {}).get(edge_type.id, [])
        return [{"source_type": source, "target_type": target} for source, target in pairs]


class EntityTypeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(allow_blank=True, required=False, default="")


class EdgeTypeInputSerializer(EntityTypeInputSerializer):
    exclusive = serializers.BooleanField(required=False, default=False)
