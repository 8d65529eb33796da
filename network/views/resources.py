"""Resources: helplines, referral forms, guidance and network contacts."""

import re

from django.shortcuts import render
from django.views.decorators.http import require_safe

from network.models import Resource

# "0300 303 0547 / 0548": numbers are split on these; a short part replaces the tail
# of the number before it.
PHONE_SEPARATORS = re.compile(r"\s*(?:/|;|,|\bor\b)\s*")
SHORTEST_FULL_NUMBER = 7


def tel_href(number):
    """A tel: link for a UK number as written by people: '0800 043 4303' -> tel:+448000434303;
    '+44 (0) 7412 482791' -> tel:+447412482791; short codes such as 999 stay as they are."""
    digits = re.sub(r"\D", "", number)
    if not digits:
        return None
    if number.strip().startswith("+") or digits.startswith("00"):
        digits = digits.removeprefix("00")
        if digits.startswith("440"):
            digits = "44" + digits[3:]
        return f"tel:+{digits}"
    if len(digits) < SHORTEST_FULL_NUMBER:
        return f"tel:{digits}"
    if digits.startswith("0"):
        return f"tel:+44{digits[1:]}"
    return f"tel:+{digits}"


def phone_links(phone):
    """[(text, href)] for each number in a phone field; href is None when no digits."""
    links = []
    previous = ""
    for part in PHONE_SEPARATORS.split(phone.strip()):
        if not part:
            continue
        digit_count = len(re.sub(r"\D", "", part))
        if previous and 0 < digit_count < SHORTEST_FULL_NUMBER and part.isdigit():
            # "0548" after "0300 303 0547" means 0300 303 0548.
            part = previous[: len(previous) - len(part)] + part
        links.append((part, tel_href(part)))
        previous = part
    return links


@require_safe
def resource_list(request):
    resources = list(Resource.objects.all())
    sections = []
    for kind, label in Resource.Kind.choices:
        items = [resource for resource in resources if resource.kind == kind]
        for resource in items:
            resource.phone_links = phone_links(resource.phone) if resource.phone else []
        if items:
            sections.append({"kind": kind, "label": label, "resources": items})
    return render(request, "network/resource_list.html", {"sections": sections})
