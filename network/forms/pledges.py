"""Forms for pledges."""
