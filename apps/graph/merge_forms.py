"""The form for merging two entities by hand (the service is services.entity_merge)."""

from __future__ import annotations

from django import forms

from apps.graph.models import Entity
from apps.projects.models import Project


class EntityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entity: Entity) -> str:
        return f"{entity.name} ({entity.entity_type.name})"


class EntityMergeForm(forms.Form):
    keep = EntityChoiceField(queryset=Entity.objects.none(), label="Keep", help_text="Its name and type stay.")
    merge = EntityChoiceField(
        queryset=Entity.objects.none(),
        label="Merge into it",
        help_text="Its mentions and relationships move to the one kept; then it is deleted.",
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        entities = Entity.objects.filter(project=project).select_related("entity_type").order_by("name", "id")
        self.fields["keep"].queryset = entities
        self.fields["merge"].queryset = entities

    def clean(self) -> dict:
        data = super().clean()
        if data.get("keep") is not None and data.get("keep") == data.get("merge"):
            self.add_error("merge", "Choose a different entity from the one kept.")
        return data
