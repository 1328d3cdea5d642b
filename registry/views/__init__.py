"""Pages outside the admin."""
