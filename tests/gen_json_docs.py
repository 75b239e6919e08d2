"""Generate docs/json.md from the pydantic models (run: python -m tests.gen_json_docs)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from pydantic import BaseModel

from cosa import models

DOCS = Path(__file__).resolve().parent.parent / "docs" / "json.md"

INTRO = """# cosa JSON output

Every `list` and `show` command takes `--json`. This is the stable contract for scripts:
fields are only ever added, never renamed or removed without a changelog entry. A `list`
prints a JSON array of objects; a `show` prints one object. Dates are ISO `YYYY-MM-DD`,
date-times `YYYY-MM-DD HH:MM:SS` (local time), and absent values are `null`.

Generated from `cosa/models.py` by `python -m tests.gen_json_docs`; do not edit by hand.
"""


def _type(prop: dict[str, object]) -> str:
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])  # type: ignore[attr-defined]
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "enum" in prop:
        return "one of " + ", ".join(json.dumps(v) for v in prop["enum"])  # type: ignore[attr-defined]
    if "const" in prop:
        return json.dumps(prop["const"])
    if prop.get("type") == "array":
        return f"array of {_type(prop.get('items', {}))}"  # type: ignore[arg-type]
    return str(prop.get("type", "any"))


def render() -> str:
    parts = [INTRO]
    for name, cls in sorted(inspect.getmembers(models, inspect.isclass)):
        if not issubclass(cls, BaseModel) or cls.__module__ != models.__name__:
            continue
        schema = cls.model_json_schema()
        parts.append(f"## {name}\n")
        doc = inspect.getdoc(cls)
        if doc and not doc.startswith("!!!") and cls.__doc__:
            parts.append(doc.strip() + "\n")
        parts.append("| field | type |\n|---|---|")
        for field, prop in schema.get("properties", {}).items():
            parts.append(f"| `{field}` | {_type(prop)} |")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
