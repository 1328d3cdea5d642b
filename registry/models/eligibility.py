"""Eligibility rules as data (filled in by the eligibility work)."""
