"""age encryption for transfer bundles, through the `pyrage` binding (age v1, X25519 or scrypt).

cosa does not define an encryption format of its own for bundles: a bundle is a standard age
file (https://age-encryption.org/v1), readable by `age`/`rage` too. This module is the only
one that imports `pyrage` (lazily: it is a compiled extension, and `cosa --help` must stay
fast), and it turns pyrage's errors into cosa's: a bundle for another workspace or a wrong
password is exit 3, a damaged file exit 4.
"""

from __future__ import annotations

from cosa.errors import IntegrityError, LockedError, UserError

MAGIC = b"age-encryption.org/v1\n"
#: The first stanza of a passphrase-encrypted age file (age allows it alone).
SCRYPT_STANZA = b"-> scrypt "


def new_identity() -> tuple[str, str]:
    """A fresh X25519 identity: (secret `AGE-SECRET-KEY-1…`, public recipient `age1…`)."""
    from pyrage import x25519

    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def check_recipient(text: str) -> str:
    """An age X25519 recipient (`age1…`), or a one-line error."""
    from pyrage import RecipientError, x25519

    value = text.strip()
    try:
        x25519.Recipient.from_str(value)
    except (RecipientError, ValueError):
        raise UserError(
            f"'{value[:80]}' is not an age recipient",
            hint="ask the receiving coordinator for the output of `cosa workspace id` (age1…)",
        ) from None
    return value


def encrypt_to(data: bytes, recipient: str) -> bytes:
    from pyrage import encrypt, x25519

    return bytes(encrypt(data, [x25519.Recipient.from_str(check_recipient(recipient))]))


def encrypt_with_password(data: bytes, password: str) -> bytes:
    from pyrage import passphrase

    return bytes(passphrase.encrypt(data, password))


def is_age(blob: bytes) -> bool:
    return blob.startswith(MAGIC)


def needs_password(blob: bytes) -> bool:
    """Whether an age file is passphrase-encrypted (its one stanza is scrypt)."""
    return blob[len(MAGIC) :].startswith(SCRYPT_STANZA)


def _damaged(name: str, reason: str) -> IntegrityError:
    return IntegrityError(
        f"{name} is damaged or incomplete ({reason}); nothing was written",
        hint="ask the sender for a new copy of the bundle",
    )


def decrypt(
    blob: bytes, name: str, *, secret: str | None = None, password: str | None = None
) -> bytes:
    """The plaintext of an age file, with the workspace's identity or a password."""
    from pyrage import DecryptError, passphrase, x25519
    from pyrage import decrypt as decrypt_with

    if not is_age(blob):
        raise _damaged(name, "not an age file")
    try:
        if password is not None:
            return bytes(passphrase.decrypt(blob, password))
        if secret is None:
            raise LockedError(f"{name} needs a password", hint="give --password-file PATH")
        return bytes(decrypt_with(blob, [x25519.Identity.from_str(secret)]))
    except DecryptError as exc:
        text = str(exc)
        if "No matching keys" in text:
            raise LockedError(
                f"{name} was not made for this workspace (or its header is damaged);"
                " nothing was written",
                hint="the sender must use this workspace's recipient (`cosa workspace id`)",
            ) from None
        if password is not None and text == "Decryption failed":
            # scrypt's header MAC: a wrong password (or a damaged header; age cannot tell).
            raise LockedError(
                f"wrong password for {name}; nothing was written",
                hint="check the password file with the sender",
            ) from None
        raise _damaged(name, text) from None
