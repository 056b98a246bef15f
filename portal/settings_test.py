"""Test settings: the real PostgreSQL and Redis, fast password hashing, plain static storage."""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_RATE_LIMITS = False
CELERY_TASK_ALWAYS_EAGER = False
SMS_SENDER = "portal.accounts.sms.memory_sender"
