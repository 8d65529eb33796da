"""Views for agencies."""
