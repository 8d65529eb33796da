"""Access checks for newsletter issues and their files."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from newsletters.emails import file_key_is_valid
from newsletters.models import Issue


def get_issue_for_user(user, slug):
    """A newsletter issue the user may read: published ones for everyone, drafts and
    scheduled issues for officers and staff who edit issues; 404 otherwise."""
    return get_object_or_404(Issue.objects.visible_to(user), slug=slug)


def get_section_file(request, model, kind, pk):
    """A photo or document of an issue the user may read (a published issue for everyone,
    drafts for officers and issue editors), or of any issue with a valid signed key (a test
    email of a draft); 404 for everyone else, never a hint that the file exists."""
    file = get_object_or_404(model.objects.select_related("section__issue"), pk=pk)
    issue = file.section.issue
    if Issue.objects.visible_to(request.user).filter(pk=issue.pk).exists():
        return file, issue
    if file_key_is_valid(request.GET.get("key", ""), kind, pk):
        return file, issue
    raise Http404("No such file.")
