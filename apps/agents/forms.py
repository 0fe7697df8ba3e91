from django import forms

from apps.projects.access import Scope


class KeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Who or what uses it, e.g. “Claude Desktop on my laptop”.", strip=True
    )
    scope = forms.ChoiceField(
        choices=Scope.choices,
        initial=Scope.READ,
        help_text="Read: search, get and list. Read and write: also add and delete memories, cancel tasks.",
    )
