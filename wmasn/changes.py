"""Writes that bypass model signals still say so: `rows_changed` and `data_replaced`.

Django sends post_save and post_delete per object, but not for QuerySet.update(),
bulk_create() or bulk_update(), nor for a restore that replaces the whole database. Caches
that follow the data (the calendar feeds, events/feeds.py) listen to these two signals too.
Lower apps send them; higher apps connect to them, so the dependencies still run one way.
"""

import hashlib

from django.db import connections, models
from django.dispatch import Signal
from django.utils import timezone

# Sent after rows of `sender` (a model class) changed without their per-object signals.
rows_changed = Signal()
# Sent after the whole database was replaced (a restore): every cache of it is stale.
data_replaced = Signal()


class SignallingQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes send `rows_changed`, and whose update() moves
    `auto_now` fields (such as updated_at) as save() would."""

    def update(self, **kwargs):
        now = None
        for field in self.model._meta.concrete_fields:
            if getattr(field, "auto_now", False) and field.name not in kwargs:
                now = now or timezone.now()
                kwargs[field.name] = now
        count = super().update(**kwargs)
        if count:
            rows_changed.send(sender=self.model, fields=frozenset(kwargs))
        return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            rows_changed.send(sender=self.model, fields=None)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if count:
            rows_changed.send(sender=self.model, fields=frozenset(fields))
        return count


_identities = {}


def identity_of(settings_dict):
    """A short name for a database (engine, host, port and name): caches of its data put it
    in their keys, so two databases sharing one cache never read each other's entries."""
    raw = "|".join(
        str(settings_dict.get(part) or "") for part in ("ENGINE", "HOST", "PORT", "NAME")
    )
    identity = _identities.get(raw)
    if identity is None:
        identity = _identities[raw] = hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()
    return identity


def database_identity(alias="default"):
    """identity_of() the database this process uses."""
    return identity_of(connections[alias].settings_dict)
