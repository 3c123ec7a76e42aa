"""Users and the actor a command or screen runs as.

On SQLite a user is a row: a name, a role, and for a startup user its company. On PostgreSQL each
user is also a login role in one of the group roles of :mod:`ir_pipeline.rights`, created and
disabled here in the same transaction as the row, so the two never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import DEFAULT_USER, Actor
from ir_pipeline.enums import Role
from ir_pipeline.errors import Conflict, Forbidden, Invalid, NotFound
from ir_pipeline.models import Startup, User
from ir_pipeline.rights import GROUPS
from ir_pipeline.services.common import get_or_raise, lock, required_text, start_write
from ir_pipeline.views import UserView

#: A user name is also a PostgreSQL role name: plain, lower-case, and short enough for both.
_USER_NAME = re.compile(r"[a-z_][a-z0-9_.\-]{0,62}")


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _view(user: User, startup: Startup | None) -> UserView:
    assert user.id is not None
    return UserView(
        user.id,
        user.name,
        user.role,
        user.startup_id,
        startup.name if startup else None,
        active=user.active,
        version=user.version,
    )


def create_user(
    session: Session,
    *,
    actor: Actor,
    name: str,
    role: Role,
    startup_id: int | None = None,
    password: str | None = None,
    login: bool = True,
) -> UserView:
    """Record a user; on PostgreSQL also create its login role in the role's group.

    Only an admin (the database owner, with ``CREATEROLE``) can create logins on PostgreSQL; the
    database itself refuses anyone else. ``login=False`` records the user without a login (the
    demo's users, who must not become logins on a shared server).
    """
    if login:  # a login is the admin's to make; a user row alone is for the grants to decide
        require_admin(session, actor, "add users")
    start_write(session, actor, "create users")
    name = required_text(name, field="name", what="the user name", max_length=63)
    if not _USER_NAME.fullmatch(name):
        raise Invalid(
            f"user name {name!r}: use lower-case letters, digits, '_', '.' or '-', starting with a letter",
            field="name",
        )
    if role is Role.STARTUP and startup_id is None:
        raise Invalid("a startup user needs the startup it belongs to", field="startup")
    if role is not Role.STARTUP and startup_id is not None:
        raise Invalid(f"a {role.value} user belongs to no startup", field="startup")
    startup = get_or_raise(session, Startup, startup_id, "startup") if startup_id is not None else None
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise Conflict(f"a user named {name!r} already exists", field="name")
    postgres = is_postgres(session)
    if password is not None and not postgres:
        raise Invalid("a SQLite database has no logins: its file's permissions are the boundary")
    user = User(name=name, role=role, startup_id=startup_id)
    session.add(user)
    session.flush()
    if postgres and login:
        _create_login(session, name, role, password)
    return _view(user, startup)


def require_admin(session: Session, actor: Actor, action: str) -> None:
    """On PostgreSQL users are logins, which only the owner of the tables (or a superuser) may
    make (and the demo brings users): anyone else is told who may, in one sentence, before the
    database refuses."""
    if not is_postgres(session) or actor.admin:
        return
    owner = session.execute(
        sa.text(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'alembic_version'"
            " AND schemaname = current_schema()"
        )
    ).scalar()
    raise Forbidden(
        f"{actor.name} cannot {action}: only the owner of this database's tables ({owner or 'its owner'})"
        " or a PostgreSQL superuser may; ask them to run it"
    )


def give_login(session: Session, *, actor: Actor, name: str, password: str) -> UserView:
    """Give an irp user a PostgreSQL login with this password, or a new password to its login.

    A user that came into this database by ``irp db copy`` (or was recorded with ``login=False``)
    has a row and no login; this makes it one, in the group of its role, as :func:`create_user`
    would have. A disabled user stays disabled (``irp user enable`` lets it in again).
    """
    if not is_postgres(session):
        raise Invalid("a SQLite database has no logins: its file's permissions are the boundary")
    require_admin(session, actor, "give logins")
    start_write(session, actor, "give logins")
    found = session.exec(select(User).where(User.name == name.strip())).first()
    if found is None:
        raise NotFound(f"no user named {name!r}: add it with `irp user add {name.strip()} --role …`")
    if not password:
        raise Invalid("the password is empty", field="password")
    _create_login(session, found.name, found.role, password)
    if not found.active:
        from psycopg import sql

        _run(session, sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(found.name)))
    startup = session.get(Startup, found.startup_id) if found.startup_id is not None else None
    return _view(found, startup)


def users_without_login(session: Session) -> list[str]:
    """PostgreSQL: the active users with no login role that is a member of their role's group
    (those a copy brought in): each needs ``irp user login NAME --password-stdin``."""
    if not is_postgres(session):
        return []
    users = session.exec(select(User).where(col(User.active)).order_by(col(User.name))).all()
    missing = []
    for user in users:
        ok = session.execute(
            sa.text(
                "SELECT r.rolcanlogin AND pg_has_role(r.oid, :grp, 'MEMBER')"
                " FROM pg_roles r WHERE r.rolname = :name"
            ),
            {"name": user.name, "grp": GROUPS[user.role]},
        ).scalar()
        if not ok:
            missing.append(user.name)
    return missing


def _run(session: Session, statement: Any) -> None:
    """Run a ``psycopg.sql`` statement (role names are identifiers, quoted by the driver)."""
    dbapi = session.connection().connection.driver_connection
    session.connection().exec_driver_sql(statement.as_string(dbapi))


def _create_login(session: Session, name: str, role: Role, password: str | None) -> None:
    from psycopg import sql  # PostgreSQL only: SQLite users never load the driver

    exists = session.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first()
    if exists is not None:
        # An existing login (a person on another irp database of this server) joins this group.
        _run(session, sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUPS[role]), sql.Identifier(name)))
        if password is not None:
            _run(
                session,
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                ),
            )
        return
    statement = sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
        sql.Identifier(name), sql.Identifier(GROUPS[role])
    )
    if password is not None:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    _run(session, statement)


@dataclass(frozen=True, slots=True)
class UserChange:
    user: UserView
    #: PostgreSQL: how many of the login's open sessions were ended by disabling it.
    sessions_ended: int = 0


def set_user_active(session: Session, *, actor: Actor, name: str, active: bool) -> UserChange:
    """Disable (or enable again) a user: its history stays; on PostgreSQL its login is revoked
    and every session it still has open is ended, so nothing it started keeps running as it."""
    action = "disable users" if not active else "enable users"
    require_admin(session, actor, action)
    start_write(session, actor, action)
    found = session.exec(select(User).where(User.name == name.strip())).first()
    if found is None or found.id is None:
        raise NotFound(f"no user named {name!r}")
    if not active and found.name == actor.name:
        raise Invalid("you cannot disable yourself")
    user = lock(session, User, found.id, "user")
    user.active = active
    session.flush()
    ended = 0
    if is_postgres(session):
        from psycopg import sql

        verb = "LOGIN" if active else "NOLOGIN"
        _run(session, sql.SQL("ALTER ROLE {} " + verb).format(sql.Identifier(user.name)))
        if not active:
            ended = _end_sessions(session, user.name)
    startup = session.get(Startup, user.startup_id) if user.startup_id is not None else None
    return UserChange(_view(user, startup), ended)


#: How long to wait for each ended session to go, in milliseconds.
_END_WAIT_MS = 5_000


def _end_sessions(session: Session, name: str) -> int:
    """End the login's open sessions on this server. PostgreSQL lets a role end the sessions of
    roles it is a member of: an owner with ``CREATEROLE`` (not a superuser) joins the login's role
    for this transaction, ends them, and leaves it again."""
    from psycopg import sql

    member = session.execute(
        sa.text("SELECT pg_has_role(current_user, :name, 'MEMBER')"), {"name": name}
    ).scalar_one()
    if not member:
        _run(session, sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(name)))
    ended = session.execute(
        sa.text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, :wait)) FROM pg_stat_activity"
            " WHERE usename = :name AND pid <> pg_backend_pid()"
        ),
        {"name": name, "wait": _END_WAIT_MS},
    ).scalar_one()
    if not member:
        _run(session, sql.SQL("REVOKE {} FROM CURRENT_USER").format(sql.Identifier(name)))
    return int(ended)


def _actor(user: User) -> Actor:
    return Actor(name=user.name, role=user.role, startup_id=user.startup_id, user_id=user.id)


def actor_for(session: Session, name: str) -> Actor:
    """The actor for a named, active user, or :class:`NotFound` listing who exists."""
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None:
        known = session.exec(
            select(User.name).where(col(User.active)).order_by(col(User.name)).limit(12)
        ).all()
        hint = f"; users: {', '.join(known)}" if known else "; there are no users yet (try `irp demo`)"
        raise NotFound(f"no user named {name!r}{hint}")
    if not user.active:
        raise Forbidden(f"user {user.name!r} is disabled")
    return _actor(user)


def single_user_actor(session: Session) -> Actor:
    """The default actor of a single-user database: the registered ``staff`` user (a disabled one
    is refused), or, before anyone is registered (a new database), ``staff`` itself."""
    if session.exec(select(User.id).where(User.name == DEFAULT_USER)).first() is not None:
        return actor_for(session, DEFAULT_USER)
    return Actor.single_user()


def login_actor(session: Session) -> Actor:
    """Who is acting on PostgreSQL: the database login itself, never a name someone typed.

    A login that is an active irp user acts with that user's role. The owner of the database's
    tables (or a superuser) acts as an admin with staff rights: it manages users and the schema.
    Any other login is refused.
    """
    login = session.execute(sa.text("SELECT session_user")).scalar_one()
    user = session.exec(select(User).where(User.name == login)).first()
    if user is not None:
        if not user.active:
            raise Forbidden(f"user {login!r} is disabled")
        return _actor(user)
    owner = session.execute(
        sa.text(
            "SELECT r.rolsuper OR pg_has_role(session_user, t.tableowner, 'MEMBER')"
            " FROM pg_roles r, pg_tables t WHERE r.rolname = session_user"
            " AND t.tablename = 'alembic_version' AND t.schemaname = current_schema()"
        )
    ).scalar()
    if owner:
        return Actor(name=str(login), role=Role.STAFF, admin=True)
    raise Forbidden(
        f"the login {login!r} is not a user of this irp database: "
        f"an admin adds it with `irp user add {login} --role staff|manager|startup`"
    )
