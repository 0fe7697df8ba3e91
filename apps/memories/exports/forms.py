from django import forms

from apps.memories.exports.formats import FORMATS


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(name, chosen.label) for name, chosen in FORMATS.items()],
        initial="jsonl",
        widget=forms.RadioSelect,
        label="Format",
    )
