#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # Development only: a `.env` written by `make run` (DEBUG=1, a generated SECRET_KEY), applied
    # only when the environment sets neither DEBUG nor SECRET_KEY. registry/devenv.py says why
    # production (gunicorn, registry.wsgi) never reads it.
    from registry import devenv

    devenv.load(Path(__file__).resolve().parent / ".env")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
