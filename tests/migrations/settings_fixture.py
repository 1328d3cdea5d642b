"""Settings for building a throwaway database with a chosen set of registry migrations.

REGISTRY_MIGRATIONS names the migrations package (today's by default, or a frozen copy such
as tests.data.migrations_0009); DATABASE_URL names the database, as for registry.settings.
"""

import os

from registry.settings import *  # noqa: F403

MIGRATION_MODULES = {"registry": os.environ.get("REGISTRY_MIGRATIONS", "registry.migrations")}
