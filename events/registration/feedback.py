"""After the event: feedback from those who came, and its summary for officers."""

from django import forms
from django.db.models import Avg, Count

from events.registration.models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["rating", "most_useful", "improve"]
        widgets = {
            "rating": forms.RadioSelect,
            "most_useful": forms.Textarea(attrs={"rows": 3}),
            "improve": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "rating": "Overall, how was it? (1 poor, 5 excellent)",
            "most_useful": "What was most useful to you?",
            "improve": "What could we do better?",
        }


def summary(event):
    """The count, the average rating and how many gave each rating, and the comments."""
    answers = Feedback.objects.filter(event=event)
    figures = answers.aggregate(count=Count("pk"), average=Avg("rating"))
    by_rating = dict(answers.values_list("rating").annotate(n=Count("pk")))
    return {
        "count": figures["count"],
        "average": round(figures["average"], 1) if figures["average"] is not None else None,
        "by_rating": [(rating, by_rating.get(rating, 0)) for rating in range(5, 0, -1)],
        "comments": list(
            answers.exclude(most_useful="", improve="").values("rating", "most_useful", "improve")
        ),
    }
