from django.contrib import admin

from apps.tasks.models import TaskLog, TaskStage


class TaskStageInline(admin.TabularInline):
    model = TaskStage
    extra = 0
    can_delete = False
    readonly_fields = ["progress", "message", "at"]


@admin.register(TaskLog)
class TaskLogAdmin(admin.ModelAdmin):
    list_display = ["id", "task_type", "status", "progress", "message", "subject_label", "project", "created_at"]
    list_filter = ["status", "task_type", "created_at"]
    search_fields = ["id", "subject_label", "subject_id", "error"]
    date_hierarchy = "created_at"
    raw_id_fields = ["project", "created_by", "parent", "retry_of"]
    readonly_fields = [f.name for f in TaskLog._meta.fields]
    inlines = [TaskStageInline]
