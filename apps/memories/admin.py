from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.memories import services
from apps.memories.models import Memory


@admin.register(Memory)
class MemoryAdmin(admin.ModelAdmin):
    """Read-only but for deletes, which go through memory_delete (the graph
    support the memory gave is withdrawn). An edit must re-hash and re-ingest:
    that is the API's and the pages' job, not a form over the row. Memories in
    a trash are listed too (filter by "In the trash"); a delete here is forever."""

    list_display = ["title", "project", "content_type", "processing_status", "author", "created_at", "deleted_at"]
    list_filter = ["processing_status", "content_type", "created_at", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "content", "id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["project", "author", "current_task"]
    readonly_fields = ["content_hash", "processing_status", "current_task", "created_at", "updated_at", "deleted_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Memory]:
        return Memory.all_objects.select_related("project", "author")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Memory | None = None) -> bool:
        return False

    def get_deleted_objects(self, objs, request: HttpRequest):
        # memory_delete withdraws what the memory gave the graph (its mentions,
        # its support of relationships) itself; the admin shows those rows
        # read-only, so their delete permission is not one a user needs here.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: Memory) -> None:
        services.memory_delete(memory=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Memory]) -> None:
        for memory in queryset.select_related("project", "current_task"):
            services.memory_delete(memory=memory)
