"""Start-up stays cheap: which modules `cosa --help` and `cosa status` load (SPEC §8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import PASSPHRASE, Cli

PROBE = """
import json, sys
sys.argv = ["cosa", *sys.argv[1:]]
import cosa.cli
try:
    cosa.cli.main()
except SystemExit:
    pass
heavy = ("pydantic", "rich", "reportlab", "pypdf", "cryptography", "argon2", "sqlcipher3")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})),
      file=sys.stderr)
"""


def loaded(args: list[str], env: dict[str, str]) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True,
                         text=True, timeout=120, check=False)  # fmt: skip
    return list(json.loads(out.stderr.strip().splitlines()[-1]))


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COSA_HOME": str(tmp_path / "ws")}
    assert loaded(["--help"], env) == []


def test_status_renders_without_pydantic_rich_or_pdf_libraries(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COSA_HOME": str(initialised),
           "COSA_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1"}  # fmt: skip
    mods = loaded(["status"], env)
    # the passphrase path needs the KDF and AES-GCM; nothing else heavy
    assert set(mods) <= {"sqlcipher3", "argon2", "cryptography"}, mods
    assert "pydantic" not in loaded(["volunteer", "list"], env)
