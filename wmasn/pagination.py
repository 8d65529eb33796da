"""Long lists are paged, so a page costs the same however large the network grows."""

from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The requested page of the queryset; a bad or out-of-range page number gives a valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
