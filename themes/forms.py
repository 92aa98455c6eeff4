from django import forms

from themes.validation import MAX_ZIP_BYTES


class ThemeUploadForm(forms.Form):
    zip_file = forms.FileField(
        label="Theme zip",
        help_text="A zip with theme.json, templates/ and static/ (at most 10 MB). See the README for the format.",
    )

    def clean_zip_file(self):
        upload = self.cleaned_data["zip_file"]
        if upload.size > MAX_ZIP_BYTES:
            raise forms.ValidationError("The zip is larger than 10 MB.")
        return upload
