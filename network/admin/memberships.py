"""Admin for memberships."""
