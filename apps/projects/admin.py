from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.projects.deletion import project_delete_request
from apps.projects.models import Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "created_at"]
    search_fields = ["name", "description", "id"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline]

    # A project is deleted by a background task (apps.projects.deletion), as
    # from the API and the pages: it may hold far more than one request can delete.
    def get_deleted_objects(self, objs, request: HttpRequest):
        return [f"{obj} (deleted with everything in it, as a background task)" for obj in objs], {}, set(), []

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        task = project_delete_request(project=obj, by=request.user)
        messages.info(request, f"Deleting “{obj}” as task {task.id}; it disappears when the task ends.")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            self.delete_model(request, project)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["project__name", "user__username"]
    autocomplete_fields = ["project", "user"]
