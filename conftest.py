"""Loaded before Django is configured: test runs need no environment of their own."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
