"""Access checks for newsletter issues."""

from django.shortcuts import get_object_or_404

from newsletters.models import Issue


def get_issue_for_user(user, slug):
    """A newsletter issue the user may read: published ones for everyone, drafts and
    scheduled issues for officers and staff who edit issues; 404 otherwise."""
    return get_object_or_404(Issue.objects.visible_to(user), slug=slug)
