"""Rights in one place: what each role may do, and how PostgreSQL itself enforces it.

On a shared PostgreSQL database every irp user is a login role that belongs to one of three
group roles; the group decides the grants (staff write, managers and startups only read, nobody
but the owner alters, drops or truncates), and row-level security, forced on every table that
holds company data, decides the rows: a startup login sees its own company, its deals and what
hangs off them, the investors and events on those deals, and nothing else; a login with no
active irp user sees nothing at all. The application applies the same scope in its queries
(``queries/scope.py``); the database is the second, independent wall.

The SQL here is run by the migration that introduces it, as the owner of the tables.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ir_pipeline.enums import Role

GROUPS: dict[Role, str] = {Role.STAFF: "irp_staff", Role.MANAGER: "irp_manager", Role.STARTUP: "irp_startup"}

_ME = "(SELECT irp_user_startup())"
_MY_DEALS = f"deal_id IN (SELECT id FROM deal WHERE startup_id = {_ME})"

#: Every table with company data → the rows a startup login may read (``None``: none at all).
STARTUP_SEES: dict[str, str | None] = {
    "startup": f"id = {_ME}",
    "deal": f"startup_id = {_ME}",
    "pitch": f"startup_id = {_ME}",
    "letter_of_intent": _MY_DEALS,
    "follow_up": _MY_DEALS,
    "funding": _MY_DEALS,
    "stage_change": _MY_DEALS,
    "investor": f"id IN (SELECT investor_id FROM deal WHERE startup_id = {_ME})",
    "event": (
        f"id IN (SELECT event_id FROM deal WHERE startup_id = {_ME})"
        f" OR id IN (SELECT event_id FROM pitch WHERE startup_id = {_ME})"
    ),
    "contact": f"startup_id = {_ME}",
    "app_user": f"startup_id = {_ME}",
    "audit_log": None,
}

#: Columns of those tables a startup login may not read even on its own rows: staff's internal
#: notes (a startup reads the shared part of a note, which the database computes beside it:
#: ``models.pipeline.shared_text``) and the reasons staff give for a move. Granted column by
#: column, so a raw ``SELECT note`` is refused by the database, not filtered by irp.
STARTUP_HIDDEN: dict[str, tuple[str, ...]] = {
    "deal": ("notes",),
    "follow_up": ("note",),
    "stage_change": ("reason",),
    "pitch": ("notes",),
}

#: What staff may write: people's records are inserted and edited; histories only grow.
STAFF_WRITES: dict[str, str] = {
    "event": "INSERT, UPDATE",
    "startup": "INSERT, UPDATE",
    "investor": "INSERT, UPDATE",
    "contact": "INSERT, UPDATE",
    "pitch": "INSERT, UPDATE",
    "deal": "INSERT, UPDATE",
    "letter_of_intent": "INSERT, UPDATE",
    "follow_up": "INSERT, UPDATE",
    "funding": "INSERT, UPDATE",
    # checked by the database: a move the deal itself made in the same transaction (``trail_sql``)
    "stage_change": "INSERT",
    # the audit trail is written by the database's own triggers, never by a login (``trail_sql``)
}

_ROLE_IS = "(SELECT irp_user_role()) = '{role}'"


#: The search path of every function irp installs, as PostgreSQL's manual prescribes for definer
#: functions ("Writing … Functions Safely"): the catalog first, then the app's own schema (where
#: only the owner may create objects), and ``pg_temp`` last, so a login's temporary table or
#: function can never stand in for one of ours.
def safe_search_path(schema: str) -> str:
    return f"pg_catalog, {schema}, pg_temp"


def definer_functions_sql(schema: str) -> list[str]:
    """Who the login is, for the policies: its role and its startup, read from ``app_user``.

    Definer functions, because the policies of ``app_user`` must not call back into
    ``app_user``'s policies. The table is schema-qualified and the search path ends in ``pg_temp``,
    so nothing a login creates can shadow it. ``session_user`` is the login
    (``current_user`` inside the function is its owner, and ``SET ROLE`` does not change it).
    """
    body = "SELECT {col} FROM {schema}.app_user WHERE name = session_user AND active"
    return (
        [
            f"""CREATE OR REPLACE FUNCTION {schema}.irp_user_{name}() RETURNS {kind}
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp
        AS $$ {body.format(col=col, schema=schema)} $$"""
            for name, kind, col in (("role", "text", "role"), ("startup", "integer", "startup_id"))
        ]
        + [f"REVOKE ALL ON FUNCTION {schema}.irp_user_{name}() FROM PUBLIC" for name in ("role", "startup")]
        + [
            f"GRANT EXECUTE ON FUNCTION {schema}.irp_user_{name}() TO {', '.join(GROUPS.values())}"
            for name in ("role", "startup")
        ]
    )


def install_sql(schema: str) -> list[str]:
    """The statements that create the group roles, grants and policies (PostgreSQL only)."""
    groups = ", ".join(GROUPS.values())
    statements = [
        # group roles belong to the server: two databases migrating at once may both find one
        # missing, and the second CREATE then fails, so that failure means "already there"
        "DO $$ BEGIN "
        + " ".join(
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{g}') THEN"
            f" BEGIN CREATE ROLE {g} NOLOGIN;"
            " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END; END IF;"
            for g in GROUPS.values()
        )
        + " END $$",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {groups}",
        f"GRANT SELECT ON alembic_version TO {groups}",
        *definer_functions_sql(schema),
        f"""CREATE OR REPLACE FUNCTION irp_append_only() RETURNS trigger LANGUAGE plpgsql
        SET search_path = {safe_search_path(schema)} AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'the ' || TG_TABLE_NAME
                    || ' table is append-only: rows are never changed or deleted';
        END $$""",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION irp_append_only()",
    ]
    for table, startup_rows in STARTUP_SEES.items():
        statements += _table_rights(table, startup_rows, STAFF_WRITES.get(table))
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO irp_staff")
    return statements


def uninstall_sql(schema: str) -> list[str]:
    """The reverse of :func:`install_sql`; the group roles stay (they belong to the cluster)."""
    groups = ", ".join(GROUPS.values())
    statements = ["DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"]
    for table in STARTUP_SEES:
        statements += [
            f"DROP POLICY IF EXISTS {p} ON {table}"
            for p in ("irp_owner_all", "irp_staff_all", "irp_manager_read", "irp_startup_read")
        ]
        statements += [
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ]
    statements += [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {groups}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {groups}",
        f"REVOKE USAGE ON SCHEMA {schema} FROM {groups}",
        "DROP FUNCTION IF EXISTS irp_user_role()",
        "DROP FUNCTION IF EXISTS irp_user_startup()",
        "DROP FUNCTION IF EXISTS irp_append_only()",
    ]
    return statements


def run(connection: sa.Connection, statements: list[str]) -> None:
    """Run DDL as written, on the connection's transaction: through the driver's cursor without
    parameters, so the ``%`` of ``format()`` and of PL/pgSQL's ``RAISE`` reach the server as is."""
    cursor = connection.connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def install(connection: sa.Connection) -> None:
    run(connection, install_sql(schema_of(connection)))


def uninstall(connection: sa.Connection) -> None:
    run(connection, uninstall_sql(schema_of(connection)))


def schema_of(connection: sa.Connection) -> str:
    """The app's schema, quoted as an identifier."""
    name = connection.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    assert isinstance(name, str)
    return name


def _table_rights(table: str, startup_rows: str | None, staff_writes: str | None) -> list[str]:
    """Grants and row-level security for one table: staff all rows, managers read all rows, a
    startup reads ``startup_rows`` (none when ``None``), the owner keeps every row."""
    readers = "irp_staff, irp_manager" + (", irp_startup" if startup_rows else "")
    statements = [
        f"GRANT SELECT ON {table} TO {readers}",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        # the owner (who runs migrations and `irp db copy`) keeps every row under FORCE
        f"CREATE POLICY irp_owner_all ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)",
        f"CREATE POLICY irp_staff_all ON {table} TO irp_staff"
        f" USING ({_ROLE_IS.format(role='staff')}) WITH CHECK ({_ROLE_IS.format(role='staff')})",
        f"CREATE POLICY irp_manager_read ON {table} FOR SELECT TO irp_manager"
        f" USING ({_ROLE_IS.format(role='manager')})",
    ]
    if startup_rows:
        statements.append(
            f"CREATE POLICY irp_startup_read ON {table} FOR SELECT TO irp_startup"
            f" USING ({_ROLE_IS.format(role='startup')} AND ({startup_rows}))"
        )
    if staff_writes:
        statements.append(f"GRANT {staff_writes} ON {table} TO irp_staff")
    return statements


def startup_columns_sql(connection: sa.Connection) -> list[str]:
    """A startup's ``SELECT`` on the tables of :data:`STARTUP_HIDDEN`, every column but the hidden
    ones, as the tables are now (a migration that adds a column to one of them runs this again)."""
    return hidden_columns_sql(connection, "irp_startup", STARTUP_HIDDEN)


def hidden_columns_sql(connection: sa.Connection, group: str, tables: Iterable[str]) -> list[str]:
    """``group``'s ``SELECT`` on ``tables``: every column but the ones :data:`STARTUP_HIDDEN` names
    for it (staff's internal notes, move reasons), as the tables are now."""
    statements = []
    for table in tables:
        hidden = STARTUP_HIDDEN.get(table, ())
        columns = connection.execute(
            sa.text(
                "SELECT quote_ident(column_name) FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = :table ORDER BY ordinal_position"
            ),
            {"table": table},
        ).scalars()
        shown = [c for c in columns if c not in hidden]
        statements += [
            f"REVOKE SELECT ON {table} FROM {group}",
            f"GRANT SELECT ({', '.join(shown)}) ON {table} TO {group}",
        ]
    return statements


def summary_rights_sql(table: str = "funnel_sum") -> list[str]:
    """Rights on the running totals (``funnel_sum``, ``funnel_rate``): staff keep them up to date
    as they write, managers read them all, a startup only the cells of its own scope, never the
    totals of all deals, an event or an investor (those would reveal other companies' figures)."""
    return _table_rights(table, f"scope = 's' AND scope_id = {_ME}", "INSERT, UPDATE")


def outbox_rights_sql() -> list[str]:
    """Rights on the outbox (``outbox_event``) and its delivery tables: staff write notices as they
    change things, add endpoints and deliver; managers read them; a startup none (a notice names the
    other side of a deal, an endpoint holds a signing secret); nobody but the owner edits or deletes
    a notice."""
    return [
        *_table_rights("outbox_event", None, "INSERT"),
        # where notices go and how sending them went: staff add endpoints and deliver
        *_table_rights("notify_endpoint", None, "INSERT, UPDATE"),
        # an endpoint's URL (a chat tool's webhook URL is its key) and secret are for staff only
        "REVOKE SELECT ON notify_endpoint FROM irp_manager",
        *_table_rights("notify_delivery", None, "INSERT, UPDATE"),
        *_table_rights("notify_attempt", None, "INSERT"),
        *(
            f"GRANT USAGE ON SEQUENCE {table}_id_seq TO irp_staff"
            for table in ("outbox_event", "notify_endpoint", "notify_delivery", "notify_attempt")
        ),
    ]


def fx_rights_sql() -> list[str]:
    """Rights on the exchange rates (``fx_rate``): public figures, so every role reads them all;
    staff fetch and type them."""
    return [
        *_table_rights("fx_rate", "true", "INSERT, UPDATE"),
        "GRANT USAGE ON SEQUENCE fx_rate_id_seq TO irp_staff",
    ]


def info_rights_sql() -> list[str]:
    """Rights on what a database says about itself (``database_info``: its own date): every role
    reads it, since every figure depends on it; staff set or clear the date."""
    return _table_rights("database_info", "true", "INSERT, UPDATE")


def hardening_sql(schema: str) -> list[str]:
    """What no login needs and an attacker would use: temporary objects (to shadow a name a
    function looks up) and objects of its own in the app's schema (to shadow a function or an
    operator). Revoked from ``PUBLIC``; the owner keeps both. Only the database's owner may take
    ``TEMPORARY`` away: run by anyone else, the migration says so and goes on (the functions are
    safe without it; this is the second lock)."""
    return [
        """DO $$ BEGIN
            IF pg_catalog.pg_has_role(current_user, (
                SELECT d.datdba FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
            ), 'MEMBER')
            THEN
                EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
                                          pg_catalog.current_database());
            ELSE
                RAISE WARNING 'irp: % does not own database %, so PUBLIC keeps TEMPORARY on it;'
                    ' its owner can run: REVOKE TEMPORARY ON DATABASE % FROM PUBLIC',
                    current_user, pg_catalog.current_database(), pg_catalog.current_database();
            END IF;
        END $$""",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
    ]


def unharden_sql() -> list[str]:
    return [
        """DO $$ BEGIN
            EXECUTE pg_catalog.format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC',
                                      pg_catalog.current_database());
        END $$"""
    ]


def share_rights_sql() -> list[str]:
    """Rights on share links (``share_link``) and their views (``share_view``): staff make,
    list and revoke links and read who viewed them; managers and startups see none (a link's
    hash and whom it is for are staff's own)."""
    return [
        *_table_rights("share_link", None, "INSERT, UPDATE"),
        *_table_rights("share_view", None, "INSERT"),
        "REVOKE SELECT ON share_link, share_view FROM irp_manager",
        "GRANT USAGE ON SEQUENCE share_link_id_seq, share_view_id_seq TO irp_staff",
    ]
