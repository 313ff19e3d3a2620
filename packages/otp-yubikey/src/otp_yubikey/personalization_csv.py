"""Reading the CSV files in which YubiKey programming tools log the keys they wrote.

Two layouts are understood, as the YubiKey Personalization Tool writes them:

- "Traditional format": ``Yubico OTP,<time>,<slot>,<public id>,<private id>,<AES key>,...``
- "Yubico format": ``<serial>,<public id>,<private id>,<AES key>,<access code>,<time>,``

Other lines (other credential types, logging markers, blank lines) are
skipped. A key never appears in an error: rows are reported by line number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .validators import aes_key_validator, private_id_validator, public_id_validator

__all__ = ["KeyRow", "read_rows"]


@dataclass(frozen=True)
class KeyRow:
    """One programmed key; ``error`` is set (and the values are not) when it is unusable."""

    line: int
    public_id: str = ""
    private_id: str = ""
    key: str = ""
    error: str = ""

    def __repr__(self) -> str:  # never the AES key
        return f"KeyRow(line={self.line}, public_id={self.public_id!r}, error={self.error!r})"


def _fields(row: list[str]) -> tuple[str, str, str] | None:
    cells = [cell.strip() for cell in row]
    if len(cells) >= 6 and cells[0].lower() == "yubico otp":
        return cells[3], cells[4], cells[5]
    if len(cells) >= 4 and (cells[0].isdigit() or cells[0] == "") and cells[1]:
        return cells[1], cells[2], cells[3]
    return None


def read_rows(lines: Iterable[str]) -> Iterator[KeyRow]:
    """The Yubico OTP keys logged in ``lines`` (a file opened as text)."""
    for number, row in enumerate(csv.reader(lines), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        fields = _fields(row)
        if fields is None:
            continue
        public_id, private_id, key = fields[0].lower(), fields[1].lower(), fields[2].lower()
        try:
            public_id_validator(public_id)
            private_id_validator(private_id)
            aes_key_validator(key)
        except ValidationError as exc:
            yield KeyRow(number, error=" ".join(str(m) for m in exc.messages))
            continue
        yield KeyRow(number, public_id, private_id, key)
