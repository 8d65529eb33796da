"""Deliveries follow their outbox emails, take unsent ones with them when deleted, and go
when their member unsubscribes."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from network.models import User
from network.notifications import Kind, unsubscribed
from wmasn.mail.delivery import cancel_emails
from wmasn.mail.signals import emails_attempted

from . import sending
from .models import Delivery


@receiver(emails_attempted)
def copy_delivery_states(sender, ids, **kwargs):
    sending.sync_delivery_states(message_ids=ids)


@receiver(post_delete, sender=Delivery)
def cancel_unsent_email(sender, instance, **kwargs):
    if instance.message_id is not None:
        cancel_emails([instance.message_id])


@receiver(unsubscribed, sender=User)
def drop_waiting_deliveries(sender, recipient, kind, email_ids, **kwargs):
    if kind == Kind.NEWSLETTER:
        sending.drop_waiting(user=recipient, email_ids=email_ids)
