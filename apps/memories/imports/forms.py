from __future__ import annotations

from django import forms

from apps.memories.imports import parsing


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImportForm(forms.Form):
    files = MultipleFileField(
        required=False,
        label="Files",
        help_text="One .jsonl, .csv or .json file, or any number of .txt and .md files (one memory each).",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste the items",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text='JSON Lines, CSV with a header row, or a JSON array, e.g. {"title": "Standup", "content": "…"}',
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("", "Detect from the file name or the text")] + list(parsing.FORMATS.items()),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = ",".join(parsing.EXTENSIONS)
        self.parsed: parsing.ParsedImport | None = None

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        text = cleaned.get("text") or ""
        if self.errors:
            return cleaned
        if files and text.strip():
            raise forms.ValidationError("Upload files or paste items, not both.")
        if not files and not text.strip():
            self.add_error("files", "Choose a file to import, or paste the items below.")
            return cleaned
        field = "files" if files else "text"
        format = cleaned.get("format") or None
        try:
            if files:
                self.parsed = parsing.read_import(format=format, files=parsing.read_uploads(files))
            else:
                self.parsed = parsing.read_import(format=format, text=text)
        except parsing.ImportRefused as refused:
            self.add_error(field, str(refused))
        return cleaned
