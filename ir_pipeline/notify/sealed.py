"""Endpoint secrets at rest: sealed with a key that is not in the database.

A Standard Webhooks signing secret, or a header an endpoint needs (``Authorization: Bearer …``),
is stored sealed with Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``): whoever
reads ``notify_endpoint`` (a stolen dump, a login that reads the table) learns nothing from it.
The key is ``IRP_SECRET_KEY`` (a Fernet key, ``irp notify key`` prints a new one) or, when that is
not set, the file ``secret.key`` in the data directory, created on first use, readable by its
owner only. On a team database everyone who adds endpoints and the deliverer use the same key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ir_pipeline.config import data_dir
from ir_pipeline.errors import Invalid

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KEY_ENV = "IRP_SECRET_KEY"
PREFIX = "fernet:"


def key_file() -> Path:
    return data_dir() / "secret.key"


def new_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _key() -> bytes:
    configured = os.environ.get(KEY_ENV, "").strip()
    if configured:
        return configured.encode()
    path = key_file()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on one key, the first one's
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "w") as out:
        out.write(new_key())
    return path.read_bytes().strip()


def _fernet() -> Fernet:
    from cryptography.fernet import Fernet

    try:
        return Fernet(_key())
    except ValueError:
        raise Invalid(
            f"{KEY_ENV} (or {key_file()}) is not a secret key: use the output of `irp notify key`"
        ) from None


def seal(text: str) -> str:
    """``text`` as it is stored."""
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def unseal(stored: str) -> str:
    """What :func:`seal` sealed, or :class:`Invalid` when this machine's key is another one."""
    from cryptography.fernet import InvalidToken

    if not is_sealed(stored):
        raise Invalid("an endpoint secret is stored unsealed: run `irp db upgrade`")
    try:
        return _fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise Invalid(
            f"cannot open the endpoint's secret: it was sealed with another key than this machine's"
            f" ({KEY_ENV} or {key_file()}); use the key it was added with"
        ) from None
