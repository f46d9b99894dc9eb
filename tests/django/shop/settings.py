"""Settings of the test project: one app (events) with a partitioned model, on PostgreSQL.

libpq takes the server and the role from the environment (PGHOST, PGPORT, PGUSER); the database is
SHOP_DATABASE (default shop). Django's test database is made from the template database that holds
partman's schema (SHOP_TEST_TEMPLATE, default partman_template; empty: Django's default, template1).
"""
import os

SECRET_KEY = "partman-test-project-not-secret"
DEBUG = False
ALLOWED_HOSTS = []
INSTALLED_APPS = ["events"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("SHOP_DATABASE", "shop"),
        "TEST": {"TEMPLATE": os.environ.get("SHOP_TEST_TEMPLATE", "partman_template") or None},
    }
}
