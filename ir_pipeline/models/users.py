"""Who is acting: staff edit, managers read everything, a startup user reads its own company."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.enums import Role
from ir_pipeline.models.base import SHORT_LENGTH, Timestamped, Versioned
from ir_pipeline.models.types import enum_type


class User(Versioned, Timestamped, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        sa.CheckConstraint("(role = 'startup') = (startup_id IS NOT NULL)", name="startup_role_has_startup"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=SHORT_LENGTH, unique=True)
    role: Role = Field(sa_column=sa.Column(enum_type(Role, "role"), nullable=False))
    startup_id: int | None = Field(default=None, foreign_key="startup.id", index=True)
    #: A disabled user keeps its history but may no longer act (on PostgreSQL its login is revoked).
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
