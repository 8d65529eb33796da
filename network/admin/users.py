"""Admin for users."""
