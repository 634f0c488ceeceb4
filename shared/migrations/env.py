"""Alembic's environment for every component: runs on the connection `shared.migrations` hands it.

There is no alembic.ini: `shared.migrations` builds the configuration in code and puts the open
connection (inside the transaction that holds the migration lock) and the component's metadata into
`config.attributes`.
"""

from __future__ import annotations

from alembic import context

from shared.migrations import VERSION_TABLE, include_object

config = context.config
context.configure(
    connection=config.attributes["connection"],
    target_metadata=config.attributes.get("target_metadata"),
    version_table=VERSION_TABLE,
    include_object=include_object,
    compare_type=True,
    compare_server_default=False,
    # `upgrade` records the revisions it applies, in the order they ran.
    on_version_apply=config.attributes.get("on_version_apply", ()),
)
with context.begin_transaction():
    context.run_migrations()
