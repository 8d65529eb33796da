"""Forms for working groups."""

from django import forms

from network.models import GroupMembership


class GroupCalendarForm(forms.ModelForm):
    """Whether this group's meetings go to the member's personal calendar feed."""

    class Meta:
        model = GroupMembership
        fields = ["show_in_calendar"]
        labels = {"show_in_calendar": "Show this group's meetings in my calendar"}
        help_texts = {"show_in_calendar": "Network meetings are always in your calendar feed."}
