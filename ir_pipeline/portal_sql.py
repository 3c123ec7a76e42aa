"""The share-link server's rights on PostgreSQL: rows scoped by the database, by the link.

``irp serve`` connects as a login in the group ``irp_portal``, which has no rights of its own on
company rows. Each request sets the hash of the token it was given in a transaction-local setting
(``irp.share_token_hash``); the policies below admit only the rows of the startup or the event
that a live link (not expired, not revoked) with that hash names. The link table itself is out of
the portal's reach: definer functions read it, written as PostgreSQL's manual prescribes
(schema-qualified, ``pg_temp`` last on their search path, ``EXECUTE`` only for the portal). So a
server process that is compromised, or simply wrong, reads another company only by holding that
company's token: changing an id in a query opens nothing.

What a portal reads is what a startup's own login reads of those rows (the same column grants:
no internal note, no reason for a move), and it writes nothing but the views of its link.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir_pipeline.rights import STARTUP_HIDDEN, hidden_columns_sql, safe_search_path

GROUP = "irp_portal"
SETTING = "irp.share_token_hash"

_LINK = "(SELECT irp_share_link())"
_STARTUP = "(SELECT irp_share_startup())"
_EVENT = "(SELECT irp_share_event())"
_DEALS = "deal_id IN (SELECT id FROM deal)"  # the deal table's own policy scopes the subquery

#: The rows a portal reads, table by table (every other table: none).
PORTAL_SEES: dict[str, str] = {
    "deal": f"startup_id = {_STARTUP} OR event_id = {_EVENT}",
    "startup": f"id = {_STARTUP} OR id IN (SELECT startup_id FROM deal)",
    "investor": "id IN (SELECT investor_id FROM deal)",
    "event": f"id = {_EVENT} OR id IN (SELECT event_id FROM deal)",
    "letter_of_intent": _DEALS,
    "follow_up": _DEALS,
    "funding": _DEALS,
    "stage_change": _DEALS,
    "funnel_sum": f"(scope = 's' AND scope_id = {_STARTUP}) OR (scope = 'e' AND scope_id = {_EVENT})",
    "fx_rate": "true",
    "database_info": "true",
}


def _functions(schema: str) -> list[str]:
    live = (
        f"FROM {schema}.share_link WHERE token_hash = pg_catalog.current_setting('{SETTING}', true)"
        " AND revoked_at IS NULL AND expires_at > pg_catalog.now()"
    )
    made = []
    for name, column in (("link", "id"), ("startup", "startup_id"), ("event", "event_id")):
        made += [
            f"""CREATE OR REPLACE FUNCTION {schema}.irp_share_{name}() RETURNS integer
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {safe_search_path(schema)}
            AS $$ SELECT {column} {live} $$""",
            f"REVOKE ALL ON FUNCTION {schema}.irp_share_{name}() FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {schema}.irp_share_{name}() TO {GROUP}",
        ]
    return made


def install_sql(connection: sa.Connection, schema: str) -> list[str]:
    """The group, its functions, grants and policies (run by the migration, as the owner)."""
    statements = [
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'irp_portal') THEN"
        " BEGIN CREATE ROLE irp_portal NOLOGIN;"
        " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END; END IF; END $$",
        f"GRANT USAGE ON SCHEMA {schema} TO {GROUP}",
        f"GRANT SELECT ON alembic_version TO {GROUP}",
        *_functions(schema),
    ]
    for table, rows in PORTAL_SEES.items():
        statements += [
            f"GRANT SELECT ON {table} TO {GROUP}",
            f"CREATE POLICY irp_portal_read ON {table} FOR SELECT TO {GROUP} USING ({rows})",
        ]
    statements += columns_sql(connection)
    statements += [
        f"GRANT INSERT ON share_view TO {GROUP}",
        f"GRANT USAGE ON SEQUENCE share_view_id_seq TO {GROUP}",
        f"CREATE POLICY irp_portal_views ON share_view FOR INSERT TO {GROUP} WITH CHECK (link_id = {_LINK})",
    ]
    return statements


def columns_sql(connection: sa.Connection) -> list[str]:
    """The portal's ``SELECT`` on the tables with internal columns: every column but those, as the
    tables are now (a migration that adds a column to one of them runs this again)."""
    return hidden_columns_sql(connection, GROUP, [t for t in STARTUP_HIDDEN if t in PORTAL_SEES])


def uninstall_sql(schema: str) -> list[str]:
    statements = [f"DROP POLICY IF EXISTS irp_portal_read ON {table}" for table in PORTAL_SEES]
    statements += ["DROP POLICY IF EXISTS irp_portal_views ON share_view"]
    statements += [
        f"REVOKE ALL ON {table} FROM {GROUP}" for table in (*PORTAL_SEES, "share_view", "alembic_version")
    ]
    statements += [f"DROP FUNCTION IF EXISTS {schema}.irp_share_{n}()" for n in ("link", "startup", "event")]
    statements += [
        f"REVOKE USAGE ON SCHEMA {schema} FROM {GROUP}",
        "REVOKE USAGE ON SEQUENCE share_view_id_seq FROM irp_portal",
    ]
    return statements
