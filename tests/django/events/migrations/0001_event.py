"""The partitioned table events_event and its partman policy, in this migration's one transaction."""
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql="""
                        CREATE TABLE events_event (
                            id bigserial,
                            created_at timestamptz NOT NULL,
                            payload jsonb NOT NULL,
                            PRIMARY KEY (id, created_at)
                        ) PARTITION BY RANGE (created_at)
                    """,
                    reverse_sql="DROP TABLE events_event",
                ),
                migrations.RunSQL(
                    sql="""
                        SELECT partman.manage('events_event', partition_interval => '1 day', premake => 7,
                                              retention => '90 days', retention_action => 'archive',
                                              archive_to => 'file:///var/lib/partman/archive',
                                              default_partition => true)
                    """,
                    reverse_sql="SELECT partman.unmanage('events_event')",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("created_at", models.DateTimeField()),
                        ("payload", models.JSONField(default=dict)),
                    ],
                ),
            ],
        ),
    ]
