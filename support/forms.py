from django import forms

from .models import Ticket

MAX_BODY = 10_000


class TicketForm(forms.ModelForm):
    body = forms.CharField(
        label="Describe the problem",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What happened, what you expected, and where (links to admin pages help).",
    )

    class Meta:
        model = Ticket
        fields = ["subject", "category", "priority"]


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 5}))
