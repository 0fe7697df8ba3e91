from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from apps.memories.models import ContentType, Memory


class TagsField(forms.CharField):
    """Comma-separated tags in the form, a list in the model."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        tags = [tag.strip() for tag in text.split(",") if tag.strip()]
        if any(len(tag) > 50 for tag in tags):
            raise forms.ValidationError("Each tag can be at most 50 characters.")
        if len(tags) > 20:
            raise forms.ValidationError("At most 20 tags.")
        return list(dict.fromkeys(tags))


class MemoryForm(forms.ModelForm):
    tags = TagsField(required=False, help_text="Separated by commas.")
    valid_at = forms.DateTimeField(
        required=False,
        label="When it happened",
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Memory
        fields = ["title", "content", "content_type", "tags", "source_description", "valid_at"]
        widgets = {"content": forms.Textarea(attrs={"rows": 10})}
        labels = {"source_description": "Source"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No `maxlength` on content: the browser would cut a long paste short
        # without a word. The server refuses it whole, with a message (services).
        self.fields["content"].help_text = f"At most {settings.MEMORY_MAX_CONTENT_CHARS:,} characters."
        self.fields["content_type"].choices = ContentType.choices

    def clean_valid_at(self):
        return self.cleaned_data.get("valid_at") or timezone.now()


class MemoryEditForm(MemoryForm):
    """The same fields and rules as a new memory's, over the memory's current values (`initial`)."""

    def clean_valid_at(self):
        value = self.cleaned_data.get("valid_at")
        before = self.initial.get("valid_at")
        # The field shows minutes: the same minute sent back is the date unchanged, not a
        # new one (which would ingest the memory again for its lost seconds).
        if value and before and value.replace(second=0, microsecond=0) == before.replace(second=0, microsecond=0):
            return before
        return value or timezone.now()
