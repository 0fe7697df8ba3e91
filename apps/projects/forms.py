from django import forms

from apps.projects.models import Project, Role


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class ProjectDeleteForm(forms.Form):
    """Deleting cannot be undone: the owner types the project's name to say they mean it."""

    name = forms.CharField(label="Type the project's name to confirm", max_length=200)

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name.strip() != self.project.name.strip():
            raise forms.ValidationError(f"That is not this project's name; type “{self.project.name}” to delete it.")
        return name
