"""The local `.env` of a development checkout: written by `make run`, read by manage.py only.

`make run` writes `.env` (DEBUG=1 and a generated SECRET_KEY) beside manage.py when it is
missing, so that the README's commands (`python manage.py import_honorees …`) run as shown
without typing DEBUG=1. The settings module never reads the file itself; manage.py calls
load() before Django starts, and load() applies the file only when all of these hold:

- the process environment sets neither DEBUG nor SECRET_KEY: a server's service definition
  sets SECRET_KEY, so a `.env` left in a production checkout is never looked at;
- the file itself says DEBUG=1: it can only ever start development, never a quiet production
  with a key from a file;
- the process was started by manage.py: gunicorn loads registry.wsgi, which never calls load(),
  so the application server refuses to start without SECRET_KEY whatever files lie around.

Values already in the environment win over the file. No dependency: KEY=VALUE lines, `#`
comments, optional quotes.
"""

import os
import secrets
import sys
from pathlib import Path

TRUE = {"1", "true", "yes", "on"}


def parse(text: str) -> dict[str, str]:
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key:
            values[key] = value
    return values


def load(path: Path, environ=os.environ) -> bool:
    """Apply a development `.env` to environ under the rules above; whether it was applied."""
    if "DEBUG" in environ or "SECRET_KEY" in environ or not path.is_file():
        return False
    values = parse(path.read_text(encoding="utf-8"))
    if values.get("DEBUG", "").strip().lower() not in TRUE:
        return False
    for key, value in values.items():
        environ.setdefault(key, value)
    return True


def write(path: Path) -> bool:
    """Write a development `.env` if there is none (make run); whether one was written."""
    if path.exists():
        return False
    demo = path.resolve().parent / "var" / "signing-demo"
    path.write_text(
        "# Development only, written by `make run`; manage.py reads it when the environment\n"
        "# sets neither DEBUG nor SECRET_KEY (see registry/devenv.py). Never used in production.\n"
        "DEBUG=1\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "# The demo signing key and trust roots `make run` makes (manage.py signing_demo_pki).\n"
        f"SIGNING_TRUST_DIR={demo / 'trust'}\n"
        f"SIGNING_PKCS12_PATH={demo / 'office.p12'}\n"
        f"SIGNING_PKCS12_PASSWORD_FILE={demo / 'office.pass'}\n",
        encoding="utf-8",
    )
    return True


if __name__ == "__main__":
    # python -m registry.devenv .env  (make run): no Django, no settings, just the file.
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
    print(f"{target}: {'written' if write(target) else 'kept'}")
