from django.contrib import admin, messages

from apps.tasks import services
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
    actions = ["cancel_tasks", "retry_tasks"]

    @admin.action(description="Cancel the selected tasks")
    def cancel_tasks(self, request, queryset):
        asked = sum(services.task_request_cancel(task) for task in queryset)
        skipped = queryset.count() - asked
        self.message_user(request, f"Asked {asked} task(s) to stop; {skipped} had already finished.")

    @admin.action(description="Retry the selected tasks")
    def retry_tasks(self, request, queryset):
        started, refused = 0, []
        for task in queryset:
            try:
                services.task_retry(task, by=request.user)
                started += 1
            except services.RetryRefused as exc:
                refused.append(f"{task.id}: {exc}")
        self.message_user(request, f"Started {started} new attempt(s).")
        for reason in refused:
            self.message_user(request, reason, level=messages.WARNING)
