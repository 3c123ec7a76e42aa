"""The audit trail, the stage history and the outbox as PostgreSQL itself writes and checks them.

On a shared database the application cannot be the only writer of its own history: a staff login
at a psql prompt could change a row and leave no trace, or write a trail row "by" somebody else,
or invent a stage move or a notice that the deliverer would sign and send. So on PostgreSQL:

- ``audit_log`` is written only by ``irp_audit()``, a definer trigger (pg_temp last) owned by
  the owner role and fired after every ``INSERT``, ``UPDATE`` and ``DELETE`` statement on each
  table of :data:`AUDITED`: who is ``session_user`` (the login, which no ``SET ROLE`` changes),
  when is the database's clock, and the batch is the transaction-local setting ``irp.batch_id``
  that an import sets. No login role holds ``INSERT`` on it; rows are one per inserted or deleted
  record and one per changed column, the same shape the application writes on SQLite.
- ``stage_change`` rows are checked when they are inserted: a move must be made by the login
  itself, on a deal that this transaction wrote, and the deal's history must stay one chain that
  ends at the deal's stage; a deal's stage cannot change without its move (checked at commit).
- ``outbox_event`` rows are checked the same way: a notice names the login as its actor, its deal
  as it is, and a record that this transaction wrote (an LOI, a move, a funding, a follow-up, an
  import's rows); a notice that time makes (overdue, expiring) names a record in that state.

The owner role (which can alter or drop the tables anyway) is not checked, and ``irp db copy``
into a new database, run as the owner, sets ``irp.copying`` so copied rows keep the trail they
had. On SQLite the file is the boundary and :mod:`ir_pipeline.audit` writes the same rows.

"This transaction wrote the row" is read from the row's ``xmin``: a visible row version whose
inserting transaction is still in progress can only be one's own (savepoints included). The xid's
epoch is taken from the current transaction, so a check made across the wrap of the 32-bit
transaction counter (once in about four billion transactions) refuses instead of passing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ir_pipeline.fx.service import COLUMNS as SNAPSHOT_COLUMNS
from ir_pipeline.rights import safe_search_path

#: Bookkeeping columns, never a row of their own (the application leaves them out too).
QUIET = ("version", "updated_at", "created_at")
#: What a deal keeps about its LOIs and follow-ups (``summaries.deal_columns``): a cache of rows
#: that have their own trail, recomputed and compared by ``irp db check``.
KEPT_DEAL_COLUMNS = (
    "last_loi_minor",
    "last_loi_currency",
    "last_loi_on",
    "next_follow_up_on",
    "loi_count",
    "loi_rank",
)
#: What a deal keeps of its stage history (``ir_pipeline.history``): the history is the record of
#: the moves, so these are never rows of their own.
HISTORY_DEAL_COLUMNS = ("reached", "lost_from")
#: The one trail row of a rate snapshot written on its own (``fx.service._rewrite``).
SNAPSHOT_FIELD = "fx_snapshot"
HIDDEN = "(hidden)"


@dataclass(frozen=True, slots=True)
class Audited:
    """How one table's changes become trail rows."""

    #: Columns whose change is not a row of its own.
    skipped: tuple[str, ...] = QUIET
    #: Columns that, changed alone and without a new version, make one :data:`SNAPSHOT_FIELD` row.
    folded: tuple[str, ...] = ()
    #: Columns whose change is recorded without its values (secrets).
    hidden: tuple[str, ...] = ()


AUDITED: dict[str, Audited] = {
    "event": Audited(),
    "startup": Audited(),
    "investor": Audited(),
    "contact": Audited(),
    "pitch": Audited(),
    # a note's shared part is computed from the note and its flag, whose changes are the rows
    "deal": Audited(skipped=(*QUIET, *KEPT_DEAL_COLUMNS, *HISTORY_DEAL_COLUMNS, "shared_notes")),
    "letter_of_intent": Audited(folded=SNAPSHOT_COLUMNS),
    "follow_up": Audited(skipped=(*QUIET, "shared_note")),
    "funding": Audited(folded=SNAPSHOT_COLUMNS),
    "app_user": Audited(),
    "fx_rate": Audited(),
    # how far a deliverer has queued is bookkeeping; the signing secret and headers never show
    "notify_endpoint": Audited(skipped=(*QUIET, "after_event"), hidden=("secret", "headers")),
    # who shared what with whom, until when, and who revoked it (the hash opens nothing)
    "share_link": Audited(),
}


def written_here(xmin: str) -> str:
    """SQL: whether the row version with this ``xmin`` was written by the current transaction."""
    return (
        "coalesce(pg_catalog.pg_xact_status((((pg_catalog.pg_current_xact_id()::text::bigint >> 32) << 32)"
        f" + {xmin}::text::bigint)::text::xid8) = 'in progress', false)"
    )


def _owner_of_trigger_table() -> str:
    return (
        "pg_catalog.pg_has_role(session_user,"
        " (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER')"
    )


def _describe_snapshot(j: str) -> str:
    """SQL for ``fx.service._describe``: how a rate snapshot reads in the trail."""
    base, rate, day, source, converted = (f"({j} ->> '{c}')" for c in SNAPSHOT_COLUMNS)
    return (
        f"CASE WHEN {base} IS NULL THEN NULL ELSE {rate} || ' ' || {base} || ' on ' || coalesce({day}, '?')"
        f" || ' (' || {source} || ') = ' || {converted} || ' minor' END"
    )


def _audit_function(schema: str) -> str:
    head = f"""CREATE OR REPLACE FUNCTION {schema}.irp_audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp SET TimeZone = 'UTC'
    AS $fn$
    DECLARE
        skipped text[] := string_to_array(TG_ARGV[0], ',');
        folded text[] := string_to_array(TG_ARGV[1], ',');
        hidden text[] := string_to_array(TG_ARGV[2], ',');
        batch text := nullif(current_setting('irp.batch_id', true), '');
        deal_key text := CASE WHEN TG_TABLE_NAME = 'deal' THEN 'id' ELSE 'deal_id' END;
    BEGIN
        IF current_setting('irp.copying', true) = 'on' AND {_owner_of_trigger_table()} THEN
            RETURN NULL;  -- irp db copy, as the owner: the copied trail is the trail
        END IF;"""
    columns = (
        "at, actor, action, table_name, record_id, deal_id, field, old_value, new_value, version, batch_id"
    )
    whole = """
            INSERT INTO {schema}.audit_log ({columns})
            SELECT now(), session_user, '{action}', TG_TABLE_NAME, (j ->> 'id')::int, (j ->> deal_key)::int,
                   NULL, NULL, NULL, (j ->> 'version')::int, batch
            FROM (SELECT to_jsonb(r) AS j FROM {rows} r) AS t ORDER BY (j ->> 'id')::int;"""
    update = f"""
            INSERT INTO {schema}.audit_log ({columns})
            WITH pairs AS (
                SELECT to_jsonb(n) AS nj, to_jsonb(o) AS oj FROM irp_new n JOIN irp_old o ON o.id = n.id
            ), changed AS (
                SELECT nj, oj, ARRAY(
                    SELECT k FROM jsonb_object_keys(nj) AS k
                    WHERE NOT (k = ANY (skipped)) AND nj -> k IS DISTINCT FROM oj -> k
                ) AS keys FROM pairs
            ), flagged AS (
                SELECT *, (cardinality(folded) > 0 AND keys && folded AND keys <@ folded
                           AND nj -> 'version' IS NOT DISTINCT FROM oj -> 'version') AS fold
                FROM changed
            )
            SELECT now(), session_user, 'update', TG_TABLE_NAME, r.rid, r.did, r.field, r.old_value,
                   r.new_value, r.version, batch
            FROM (
                SELECT (f.nj ->> 'id')::int AS rid, (f.nj ->> deal_key)::int AS did, k AS field,
                       CASE WHEN k = ANY (hidden) THEN '{HIDDEN}' ELSE f.oj ->> k END AS old_value,
                       CASE WHEN k = ANY (hidden) THEN '{HIDDEN}' ELSE f.nj ->> k END AS new_value,
                       (f.nj ->> 'version')::int AS version, a.attnum AS position
                FROM flagged f CROSS JOIN LATERAL unnest(f.keys) AS k
                JOIN pg_catalog.pg_attribute a ON a.attrelid = TG_RELID AND a.attname = k
                WHERE NOT f.fold
                UNION ALL
                SELECT (f.nj ->> 'id')::int, (f.nj ->> deal_key)::int, '{SNAPSHOT_FIELD}',
                       {_describe_snapshot("f.oj")}, {_describe_snapshot("f.nj")}, NULL, 0
                FROM flagged f WHERE f.fold
            ) AS r
            ORDER BY r.rid, r.position;"""
    return (
        head
        + "\n        IF TG_OP = 'INSERT' THEN"
        + whole.format(schema=schema, columns=columns, action="insert", rows="irp_new")
        + "\n        ELSIF TG_OP = 'DELETE' THEN"
        + whole.format(schema=schema, columns=columns, action="delete", rows="irp_old")
        + "\n        ELSE"
        + update
        + "\n        END IF;\n        RETURN NULL;\n    END $fn$"
    )


def _refuse(message: str) -> str:
    return f"RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = {message};"


def _stage_change_check(schema: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {schema}.irp_check_stage_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = {safe_search_path(schema)} AS $fn$
    DECLARE bad record;
    BEGIN
        IF {_owner_of_trigger_table()} THEN RETURN NULL; END IF;
        WITH moves AS (
            SELECT n.*, lag(n.to_stage) OVER w AS prior_new, row_number() OVER w AS nth,
                   count(*) OVER (PARTITION BY n.deal_id) AS moves
            FROM irp_new n WINDOW w AS (PARTITION BY n.deal_id ORDER BY n.id)
        )
        SELECT m.id, m.deal_id INTO bad FROM moves m LEFT JOIN {schema}.deal d ON d.id = m.deal_id
        WHERE d.id IS NULL
           OR m.changed_by IS DISTINCT FROM session_user::text
           OR NOT {written_here("d.xmin")}
           OR (m.nth = m.moves AND m.to_stage IS DISTINCT FROM d.stage)
           OR m.from_stage IS DISTINCT FROM CASE WHEN m.nth > 1 THEN m.prior_new ELSE (
                SELECT p.to_stage FROM {schema}.stage_change p
                WHERE p.deal_id = m.deal_id AND p.id < m.id ORDER BY p.id DESC LIMIT 1) END
        LIMIT 1;
        IF FOUND THEN
            {
        _refuse(
            "format('stage_change: move #%s of deal #%s is not a move that this transaction made"
            " to the deal as %s (the history is written with the move itself)',"
            " bad.id, bad.deal_id, session_user)"
        )
    }
        END IF;
        RETURN NULL;
    END $fn$"""


def _deal_history_check(schema: str) -> str:
    """At commit: a deal whose stage changed has its move, by this transaction, as its last."""
    return f"""CREATE OR REPLACE FUNCTION {schema}.irp_check_deal_history() RETURNS trigger
    LANGUAGE plpgsql SET search_path = {safe_search_path(schema)} AS $fn$
    BEGIN
        IF {_owner_of_trigger_table()} THEN RETURN NULL; END IF;
        IF NOT EXISTS (
            SELECT 1 FROM {schema}.deal d
            JOIN LATERAL (
                SELECT p.to_stage, p.xmin AS x FROM {schema}.stage_change p
                WHERE p.deal_id = d.id ORDER BY p.id DESC LIMIT 1
            ) AS latest ON true
            WHERE d.id = NEW.id AND latest.to_stage = d.stage AND {written_here("latest.x")}
        ) THEN
            {_refuse("format('deal #%s changed stage without its move in the stage history', NEW.id)")}
        END IF;
        RETURN NULL;
    END $fn$"""


def _notice_is_true(schema: str) -> str:
    """SQL over ``n`` (a new outbox row) and ``p`` (its payload): what makes the notice true."""
    data = "(p -> 'data')"
    mine = {
        "loi": f"EXISTS (SELECT 1 FROM {schema}.letter_of_intent l WHERE l.id::text = {data} ->> 'loi_id'"
        f" AND l.deal_id = n.deal_id AND {written_here('l.xmin')})",
        "move": f"EXISTS (SELECT 1 FROM {schema}.stage_change c WHERE c.deal_id = n.deal_id"
        f" AND {written_here('c.xmin')})",
        "funding": f"EXISTS (SELECT 1 FROM {schema}.funding f WHERE f.id::text = {data} ->> 'funding_id'"
        f" AND f.deal_id = n.deal_id AND {written_here('f.xmin')})",
        "follow_up": f"EXISTS (SELECT 1 FROM {schema}.follow_up f"
        f" WHERE f.id::text = {data} ->> 'follow_up_id' AND f.deal_id = n.deal_id"
        f" AND {written_here('f.xmin')})",
    }
    kinds = {
        "loi": ("loi.received", "loi.updated", "loi.withdrawn", "loi.status_changed"),
        "move": ("deal.opened", "deal.moved"),
        "funding": ("funding.recorded",),
        "follow_up": (
            "followup.created",
            "followup.completed",
            "followup.cancelled",
            "followup.reopened",
            "followup.snoozed",
        ),
    }
    cases = [
        f"WHEN n.type IN ({', '.join(repr(t) for t in types)}) THEN {mine[kind]}"
        for kind, types in kinds.items()
    ]
    # notices that time makes: the record is in that state (a day of slack for time zones)
    cases.append(
        "WHEN n.type = 'followup.overdue' THEN n.once_key IS NOT NULL AND EXISTS (SELECT 1 FROM"
        f" {schema}.follow_up f WHERE f.id::text = {data} ->> 'follow_up_id' AND f.deal_id = n.deal_id"
        " AND f.status = 'open' AND f.due_on <= current_date + 1)"
    )
    cases.append(
        "WHEN n.type = 'loi.expiring' THEN n.once_key IS NOT NULL AND EXISTS (SELECT 1 FROM"
        f" {schema}.letter_of_intent l WHERE l.id::text = {data} ->> 'loi_id' AND l.deal_id = n.deal_id"
        " AND l.status = 'received' AND l.valid_until <= current_date + 367)"
    )
    cases.append(
        "WHEN n.type = 'import.completed' THEN n.deal_id IS NULL AND EXISTS (SELECT 1 FROM"
        f" {schema}.audit_log a WHERE a.batch_id = nullif(current_setting('irp.batch_id', true), '')"
        f" AND {written_here('a.xmin')})"
    )
    cases.append(
        "WHEN n.type = 'notify.test' THEN n.deal_id IS NULL AND EXISTS (SELECT 1 FROM"
        f" {schema}.notify_endpoint e WHERE e.active AND e.removed_at IS NULL"
        f" AND e.name = {data} ->> 'endpoint' AND p ->> 'summary' = '[Test] ir-pipeline → ' || e.name)"
    )
    return "CASE " + " ".join(cases) + " ELSE false END"


def _outbox_check(schema: str) -> str:
    deal_is_named = (
        "CASE WHEN n.deal_id IS NULL THEN n.startup_id IS NULL AND p -> 'deal' = 'null'::jsonb"
        " ELSE d.id IS NOT NULL AND n.startup_id = d.startup_id"
        " AND p #>> '{deal,id}' = d.id::text"
        " AND p #>> '{deal,startup,id}' = d.startup_id::text AND p #>> '{deal,startup,name}' = s.name"
        " AND p #>> '{deal,investor,id}' = d.investor_id::text AND p #>> '{deal,investor,name}' = i.name END"
    )
    return f"""CREATE OR REPLACE FUNCTION {schema}.irp_check_outbox() RETURNS trigger
    LANGUAGE plpgsql SET search_path = {safe_search_path(schema)} AS $fn$
    DECLARE bad record;
    BEGIN
        IF {_owner_of_trigger_table()} THEN RETURN NULL; END IF;
        SELECT n.id, n.type INTO bad
        FROM (SELECT r.*, r.payload::jsonb AS p FROM irp_new r) AS n
        LEFT JOIN {schema}.deal d ON d.id = n.deal_id
        LEFT JOIN {schema}.startup s ON s.id = d.startup_id
        LEFT JOIN {schema}.investor i ON i.id = d.investor_id
        WHERE NOT coalesce(
            n.actor = session_user::text AND p ->> 'actor' = session_user::text
            AND p ->> 'type' = n.type AND p ->> 'id' = n.event_id
            AND {deal_is_named} AND {_notice_is_true(schema)}, false)
        LIMIT 1;
        IF FOUND THEN
            {
        _refuse(
            "format('outbox_event: notice #%s (%s) is not about a change that %s made in this"
            " transaction', bad.id, bad.type, session_user)"
        )
    }
        END IF;
        RETURN NULL;
    END $fn$"""


def _triggers(table: str, how: Audited, schema: str) -> list[str]:
    args = ", ".join(f"'{','.join(part)}'" for part in (how.skipped, how.folded, how.hidden))
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.irp_audit({args})"
    return [
        f"CREATE TRIGGER irp_audit_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS irp_new {run}",
        f"CREATE TRIGGER irp_audit_update AFTER UPDATE ON {table}"
        f" REFERENCING OLD TABLE AS irp_old NEW TABLE AS irp_new {run}",
        f"CREATE TRIGGER irp_audit_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS irp_old {run}",
    ]


def retrigger_sql(table: str, schema: str) -> list[str]:
    """The trail's triggers on ``table`` made again from :data:`AUDITED` (its columns changed)."""
    return [
        *(f"DROP TRIGGER IF EXISTS irp_audit_{op} ON {table}" for op in ("insert", "update", "delete")),
        *_triggers(table, AUDITED[table], schema),
    ]


_FUNCTIONS = ("irp_audit", "irp_check_stage_change", "irp_check_deal_history", "irp_check_outbox")


def install_sql(schema: str, tables: Iterable[str] | None = None) -> list[str]:
    """Trigger functions and triggers; ``INSERT`` on the trail taken from every login. ``tables``:
    the audited tables a migration knew (a later one adds its own with :func:`retrigger_sql`)."""
    statements = [
        _audit_function(schema),
        _stage_change_check(schema),
        _deal_history_check(schema),
        _outbox_check(schema),
        *(f"REVOKE ALL ON FUNCTION {schema}.{name}() FROM PUBLIC" for name in _FUNCTIONS),
    ]
    for table in AUDITED if tables is None else tables:
        statements += _triggers(table, AUDITED[table], schema)
    statements += [
        "CREATE TRIGGER irp_check_stage_change AFTER INSERT ON stage_change REFERENCING NEW TABLE AS irp_new"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {schema}.irp_check_stage_change()",
        "CREATE CONSTRAINT TRIGGER irp_check_deal_history AFTER UPDATE OF stage ON deal"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)"
        f" EXECUTE FUNCTION {schema}.irp_check_deal_history()",
        "CREATE TRIGGER irp_check_outbox AFTER INSERT ON outbox_event REFERENCING NEW TABLE AS irp_new"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {schema}.irp_check_outbox()",
        # only the owner's trigger writes the trail (and so only it draws its ids)
        "REVOKE INSERT ON audit_log FROM irp_staff",
        "REVOKE USAGE ON SEQUENCE audit_log_id_seq FROM irp_staff",
    ]
    return statements


def uninstall_sql(schema: str, tables: Iterable[str] | None = None) -> list[str]:
    statements = []
    for table in AUDITED if tables is None else tables:
        statements += [
            f"DROP TRIGGER IF EXISTS irp_audit_{op} ON {table}" for op in ("insert", "update", "delete")
        ]
    statements += [
        "DROP TRIGGER IF EXISTS irp_check_stage_change ON stage_change",
        "DROP TRIGGER IF EXISTS irp_check_deal_history ON deal",
        "DROP TRIGGER IF EXISTS irp_check_outbox ON outbox_event",
        *(f"DROP FUNCTION IF EXISTS {schema}.{name}()" for name in _FUNCTIONS),
        "GRANT INSERT ON audit_log TO irp_staff",
        "GRANT USAGE ON SEQUENCE audit_log_id_seq TO irp_staff",
    ]
    return statements
