from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from apps.accounts import throttle


class LoginForm(AuthenticationForm):
    """Counts failed attempts, and refuses before checking the password once there were too many."""

    seconds_blocked = 0

    def clean(self):
        username = str(self.data.get("username", ""))
        if wait := throttle.seconds_blocked(self.request, username):
            self.seconds_blocked = wait
            raise ValidationError(throttle.wait_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(self.request, username)
            raise
        throttle.clear(self.request, username)
        return cleaned


class SignUpForm(DjangoUserCreationForm):
    class Meta(DjangoUserCreationForm.Meta):
        model = User
        fields = ["username", "email"]
