"""The search parameters, checked once for the page and the API."""

from __future__ import annotations

from django import forms

from apps.recall.search import SearchQuery

MAX_LIMIT = 50
DEFAULT_LIMIT = 10
_DATE_HELP = "ISO 8601: 2024-05-08 or 2024-05-08T14:30:00Z"


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500, label="Search")
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        error_messages={
            "min_value": f"limit must be between 1 and {MAX_LIMIT}.",
            "max_value": f"limit must be between 1 and {MAX_LIMIT}.",
        },
    )
    as_of = forms.DateTimeField(required=False, label="As of", help_text=_DATE_HELP)
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated; a memory must have them all.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword: the field is added by name.
        self.fields["from"] = forms.DateTimeField(required=False, label="From", help_text=_DATE_HELP)
        self.fields["to"] = forms.DateTimeField(required=False, label="To", help_text=_DATE_HELP)
        self.order_fields(["q", "from", "to", "as_of", "tags", "limit"])
        for name in ("from", "to", "as_of"):
            self.fields[name].error_messages["invalid"] = f"Enter a date or date and time ({_DATE_HELP})."

    def clean(self) -> dict:
        data = super().clean()
        data["tags"] = tuple(t.strip() for t in (data.get("tags") or "").split(",") if t.strip())
        if self.errors:
            return data
        if not (data.get("q") or "").strip() and not any(data.get(n) for n in ("from", "to", "as_of", "tags")):
            self.add_error("q", "Type what to search for, or set a date or tag filter.")
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", "“To” must not be before “From”.")
        return data

    def query(self) -> SearchQuery:
        data = self.cleaned_data
        return SearchQuery(
            q=(data.get("q") or "").strip(),
            limit=data.get("limit") or DEFAULT_LIMIT,
            as_of=data.get("as_of"),
            date_from=data.get("from"),
            date_to=data.get("to"),
            tags=data["tags"],
        )
