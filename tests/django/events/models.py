from django.db import models


class Event(models.Model):
    """One event; its table events_event is partitioned by day on created_at (see migrations/0001_event.py).

    The table's primary key is (id, created_at), as a partitioned table's unique keys must hold the
    partition key; Django knows id as the primary key, which one sequence keeps unique.
    """

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField()
    payload = models.JSONField(default=dict)
