"""database-written trail, safe definer functions

PostgreSQL only (SQLite's file is its boundary, and nothing changes there):

- the functions the policies use to know who the login is are replaced by ones written as the
  PostgreSQL manual prescribes for ``SECURITY DEFINER``: schema-qualified, with ``pg_temp`` last in
  their search path, so a login's temporary ``app_user`` no longer decides what it may read;
- ``TEMPORARY`` on the database and ``CREATE`` on the schema are taken from ``PUBLIC``;
- the audit trail is written by the database's own triggers (who is the login), no login may
  insert into it, and stage moves and notices are checked to be what the transaction really did
  (``ir_pipeline.trail_sql``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from ir_pipeline import rights, trail_sql

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: The tables audited when this revision was written (later revisions add their own).
_AUDITED_THEN = (
    "event",
    "startup",
    "investor",
    "contact",
    "pitch",
    "deal",
    "letter_of_intent",
    "follow_up",
    "funding",
    "app_user",
    "fx_rate",
    "notify_endpoint",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = rights.schema_of(op.get_bind())
    # the old functions were unqualified; the new ones live in the schema, by the same name
    statements = [
        *rights.definer_functions_sql(schema),
        f"ALTER FUNCTION {schema}.irp_append_only() SET search_path = {rights.safe_search_path(schema)}",
        *rights.hardening_sql(schema),
        *trail_sql.install_sql(schema, _AUDITED_THEN),
    ]
    rights.run(op.get_bind(), statements)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = rights.schema_of(op.get_bind())
    rights.run(op.get_bind(), [*trail_sql.uninstall_sql(schema, _AUDITED_THEN), *rights.unharden_sql()])
