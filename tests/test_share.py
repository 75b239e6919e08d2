"""The share pack and the disclosure record: consent, overrides, minimisation, encryption."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader

from cosa.domain import members
from cosa.workspace import Options, Workspace

from .conftest import Cli
from .test_reports import audit_entries, cli, pages, template, text_of, world

__all__ = ["cli", "template", "world"]  # fixtures shared with test_reports

SURNAMES = ["Łukasiewicz", "Smith", "Jones", "Mendes", "Patel"]


def disclosures(cli: Cli, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli.json("disclosure", "list", "--type", "share pack", *args)
    return rows


def test_sharing_is_refused_without_consent_and_nothing_is_written(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    before = len(audit_entries(ws_home))
    out = tmp_path / "s.pdf"
    result = cli("share", "2", "--to", "Olly", "-o", str(out), code=1)
    assert "CM-0001 has not consented to sharing with Olly Officer (Thames Valley Police)" in (
        result.stderr
    )
    assert "--override REASON" in result.stderr
    assert not out.exists()
    assert disclosures(cli) == []
    assert len(audit_entries(ws_home)) == before


def test_unapproved_minutes_are_never_shared(cli: Cli, tmp_path: Path) -> None:
    result = cli("share", "8", "--recipient", "Pat", "-o", str(tmp_path / "s.pdf"), code=1)
    assert "not approved" in result.stderr
    cli("share", "8", "--to", "Olly", "--override", "urgent", code=1)
    assert not list(tmp_path.glob("*.pdf"))


def test_sharing_with_consent_writes_the_pack_and_records_the_disclosure(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    result = cli("share", "5", "--recipient", "Pat")
    out = tmp_path / "share-CM-0001-2025-07-22-meeting-5-for-pat-probation.pdf"
    assert f"Wrote {out}" in result.stderr and "Recorded disclosure 2" in result.stderr
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [d] = disclosures(cli)
    assert d["member_code"] == "CM-0001" and d["meeting_id"] == 5
    assert d["recipient"] == "Pat Probation (probation, NPS Thames Valley)"
    assert d["basis"] == "consent" and d["override_reason"] is None
    assert d["items"] == ["approved minutes of meeting 5 (2025-07-22)", "attendance", "1 concern"]
    assert any("venue" in r for r in d["removed"])
    assert any("first name" in r for r in d["removed"])
    assert d["file_name"] == out.name
    assert d["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert d["encrypted"] is False
    [entry] = audit_entries(ws_home, "share")
    assert (entry["record_type"], entry["record_id"]) == ("disclosure", d["id"])
    text = text_of(out)
    assert d["uuid"] in text and "Lawful basis" in text and "consent" in text
    cli("audit", "verify")


def test_the_pack_names_volunteers_by_first_name_and_withholds_the_venue(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "s.pdf"
    cli("share", "5", "--recipient", "Pat", "-o", str(out))
    text = text_of(out)
    assert "Share pack: approved minutes" in text
    assert "Ann drove CM-0001 to the housing office; Ann said the flat" in text
    assert "Zoë" in text and "Ann saw CM-0001 near a school" in text
    for surname in SURNAMES:
        assert surname not in text, surname
    assert "Secret Hall" not in text
    assert "DRAFT" not in text


def test_volunteers_can_be_reduced_to_codes(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    cli("share", "5", "--recipient", "Pat", "-o", str(out), "--volunteer-names", "code")
    text = text_of(out)
    assert "Volunteer 2 drove CM-0001" in text and "Volunteer 1" in text
    for name in ["Ann", "Bob", "Zoë", *SURNAMES]:
        assert name not in text, name
    cli("share", "5", "--recipient", "Pat", "--volunteer-names", "full", code=1)


def test_an_override_shares_without_consent_and_records_its_reason(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "s.pdf"
    cli(
        "share",
        "5",
        "--to",
        "Olly",
        "-o",
        str(out),
        "--override",
        "risk to a child",
        "--basis",
        "vital interests",
    )
    [d] = disclosures(cli, "--member", "CM-0001")
    assert (d["basis"], d["override_reason"]) == ("vital interests", "risk to a child")
    assert "vital interests — override: risk to a child" in text_of(out)
    cli("share", "6", "--to", "Olly", "-o", str(tmp_path / "t.pdf"), "--override", "duty")
    assert disclosures(cli)[-1]["basis"] == "override"


def test_a_basis_needs_an_override_and_consent_cannot_be_one(cli: Cli) -> None:
    result = cli("share", "5", "--recipient", "Pat", "--basis", "legal duty", code=1)
    assert "--basis legal duty goes with --override" in result.stderr
    cli("share", "5", "--to", "Olly", "--override", "x", "--basis", "consent", code=1)
    cli("share", "5", "--to", "Olly", "--override", "x", "--basis", "whim", code=1)
    assert disclosures(cli) == []


def test_withdrawn_consent_no_longer_covers_the_agency(cli: Cli, ws_home: Path) -> None:
    store = Workspace(ws_home).open(Options())
    try:
        members.consent(store, "CM-0001", "NPS Thames Valley", withdraw=True)
    finally:
        store.close()
    result = cli("share", "5", "--recipient", "Pat", code=1)
    assert "has not consented" in result.stderr


def test_an_encrypted_share_pack_is_aes_256_r6(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    result = cli("share", "5", "--recipient", "Pat", "-o", str(out), "--encrypt")
    password = result.stderr.split("separately from the file): ")[1].split()[0]
    reader = PdfReader(out)
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/R"], encrypt["/V"]) == (6, 5)
    assert reader.decrypt("not-the-password") == PasswordType.NOT_DECRYPTED
    assert "Share pack" in pages(out, password)[0]
    [d] = disclosures(cli)
    assert d["encrypted"] is True
    assert d["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_disclosures_list_as_csv_and_show_one(cli: Cli, tmp_path: Path) -> None:
    cli("share", "5", "--recipient", "Pat", "-o", str(tmp_path / "a.pdf"))
    cli("share", "6", "--recipient", "Pat", "-o", str(tmp_path / "b.pdf"))
    csv = cli("disclosure", "list", "--csv").stdout.splitlines()
    assert csv[0].startswith("id,disclosed_on,member_code,meeting_id,recipient,basis")
    assert len(csv) == 4  # the escalation in the fixture, then the two packs
    shown = cli.json("disclosure", "show", "3")
    assert shown["meeting_id"] == 6 and shown["file_name"] == "b.pdf"
    text = cli("disclosure", "show", "3").stdout
    assert "SHA-256" in text and shown["sha256"] in text
    assert disclosures(cli, "--member", "CM-0002") == []
    cli("disclosure", "show", "9", code=1)
    assert [r["kind"] for r in cli.json("disclosure", "list", "--limit", "2")] == [
        "share pack",
        "share pack",
    ]


def test_packs_for_two_recipients_never_replace_each_other_and_o_needs_force(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    cli("share", "5", "--recipient", "Pat")
    cli(
        "share", "5", "--recipient", "Olly", "--override", "MAPPA meeting", "--basis", "public task"
    )
    names = sorted(p.name for p in tmp_path.glob("share-*.pdf"))
    assert names == [
        "share-CM-0001-2025-07-22-meeting-5-for-olly-officer.pdf",
        "share-CM-0001-2025-07-22-meeting-5-for-pat-probation.pdf",
    ]
    before = audit_entries(ws_home)
    out = tmp_path / names[0]
    old = out.read_bytes()
    result = cli("share", "5", "--recipient", "Pat", "-o", str(out), code=1)
    assert result.stderr.startswith("Error: ") and "already exists" in result.stderr
    cli("share", "5", "--recipient", "Pat", code=1)  # the default name exists too
    assert out.read_bytes() == old and audit_entries(ws_home) == before
    cli("share", "5", "--recipient", "Pat", "-o", str(out), "--force")
    assert out.read_bytes() != old
    link = tmp_path / "link.pdf"
    link.symlink_to(tmp_path / "elsewhere.pdf")
    result = cli("share", "5", "--recipient", "Pat", "-o", str(link), "--force", code=1)
    assert "not a regular file" in result.stderr and not (tmp_path / "elsewhere.pdf").exists()


def test_the_subject_access_pack_lists_disclosures_by_role(cli: Cli, tmp_path: Path) -> None:
    cli("share", "5", "--recipient", "Pat", "-o", str(tmp_path / "a.pdf"))
    data = cli.json("report", "member", "CM-0001")
    escalation, d = data["disclosures"]
    assert escalation["kind"] == "escalation" and escalation["basis"] == "vital interests"
    assert escalation["to"] == "police offender manager (Thames Valley Police)"
    assert d["to"] == "probation practitioner (NPS Thames Valley)" and d["basis"] == "consent"


def test_an_inactive_professional_receives_nothing(cli: Cli, ws_home: Path) -> None:
    store = Workspace(ws_home).open(Options())
    try:
        with store.atomic():
            store.update("professionals", "professional", 1, {"active_to": "2025-12-31"})
    finally:
        store.close()
    result = cli("share", "5", "--recipient", "Pat", code=1)
    assert "not active since 2025-12-31" in result.stderr
