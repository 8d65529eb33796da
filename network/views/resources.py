"""Views for resources."""
