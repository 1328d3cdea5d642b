"""The registry's migrations 0001-0009 as offices ran them, with the lock SQL module they called.

Tests build a database with these (MIGRATION_MODULES) and upgrade it with today's migrations.
_dblocks starts with an underscore so that the migration loader does not take it for a migration.
"""
