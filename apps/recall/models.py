"""The recall index: each memory cut into passages, each passage with its
words (lexical index) and its vector (dense index)."""

from __future__ import annotations

from django.db import models

from apps.recall.fields import LexemesField, VectorField


class Passage(models.Model):
    """A few sentences of a memory. Rebuilt whole whenever the memory is
    (re)indexed; deleted with it (foreign key, CASCADE)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    memory = models.ForeignKey("memories.Memory", on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField(help_text="Order within the memory, from 0.")
    start = models.PositiveIntegerField(help_text="Offset of the passage in the memory's content.")
    text = models.TextField()
    lexemes = LexemesField(blank=True, default="")
    # Nullable, no default: a plain ADD COLUMN everywhere (SQLite would otherwise rebuild the table,
    # and with it lose the FTS5 triggers).
    analyzer = models.CharField(  # noqa: DJ001
        max_length=40,
        null=True,
        blank=True,
        help_text="The text analysis that made `lexemes` (apps.recall.text.ANALYZER); null: before it was recorded.",
    )
    embedding = VectorField(null=True, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True, default="")
    embedding_dimension = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["memory", "position"]
        constraints = [models.UniqueConstraint(fields=["memory", "position"], name="passage_unique_position")]
        indexes = [
            models.Index(fields=["project", "embedding_model"], name="passage_project_model"),
            models.Index(fields=["embedding_model"], name="passage_model"),
        ]

    def __str__(self) -> str:
        return f"{self.memory_id}#{self.position}"
