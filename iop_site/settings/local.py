"""Settings for `make run` on one machine: no environment variables needed, DEBUG still off unless asked for."""

import os
import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, env_bool, env_list


def _local_secret_key():
    """Read the machine-local key, creating it on first use so no key is ever committed."""
    path = BASE_DIR / ".local" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]"]

# One person runs `make run`: let them approve their own changes unless SIGNOFF_TWO_PEOPLE=1.
SIGNOFF_TWO_PEOPLE = env_bool("SIGNOFF_TWO_PEOPLE", False)
