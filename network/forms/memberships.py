"""Forms for memberships."""
