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
frames still in the WAL are checked by SQLCipher's `cipher_integrity_check`. A file cut at a
page boundary passes every HMAC: `cut_short` compares its length with the page count in page
1's header (decrypted here with the key, as SQLCipher does).
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


def header_pages(path: Path, key: bytes) -> int | None:
    """The number of pages page 1's (encrypted) SQLite header says the database has, or None
    when the header cannot tell (page 1 missing, damaged, or its size field not valid). With
    a raw key SQLCipher encrypts each page with AES-256-CBC under the key itself, the IV in
    the page's reserved area; the header's fields sit 16 bytes further on than in SQLite's
    own layout, after the salt."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    with open(path, "rb") as fh:
        page = fh.read(PAGE_SIZE)
    if len(page) < PAGE_SIZE or damaged_page_one(page, key):
        return None
    body_end = PAGE_SIZE - RESERVE
    iv = page[body_end : body_end + IV]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(page[SALT:body_end]) + decryptor.finalize()
    changes, size, valid_for = (int.from_bytes(plain[o - SALT : o - SALT + 4], "big")
                                for o in (24, 28, 92))  # fmt: skip
    return size if size and valid_for == changes else None


def cut_short(path: Path, key: bytes, pages: int) -> str | None:
    """What to say when the file has fewer than the `pages` its header names, else None.
    (Asked only once the database shows damage: a checkpoint in progress in another process
    can leave the header ahead of the file for a moment.)"""
    try:
        expected = header_pages(path, key)
    except (OSError, ValueError):
        return None
    if expected is None or pages >= expected:
        return None
    return f"the file ends after page {pages}; page 1 says it has {expected}"


def damaged_page_one(page: bytes, key: bytes) -> bool:
    salt = page[:SALT]
    hkey = hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), FAST_KDF_ITER, 32)
    body_end = PAGE_SIZE - RESERVE + IV
    digest = hmac.digest(hkey, page[SALT:body_end] + (1).to_bytes(4, "little"), "sha512")
    return not hmac.compare_digest(digest, page[body_end : body_end + HMAC_SIZE])
