from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from apps.agents import services
from apps.agents.models import ProjectAPIKey


class KeyAddForm(forms.ModelForm):
    """Adding a key goes through the service, which makes the secret; the form only checks it first."""

    class Meta:
        model = ProjectAPIKey
        fields = ["project", "name", "scope", "created_by"]
        labels = {"created_by": "Acts for"}
        help_texts = {"created_by": "The member the key acts for; it never does more than their role allows."}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.key_check(**{name: cleaned[name] for name in ("project", "created_by", "name", "scope")})
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(ProjectAPIKey)
class ProjectAPIKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "project", "scope", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "project__name", "created_by__username"]
    autocomplete_fields = ["project", "created_by"]
    readonly_fields = ["prefix", "project", "scope", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = KeyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["project", "name", "scope", "created_by"]
        return ["name", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoke, don't delete: a revoked key stays listed with when it stopped.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        key, secret = services.key_create(
            project=obj.project, created_by=obj.created_by, name=obj.name, scope=obj.scope
        )
        obj.pk, obj.prefix, obj.created_at = key.pk, key.prefix, key.created_at
        obj._secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is shown on this response only: not stored, not put in a message.
        context = {**self.admin_site.each_context(request), "key": obj, "secret": obj._secret, "opts": self.opts}
        return TemplateResponse(request, "admin/agents/key_created.html", context)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        revoked = sum(services.key_revoke(key=key) for key in queryset)
        messages.success(request, f"{revoked} key(s) revoked.")
