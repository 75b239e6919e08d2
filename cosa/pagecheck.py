"""Check every page of `cosa.db` against its SQLCipher HMAC, without SQLite, naming the
damaged pages — page 1 included, which SQLite itself cannot read when it is damaged.

SQLCipher 4 (the settings cosa records in `cosa.keys`): each 4096-byte page ends in a
reserved area of 80 bytes: a 16-byte IV, then HMAC-SHA512 (64 bytes) over the page's
ciphertext and IV followed by the page number (4 bytes, little-endian). Page 1 starts with
the database's 16-byte salt, which the HMAC does not cover. With a raw key the HMAC key is
PBKDF2-HMAC-SHA512(key, salt XOR 0x3a, 2 iterations, 32 bytes).

A page that fails here was damaged (or replaced by a page from another database): the key is
proven right by the MAC of `cosa.keys`, so "not a database" on page 1 is damage, not a wrong
key. An *old* page of the same database still passes (SQLCipher does not bind a page to its
age); the record hashes and the audit chain catch those. Only the main file is checked;
frames still in the WAL are checked by SQLCipher's `cipher_integrity_check`.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

PAGE_SIZE = 4096
SALT = 16
IV = 16
HMAC_SIZE = 64
RESERVE = 80  # IV + HMAC-SHA512, rounded to the cipher block size
FAST_KDF_ITER = 2


def damaged_pages(path: Path, key: bytes, limit: int = 20) -> tuple[int, list[int]]:
    """(pages checked, the numbers of those that fail their HMAC, at most `limit`)."""
    body_end = PAGE_SIZE - RESERVE + IV
    bad: list[int] = []
    number = 0
    with open(path, "rb") as fh:
        salt = fh.read(SALT)
        if len(salt) < SALT:
            return 0, [1]
        hkey = hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), FAST_KDF_ITER, 32)
        fh.seek(0)
        while chunk := fh.read(PAGE_SIZE * 256):
            view = memoryview(chunk)
            for offset in range(0, len(chunk), PAGE_SIZE):
                number += 1
                page = view[offset : offset + PAGE_SIZE]
                if len(page) < PAGE_SIZE:  # a torn last page
                    bad.append(number)
                    break
                start = SALT if number == 1 else 0
                digest = hmac.digest(
                    hkey, bytes(page[start:body_end]) + number.to_bytes(4, "little"), "sha512"
                )
                if not hmac.compare_digest(digest, page[body_end : body_end + HMAC_SIZE]):
                    bad.append(number)
                    if len(bad) >= limit:
                        return number, bad
    return number, bad
