"""The graph in the Django admin.

Schema types are written through the same services as the schema page, so
the admin keeps their rules (unique names regardless of case, built-in types
stay, a type in use is not deleted) and takes the project's graph lock.
Entities, relationships, mentions and communities are derived from memories
by ingestion: the admin shows them but does not edit them, since an edit here
would be undone or contradicted by the next ingestion (merge entities on the
schema page; change a fact by changing its memory).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from apps.graph.models import Community, EdgeType, EdgeTypeMap, Entity, EntityType, Mention, Relationship
from apps.graph.services import schema as schema_services


class DerivedAdmin(admin.ModelAdmin):
    """Read-only: rows that ingestion derives from memories."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SchemaTypeAdmin(admin.ModelAdmin):
    """Saves and deletes through the schema services; their refusals become messages or field errors."""

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        admin_self = self

        class ServiceForm(form):
            def _post_clean(self) -> None:
                super()._post_clean()
                # The service checks the name against the project's other types
                # (regardless of case); run it in a savepoint that is undone, so a
                # refusal is a field error before anything is written.
                if self.errors:
                    return
                try:
                    admin_self.check_with_service(self.instance, self.cleaned_data)
                except ValidationError as error:
                    self.add_error(None, error)

        return ServiceForm

    def check_with_service(self, obj, data: dict) -> None:
        with transaction.atomic():
            self.save_with_service(obj, data)
            transaction.set_rollback(True)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        saved = self.save_with_service(obj, form.cleaned_data)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj) -> None:
        try:
            self.delete_with_service(obj)
        except schema_services.TypeInUse as refused:
            messages.error(request, str(refused))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(EntityType)
class EntityTypeAdmin(SchemaTypeAdmin):
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

    def save_with_service(self, obj: EntityType, data: dict) -> EntityType:
        if obj.pk is None:
            return schema_services.entity_type_create(
                project=data["project"], name=data["name"], description=data.get("description", "")
            )
        return schema_services.entity_type_update(
            entity_type=obj, name=data["name"], description=data.get("description", "")
        )

    def delete_with_service(self, obj: EntityType) -> None:
        schema_services.entity_type_delete(entity_type=obj)


@admin.register(EdgeType)
class EdgeTypeAdmin(SchemaTypeAdmin):
    list_display = ["name", "project", "source", "exclusive", "updated_at"]
    list_filter = ["source", "exclusive"]
    search_fields = ["name", "description", "project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["project"]

    def save_with_service(self, obj: EdgeType, data: dict) -> EdgeType:
        fields = {"name": data["name"], "description": data.get("description", ""), "exclusive": data["exclusive"]}
        if obj.pk is None:
            return schema_services.edge_type_create(project=data["project"], **fields)
        return schema_services.edge_type_update(edge_type=obj, **fields)

    def delete_with_service(self, obj: EdgeType) -> None:
        schema_services.edge_type_delete(edge_type=obj)


@admin.register(EdgeTypeMap)
class EdgeTypeMapAdmin(DerivedAdmin):
    list_display = ["edge_type", "source_type", "target_type", "project", "source"]
    list_filter = ["source"]
    search_fields = ["edge_type__name", "source_type__name", "target_type__name", "project__name"]
    raw_id_fields = ["project", "source_type", "target_type", "edge_type"]
    list_select_related = ["project", "source_type", "target_type", "edge_type"]


@admin.register(Community)
class CommunityAdmin(DerivedAdmin):
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
class EntityAdmin(DerivedAdmin):
    list_display = ["name", "entity_type", "project", "community", "last_seen_at"]
    list_filter = ["entity_type__name", "last_seen_at"]
    search_fields = ["name", "normalized_name", "summary", "project__name"]
    raw_id_fields = ["project", "entity_type", "community"]
    readonly_fields = ["normalized_name", "created_at", "updated_at"]
    list_select_related = ["project", "entity_type", "community"]
    date_hierarchy = "last_seen_at"
    inlines = [MentionInline]


@admin.register(Mention)
class MentionAdmin(DerivedAdmin):
    list_display = ["entity", "memory"]
    search_fields = ["entity__name", "memory__title"]
    raw_id_fields = ["memory", "entity"]
    list_select_related = ["entity", "memory"]


@admin.register(Relationship)
class RelationshipAdmin(DerivedAdmin):
    list_display = ["source", "name", "target", "project", "valid_at", "invalid_at"]
    list_filter = ["name", ("invalid_at", admin.EmptyFieldListFilter), "valid_at"]
    search_fields = ["name", "fact", "source__name", "target__name", "project__name"]
    raw_id_fields = ["project", "source", "target", "invalidated_by", "episodes"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["project", "source", "target"]
    date_hierarchy = "valid_at"
