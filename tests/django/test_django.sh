#!/usr/bin/env bash
# The Django project of tests/django, as README's Django section sets it up, on a throwaway server: migrate
# creates the partitioned table and its policy in one transaction, rows written through the ORM land in the
# default partition and, after `partman apply`, in their partitions with none lost, and `manage.py test`
# passes on a test database made from a template that holds partman's schema (and fails without it).
# Needs Debian's python3-django and python3-psycopg2 (packaging/bootstrap.sh installs them); exits 77
# (skipped) without them.
# Usage: tests/django/test_django.sh PARTMAN_BINARY
set -euo pipefail
partman=$(realpath "$1")
here=$(dirname "$(realpath "$0")")

# The first Python that has both: python3 on PATH, else Debian's (a pyenv or venv python3 on PATH does not
# see Debian's packages).
python=
for candidate in python3 /usr/bin/python3; do
  if version=$("$candidate" -c 'import django, psycopg2; print(django.get_version())' 2>&1); then
    python=$(command -v "$candidate")
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIPPED: the Django test needs python3-django and python3-psycopg2 (packaging/bootstrap.sh installs" \
    "them): ${version##*$'\n'}"
  exit 77
fi
echo "Django $version ($python)"
PARTMAN="$partman" PYTHON="$python" "$(dirname "$here")/pg_temp.sh" bash "$here/django_db.sh"
