from django.contrib import admin

from apps.memories.models import Memory


@admin.register(Memory)
class MemoryAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "content_type", "processing_status", "author", "created_at"]
    list_filter = ["processing_status", "content_type", "created_at"]
    search_fields = ["title", "content", "id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["project", "author", "current_task"]
    readonly_fields = ["content_hash", "processing_status", "current_task", "created_at", "updated_at"]
