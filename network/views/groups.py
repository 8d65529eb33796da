"""Views for groups."""
