"""The background task that sends the outbox (run by `python manage.py db_worker`)."""

from django_tasks import task

from .delivery import deliver_due


@task()
def deliver_mail():
    """Send whatever is due; enqueued after each commit that wrote an email."""
    return dict(deliver_due())
