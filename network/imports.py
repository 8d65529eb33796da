"""Onboarding an existing network from its spreadsheet (CSV or Excel): agencies with their
sector, areas, email domains and public contacts, and people with their agency (as
invitations to send).

A plain form and preview of our own rather than django-import-export's resource flow: that
flow matched agencies by one field, wrote blank cells over good data, regenerated slugs and
showed its own tracebacks. Here an import can only add or fill in:
- a row matches an existing agency by slug, else by name in any case; its slug never changes;
- an empty cell, or a column the file does not have, leaves the field as it is;
- the preview says per row "new", "unchanged" or each changed field as old → new, and every
  problem is a sentence naming the row and the column;
- nothing is written until the officer confirms, and then in one transaction.
"""

import copy
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from network.models import Agency, Area, Invitation
from network.sheets import Column, Plan, RowPlan, cells_of, map_headers, sentence

AGENCY_COLUMNS = (
    Column("name", "Name", ("agency", "agency name", "organisation"), True, "Hope for Justice"),
    Column("slug", "Slug", ("web address", "url name"), example=""),
    Column("sector", "Sector", (), example="Third sector"),
    Column("description", "Description", ("about",), example="A charity against trafficking"),
    Column("website", "Website", ("web site", "url", "web"), example="https://example.org/"),
    Column("public_email", "Email", ("public email", "e-mail"), example="info@example.org"),
    Column("public_phone", "Phone", ("public phone", "telephone", "tel"), example="0121 000 000"),
    Column("address", "Address", (), example="1 High Street, Birmingham"),
    Column("areas", "Areas", ("area", "local areas"), example="Birmingham; Region-wide"),
    Column("email_domains", "Email domains", ("domains", "email domain"), example="example.org"),
)

PEOPLE_COLUMNS = (
    Column("email", "Email", ("email address", "e-mail"), True, "ann.lead@example.org"),
    Column("first_name", "First name", ("forename", "given name"), example="Ann"),
    Column("last_name", "Last name", ("surname", "family name"), example="Lead"),
    Column("agency", "Agency", ("organisation", "agency name"), True, "Hope for Justice"),
    Column("role", "Role", ("job title", "role at the agency"), example="Safeguarding lead"),
)


def _sector(value):
    text = value.strip().lower()
    for sector in Agency.Sector:
        if text in (sector.value, sector.label.lower(), sector.label.lower().split()[0]):
            return sector.value
    return None


def _areas(value, known):
    names = [n.strip() for n in value.replace(",", ";").split(";") if n.strip()]
    unknown = [n for n in names if n.lower() not in known]
    return [known[n.lower()] for n in names if n.lower() in known], unknown


def _domains(value):
    return "\n".join(d.strip().lower().lstrip("@") for d in re.split(r"[,;\s]+", value) if d)


def _area_names(areas):
    return "; ".join(sorted(a.name for a in areas)) or "(none)"


def plan_agencies(rows):
    """The preview of importing these rows (headers first) as agencies; writes nothing."""
    mapping, ignored, problems = map_headers(rows[0], AGENCY_COLUMNS)
    labels = {c.field: c.label for c in AGENCY_COLUMNS}
    plan = Plan(rows=[], problems=problems, ignored_columns=ignored)
    if problems:
        return plan
    known_areas = {a.name.lower(): a for a in Area.objects.all()}
    existing = list(Agency.objects.prefetch_related("areas"))
    by_slug = {a.slug: a for a in existing}
    by_name = {a.name.lower(): a for a in existing}
    claimed = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = cells_of(row, mapping)
        plan.rows.append(
            _plan_agency(number, cells, labels, known_areas, by_slug, by_name, claimed)
        )
    return plan


def _plan_agency(number, cells, labels, known_areas, by_slug, by_name, claimed):
    name = cells.get("name", "")
    slug = cells.get("slug", "")
    row = RowPlan(number=number, title=name or f"(row {number})")
    problem = row.problems.append
    if not name:
        problem(sentence(number, labels["name"], "the name is empty; every row needs one."))
    agency = by_slug.get(slug) if slug else None
    agency = agency or by_name.get(name.lower())
    key = agency.pk if agency else name.lower()
    if key in claimed:
        problem(sentence(number, labels["name"], f"row {claimed[key]} already imports {name}."))
    claimed[key] = number
    values = {}
    for field_name in ("description", "website", "public_email", "public_phone", "address"):
        if cells.get(field_name):
            values[field_name] = cells[field_name]
    if cells.get("sector"):
        sector = _sector(cells["sector"])
        if sector is None:
            choices = ", ".join(s.label for s in Agency.Sector)
            problem(sentence(number, labels["sector"], f'"{cells["sector"]}" is not {choices}.'))
        else:
            values["sector"] = sector
    if cells.get("email_domains"):
        values["email_domains"] = _domains(cells["email_domains"])
    areas = None
    if cells.get("areas"):
        areas, unknown = _areas(cells["areas"], known_areas)
        if unknown:
            problem(
                sentence(
                    number,
                    labels["areas"],
                    f"{', '.join(unknown)} is not an area; use the names of the Areas list "
                    f"({', '.join(sorted(a.name for a in known_areas.values()))}).",
                )
            )
    if agency is None:
        if "sector" not in values and not cells.get("sector"):
            problem(sentence(number, labels["sector"], "a new agency needs its sector."))
        new_slug = slug or _free_slug(name, by_slug, claimed)
        if ("slug", new_slug) in claimed:
            problem(
                sentence(
                    number,
                    labels["slug"],
                    f"row {claimed[('slug', new_slug)]} already gives {new_slug} to an agency.",
                )
            )
        claimed[("slug", new_slug)] = number
        instance = Agency(name=name, slug=new_slug, **values)
        row.kind = "new"
        row.values = {"name": name, "slug": instance.slug, **values}
    else:
        instance = copy.copy(agency)
        row.target = agency
        if name and name != agency.name:
            if by_name.get(name.lower(), agency) != agency:
                problem(sentence(number, labels["name"], f"{name} is already another agency."))
            values["name"] = name
        for field_name, new in values.items():
            old = getattr(agency, field_name)
            if str(old) != str(new):
                row.changes.append((labels.get(field_name, field_name), old or "(empty)", new))
                row.values[field_name] = new
                setattr(instance, field_name, new)
        if slug and slug != agency.slug:
            row.changes.append((labels["slug"], agency.slug, f"{agency.slug} (kept: links stay)"))
        row.kind = "changed" if row.changes else "unchanged"
    if areas is not None:
        old_areas = set(agency.areas.all()) if agency else set()
        if set(areas) != old_areas:
            row.values["areas"] = [a.pk for a in areas]
            if agency:
                row.changes.append((labels["areas"], _area_names(old_areas), _area_names(areas)))
                row.kind = "changed"
    _validate(row, instance, labels, exclude=["areas", "proposed_by"])
    if row.problems:
        row.kind = "refused"
    return row


def _free_slug(name, by_slug, claimed):
    """A slug from the name that no agency and no earlier row of the file has."""
    base = slugify(name)[:190] or "agency"
    slug, n = base, 2
    while slug in by_slug or ("slug", slug) in claimed:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate(row, instance, labels, exclude):
    """The model's own checks, for the columns not already refused with a reason."""
    said = {label for label in labels.values() if f", column {label}:" in " ".join(row.problems)}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            label = labels.get(field_name, field_name)
            if label in said:
                continue
            for message in messages:
                row.problems.append(sentence(row.number, label, message))


@transaction.atomic
def import_agencies(plan):
    """Write a checked plan: create the new agencies, fill in the changed ones."""
    if not plan.ok:
        raise ValueError("A plan with problems cannot be imported.")
    created = updated = 0
    for row in plan.rows:
        if row.kind == "unchanged":
            continue
        values = dict(row.values)
        area_ids = values.pop("areas", None)
        if row.kind == "new":
            agency = Agency(**values)
            created += 1
        else:
            agency = Agency.objects.select_for_update().get(pk=row.target.pk)
            for name, value in values.items():
                setattr(agency, name, value)
            updated += 1
        agency.full_clean(exclude=["areas"])
        agency.save()
        if area_ids is not None:
            agency.areas.set(area_ids)
    return created, updated


def plan_people(rows):
    """The preview of importing these rows (headers first) as invitations; writes nothing."""
    mapping, ignored, problems = map_headers(rows[0], PEOPLE_COLUMNS)
    labels = {c.field: c.label for c in PEOPLE_COLUMNS}
    plan = Plan(rows=[], problems=problems, ignored_columns=ignored)
    if problems:
        return plan
    agencies = {a.name.lower(): a for a in Agency.objects.all()}
    invited = {(i.email.lower(), i.agency_id): i for i in Invitation.objects.all()}
    claimed = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = cells_of(row, mapping)
        plan.rows.append(_plan_person(number, cells, labels, agencies, invited, claimed))
    return plan


def _plan_person(number, cells, labels, agencies, invited, claimed):
    email = cells.get("email", "").lower()
    row = RowPlan(number=number, title=email or f"(row {number})")
    agency_name = cells.get("agency", "")
    agency = agencies.get(agency_name.lower())
    if not email:
        row.problems.append(sentence(number, labels["email"], "the email address is empty."))
    if not agency_name:
        row.problems.append(sentence(number, labels["agency"], "the agency is empty."))
    elif agency is None:
        row.problems.append(
            sentence(
                number,
                labels["agency"],
                f'there is no agency called "{agency_name}": import the agencies first.',
            )
        )
    key = (email, agency.pk if agency else agency_name.lower())
    if key in claimed:
        row.problems.append(
            sentence(number, labels["email"], f"row {claimed[key]} already invites {email}.")
        )
    claimed[key] = number
    values = {n: cells[n] for n in ("first_name", "last_name", "role") if cells.get(n)}
    existing = invited.get((email, agency.pk)) if agency else None
    if existing is None:
        instance = Invitation(email=email, agency=agency, **values)
        row.kind = "new"
        row.values = {"email": email, "agency": agency, **values}
    else:
        instance = copy.copy(existing)
        row.target = existing
        for name, new in values.items():
            old = getattr(existing, name)
            if old != new:
                row.changes.append((labels[name], old or "(empty)", new))
                row.values[name] = new
                setattr(instance, name, new)
        row.kind = "changed" if row.changes else "unchanged"
    _validate(row, instance, labels, exclude=["agency", "invited_by", "accepted_by"])
    if row.problems:
        row.kind = "refused"
    return row


@transaction.atomic
def import_people(plan, *, by):
    """Write a checked plan as invitations, none of them sent yet."""
    if not plan.ok:
        raise ValueError("A plan with problems cannot be imported.")
    created = updated = 0
    for row in plan.rows:
        if row.kind == "new":
            invitation = Invitation(**row.values, invited_by=by)
            created += 1
        elif row.kind == "changed":
            invitation = Invitation.objects.select_for_update().get(pk=row.target.pk)
            for name, value in row.values.items():
                setattr(invitation, name, value)
            updated += 1
        else:
            continue
        invitation.full_clean(exclude=["invited_by", "accepted_by"])
        invitation.save()
    return created, updated
