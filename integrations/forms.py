"""Admin forms of the integrations app."""

from __future__ import annotations

from django import forms

from integrations.drgreen.credentials import keys_match
from integrations.drgreen.signing import InvalidKey, load_api_key, load_secret_key


class DrGreenCredentialsForm(forms.Form):
    """A tenant's Dr. Green key pair. The secret key is write-only: never shown again."""

    api_key = forms.CharField(
        label="API key",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The public key Dr. Green issued to your dispensary (base64 of a PEM key).",
    )
    secret_key = forms.CharField(
        label="Secret key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never displayed again.",
    )
    enabled = forms.BooleanField(
        label="Use Dr. Green",
        required=False,
        initial=True,
        help_text="Off: the storefront works without live Dr. Green calls.",
    )

    def __init__(self, *args, stored_secret: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_secret = stored_secret
        if stored_secret:
            self.fields[
                "secret_key"
            ].help_text = "A secret key is stored (encrypted). Leave empty to keep it, or paste a new one to replace it."

    def clean_api_key(self) -> str:
        value = "".join(self.cleaned_data["api_key"].split())
        try:
            load_api_key(value)
        except InvalidKey as exc:
            raise forms.ValidationError(f"This is not a valid Dr. Green API key: {exc}") from exc
        return value

    def clean_secret_key(self) -> str:
        value = "".join(self.cleaned_data["secret_key"].split())
        if not value and not self.stored_secret:
            raise forms.ValidationError("Enter the secret key Dr. Green issued with this API key.")
        if value:
            try:
                load_secret_key(value)
            except InvalidKey as exc:
                raise forms.ValidationError(f"This is not a valid Dr. Green secret key: {exc}") from exc
        return value

    def clean(self):
        cleaned = super().clean()
        api_key, secret = cleaned.get("api_key"), cleaned.get("secret_key") or self.stored_secret
        if api_key and secret and "secret_key" not in self.errors and not keys_match(api_key, secret):
            self.add_error("secret_key", "This secret key does not belong to this API key.")
        return cleaned
