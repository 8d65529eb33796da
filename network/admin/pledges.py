"""Admin for pledges."""
