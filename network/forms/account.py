"""Forms for a person's own account: deleting it, after giving their password again."""

from django import forms


class DeleteAccountForm(forms.Form):
    """Re-authentication before the account is deleted."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you, type the password you log in with.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password

    def clean(self):
        cleaned = super().clean()
        if self.user.is_superuser:
            raise forms.ValidationError(
                "A superuser account can't be deleted here: ask another administrator to "
                "remove your superuser status first, so that someone can still run the portal.",
                code="superuser",
            )
        return cleaned
