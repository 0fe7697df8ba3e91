"""Forms for the graph pages; the schema forms also validate the API's schema writes.

A type's name is unique in its project regardless of case (extraction matches
types case-insensitively, so "person" and "Person" would be one type to it).
Schema writes hold the project's graph lock, as ingestion's schema_sync does.
"""

from __future__ import annotations

import re

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Model

from apps.graph.models import DEFAULT_ENTITY_TYPES, EdgeType, EntityType, Relationship, Source
from apps.graph.services import lock_project_graph
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
    """Shared by both kinds of type: the project, the name's uniqueness, locked saving."""

    taken_message = "This project already has a type named “{name}”."

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.previous_name = self.instance.name if self.instance.pk else None

    def normalize_name(self, name: str) -> str:
        raise NotImplementedError

    def clean_name(self) -> str:
        name = self.normalize_name(self.cleaned_data["name"])
        others = type(self.instance).objects.filter(project=self.project, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(self.taken_message.format(name=name), code="unique")
        return name

    def save(self, commit: bool = True) -> Model | None:
        """Save under the graph lock; None (with an error on `name`) if the name was taken meanwhile."""
        schema_type = super().save(commit=False)
        schema_type.project = self.project
        schema_type.source = Source.USER  # a type someone wrote or edited is theirs now
        try:
            with transaction.atomic():
                lock_project_graph(self.project)
                schema_type.save()
                self.after_save(schema_type)
        except IntegrityError:
            self.add_error("name", self.taken_message.format(name=schema_type.name))
            return None
        return schema_type

    def after_save(self, schema_type: Model) -> None:
        pass


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
        if self.previous_name in DEFAULT_ENTITY_TYPES and name != self.previous_name:
            raise forms.ValidationError(
                f"“{self.previous_name}” is a built-in type and keeps its name; you can change its description.",
                code="builtin",
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

    def after_save(self, edge_type: Model) -> None:
        # Relationships name their edge type by name: a renamed type takes its relationships along.
        if self.previous_name and self.previous_name != edge_type.name:
            Relationship.objects.filter(project=self.project, name=self.previous_name).update(name=edge_type.name)


class TypeInUse(Exception):
    """The type cannot be deleted; the message says why and what to do instead."""


def schema_type_delete(schema_type: EntityType | EdgeType) -> None:
    """Delete an entity or edge type that nothing uses; raise TypeInUse otherwise."""
    with transaction.atomic():
        lock_project_graph(schema_type.project)
        if isinstance(schema_type, EntityType):
            if schema_type.name in DEFAULT_ENTITY_TYPES:
                raise TypeInUse(f"“{schema_type.name}” is a built-in type: ingestion relies on it, so it stays.")
            used = schema_type.entities.count()
            what = f"the type of {used} entit{'y' if used == 1 else 'ies'}"
        else:
            used = Relationship.objects.filter(project_id=schema_type.project_id, name=schema_type.name).count()
            what = f"used by {used} relationship{'' if used == 1 else 's'}"
        if used:
            raise TypeInUse(
                f"“{schema_type.name}” is {what}, so it cannot be deleted. "
                "It can go once the memories that produced them are deleted; meanwhile you can edit it."
            )
        schema_type.delete()
