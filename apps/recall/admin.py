from django.contrib import admin

from apps.recall.models import Passage


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    """Read-only: passages are made by indexing and go with their memory."""

    list_display = ["memory", "position", "embedding_model", "embedding_dimension", "created_at"]
    list_filter = ["embedding_model"]
    search_fields = ["text"]
    readonly_fields = ["project", "memory", "position", "start", "text", "embedding_model", "embedding_dimension"]
    exclude = ["lexemes", "embedding"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
