"""Views for memberships."""
