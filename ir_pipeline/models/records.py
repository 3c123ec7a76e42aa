"""The people and organisations a pipeline is about: events, startups, investors, contacts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from ir_pipeline.enums import InvestorKind
from ir_pipeline.models.base import NAME_LENGTH, SHORT_LENGTH, Timestamped, Versioned
from ir_pipeline.models.types import enum_type


class Event(Versioned, Timestamped, table=True):
    """An IR session (투자 설명회) where startups pitch to investors."""

    __tablename__ = "event"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_LENGTH, unique=True)
    starts_on: date
    ends_on: date
    venue: str = Field(default="", max_length=NAME_LENGTH)
    organiser: str = Field(default="", max_length=NAME_LENGTH)


class Startup(Versioned, Timestamped, table=True):
    """A company raising money. ``name_key`` makes ``(주)Foo`` and ``Foo Inc.`` the same name."""

    __tablename__ = "startup"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_LENGTH, index=True)  # the pipeline sorts by it
    name_key: str = Field(max_length=NAME_LENGTH, unique=True)
    sector: str = Field(default="", max_length=SHORT_LENGTH)
    business_no: str | None = Field(default=None, max_length=12, unique=True)
    description: str = Field(default="", sa_type=sa.Text)
    is_demo: bool = Field(default=False)


class Investor(Versioned, Timestamped, table=True):
    """An investing firm (VC, CVC, angel, bank, ...)."""

    __tablename__ = "investor"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_LENGTH, index=True)  # the pipeline sorts by it
    name_key: str = Field(max_length=NAME_LENGTH, unique=True)
    kind: InvestorKind = Field(sa_column=sa.Column(enum_type(InvestorKind, "investor_kind"), nullable=False))
    country: str = Field(default="KR", max_length=2)
    is_demo: bool = Field(default=False)


class Contact(Versioned, Timestamped, table=True):
    """A person at exactly one investor or one startup."""

    __tablename__ = "contact"
    __table_args__ = (
        sa.CheckConstraint(
            "(investor_id IS NULL) <> (startup_id IS NULL)", name="belongs_to_one_organisation"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_LENGTH)
    email: str | None = Field(default=None, max_length=NAME_LENGTH)
    phone: str | None = Field(default=None, max_length=40)
    role: str = Field(default="", max_length=SHORT_LENGTH)
    investor_id: int | None = Field(default=None, foreign_key="investor.id", index=True)
    startup_id: int | None = Field(default=None, foreign_key="startup.id", index=True)
