"""Views for pledges."""
