from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from apps.graph.models import Community, EdgeType, EdgeTypeMap, Entity, EntityType, Mention, Relationship


@admin.register(EntityType)
class EntityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "source", "entity_count", "updated_at"]
    list_filter = ["source"]
    search_fields = ["name", "description", "project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EntityType]:
        return super().get_queryset(request).select_related("project").annotate(entity_count=Count("entities"))

    @admin.display(ordering="entity_count", description="entities")
    def entity_count(self, obj: EntityType) -> int:
        return obj.entity_count


@admin.register(EdgeType)
class EdgeTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "source", "exclusive", "updated_at"]
    list_filter = ["source", "exclusive"]
    search_fields = ["name", "description", "project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["project"]


@admin.register(EdgeTypeMap)
class EdgeTypeMapAdmin(admin.ModelAdmin):
    list_display = ["edge_type", "source_type", "target_type", "project", "source"]
    list_filter = ["source"]
    search_fields = ["edge_type__name", "source_type__name", "target_type__name", "project__name"]
    raw_id_fields = ["project", "source_type", "target_type", "edge_type"]
    list_select_related = ["project", "source_type", "target_type", "edge_type"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "member_count", "updated_at"]
    search_fields = ["name", "summary", "project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["member_count", "created_at", "updated_at"]
    list_select_related = ["project"]
    date_hierarchy = "updated_at"


class MentionInline(admin.TabularInline):
    model = Mention
    raw_id_fields = ["memory"]
    extra = 0


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "entity_type", "project", "community", "last_seen_at"]
    list_filter = ["entity_type__name", "last_seen_at"]
    search_fields = ["name", "normalized_name", "summary", "project__name"]
    raw_id_fields = ["project", "entity_type", "community"]
    readonly_fields = ["normalized_name", "created_at", "updated_at"]
    list_select_related = ["project", "entity_type", "community"]
    date_hierarchy = "last_seen_at"
    inlines = [MentionInline]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["entity", "memory"]
    search_fields = ["entity__name", "memory__title"]
    raw_id_fields = ["memory", "entity"]
    list_select_related = ["entity", "memory"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["source", "name", "target", "project", "valid_at", "invalid_at"]
    list_filter = ["name", ("invalid_at", admin.EmptyFieldListFilter), "valid_at"]
    search_fields = ["name", "fact", "source__name", "target__name", "project__name"]
    raw_id_fields = ["project", "source", "target", "invalidated_by", "episodes"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["project", "source", "target"]
    date_hierarchy = "valid_at"
