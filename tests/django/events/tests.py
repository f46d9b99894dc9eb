"""What a project's own tests see: Django's test database, made from the template that holds partman's
schema, gets the table and its policy from the migration, and rows land in the default partition that
partman.manage() created (no partman run happens there)."""
from datetime import timedelta

from django.db import connection
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from events.models import Event


class EventTests(TestCase):
    def test_write_and_read(self):
        now = timezone.now()
        first = Event.objects.create(created_at=now, payload={"kind": "signup", "user": 1})
        Event.objects.bulk_create(
            Event(created_at=now + timedelta(days=d), payload={"kind": "visit", "day": d}) for d in range(1, 4)
        )
        self.assertEqual(Event.objects.count(), 4)
        self.assertEqual(Event.objects.get(pk=first.pk).payload, {"kind": "signup", "user": 1})
        later = Event.objects.filter(created_at__gte=now + timedelta(hours=12)).order_by("created_at")
        self.assertEqual([e.payload["day"] for e in later], [1, 2, 3])
        kinds = dict(Event.objects.values_list("payload__kind").annotate(n=Count("id")))
        self.assertEqual(kinds, {"signup": 1, "visit": 3})
        Event.objects.filter(payload__kind="visit").update(payload={"kind": "seen"})
        self.assertEqual(Event.objects.filter(payload__kind="seen").count(), 3)
        first.delete()
        self.assertEqual(Event.objects.count(), 3)

    def test_policy_and_default_partition(self):
        Event.objects.create(created_at=timezone.now(), payload={})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT partition_interval, premake, retention, retention_action, default_partition"
                " FROM partman.policy WHERE parent_schema = 'public' AND parent_table = 'events_event'"
            )
            self.assertEqual(cursor.fetchall(), [("1 day", 7, "90 days", "archive", True)])
            cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM events_event")
            self.assertEqual(cursor.fetchall(), [("events_event_default",)])
