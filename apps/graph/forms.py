"""Forms for the graph pages; the schema forms also check the shape of the API's schema writes.

They validate only: the pages and the API write through apps.graph.services
(entity_type_create, edge_type_update, ...), which apply the rules that need
the project's other types and hold the project's graph lock.
"""

from __future__ import annotations

import re

from django import forms

from apps.graph.models import EdgeType, EntityType
from apps.projects.models import Project

_ENTITY_TYPE_NAME = re.compile(r"[^\W\d_][\w -]*")
_EDGE_TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


class EntitySearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Name contains")
    type = forms.ChoiceField(required=False, label="Type")

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = EntityType.objects.filter(project=project).order_by("name").values_list("name", flat=True)
        self.fields["type"].choices = [("", "All types"), *((name, name) for name in names)]


class _SchemaTypeForm(forms.ModelForm):
    """Shared by both kinds of type: a name in the form the kind needs.

    Built without an instance, even to edit one (its fields come as `initial`):
    a form that fails then leaves the type it edits untouched.
    """

    def normalize_name(self, name: str) -> str:
        raise NotImplementedError

    def clean_name(self) -> str:
        return self.normalize_name(self.cleaned_data["name"])


class EntityTypeForm(_SchemaTypeForm):
    class Meta:
        model = EntityType
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"name": "A kind of thing, e.g. Person, Project, Drug."}

    def normalize_name(self, name: str) -> str:
        name = " ".join(name.split())
        if not _ENTITY_TYPE_NAME.fullmatch(name):
            raise forms.ValidationError(
                "Start with a letter; use letters, digits, spaces, hyphens and underscores.", code="invalid"
            )
        return name


class EdgeTypeForm(_SchemaTypeForm):
    class Meta:
        model = EdgeType
        fields = ["name", "description", "exclusive"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"name": "A relationship, e.g. WORKS_AT; spaces become underscores."}
        labels = {"exclusive": "Exclusive"}

    def normalize_name(self, name: str) -> str:
        name = re.sub(r"[\s-]+", "_", name.strip()).upper()
        if not _EDGE_TYPE_NAME.fullmatch(name):
            raise forms.ValidationError(
                "Start with a letter; use letters, digits and underscores, e.g. WORKS_AT.", code="invalid"
            )
        return name
