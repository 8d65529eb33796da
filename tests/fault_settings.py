"""The production settings for the fault test (tests/test_faults.py), with one change:
static files are served by WhiteNoise from the app directories instead of a collected,
hashed copy, because collectstatic costs the test most of a minute of CPU and static files
play no part in the faults it injects."""

from wmasn.settings.prod import *  # noqa: F403
from wmasn.settings.prod import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
