"""Certificate layouts, print logs and print jobs (filled in by the printing work)."""
