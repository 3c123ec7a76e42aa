"""Small checks every service needs."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.money import Money

M = TypeVar("M", bound=SQLModel)


def get_or_raise(session: Session, model: type[M], ident: int, what: str) -> M:
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"no {what} #{ident}")
    return row


def required_text(value: str, *, field: str, what: str, max_length: int) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid(f"{what} must not be empty", field=field)
    if len(cleaned) > max_length:
        raise Invalid(f"{what} is longer than {max_length} characters", field=field)
    return cleaned


def optional_text(value: str | None, *, field: str, what: str, max_length: int) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > max_length:
        raise Invalid(f"{what} is longer than {max_length} characters", field=field)
    return cleaned


def positive(amount: Money, *, field: str = "amount") -> Money:
    if amount.amount <= 0:
        raise Invalid(f"the amount must be more than zero, not {amount}", field=field)
    return amount
