"""Long lists are paged, so a page costs the same however large the network grows."""

from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page=PAGE_SIZE, count=None):
    """The requested page of the queryset; a bad or out-of-range page number gives a valid page.
    A caller that already knows how many rows there are passes `count`, saving a COUNT query."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value.
    return paginator.get_page(request.GET.get("page"))
