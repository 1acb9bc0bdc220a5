"""The repository stands on its own.

A QA engineer has only a clone. Every rule id that code, tests or documents
cite must be defined in docs/rules.md, and the documentation must not send
the reader to files outside the repository.

Needs only the standard library, pytest and git (no built module).
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "rules.md"
EXPECTED_IDS = [f"R{n:02d}" for n in range(1, 24)]

# A rule id: R and two digits, not inside a longer word or number
# ("R07_BaseFails" and "R17:" count; "XR07" and "R070" do not).
RULE_ID = re.compile(r"(?<![A-Za-z0-9])R[0-9]{2}(?![0-9])")
OUTSIDE = ("../shared", "shared/", "DESIGN.md", "STYLE.md")


def _git(*args):
    return subprocess.run(
        ["git", "-c", f"safe.directory={ROOT}", "-C", str(ROOT), *args],
        capture_output=True,
        check=False,
    )


def _tracked_files():
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    inside = _git("rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        pytest.skip(f"{ROOT} is not a git work tree")
    listed = _git("ls-files", "-z")
    assert listed.returncode == 0, listed.stderr.decode(errors="replace")
    names = [n for n in listed.stdout.decode().split("\0") if n]
    return [ROOT / n for n in names]


def _text(path):
    """The file's text, or None for a binary (or vanished) file."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None  # deleted in the work tree, or a submodule
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _rules_table():
    """[(id, line number, text)] of the `| id | rule |` table in docs/rules.md."""
    assert RULES.is_file(), f"{RULES.relative_to(ROOT)} is missing"
    rows, in_table, seen_table = [], False, False
    for number, line in enumerate(RULES.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("|"):
            if in_table:
                break  # the table ended
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if not in_table:
            if seen_table or [c.lower() for c in cells[:2]] != ["id", "rule"]:
                continue
            in_table = seen_table = True
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue  # the |----|------| line
        rows.append((cells[0], number, "|".join(cells[1:]).strip()))
    assert seen_table, "docs/rules.md has no '| id | rule |' table"
    return rows


def _defined_ids():
    return {rule_id for rule_id, _, _ in _rules_table()}


def test_rules_table_defines_each_rule_once():
    rows = _rules_table()
    problems = []
    first_line = {}
    for rule_id, line, text in rows:
        if not re.fullmatch(r"R[0-9]{2}", rule_id):
            problems.append(f"docs/rules.md:{line}: '{rule_id}' is not a rule id (R + 2 digits)")
            continue
        if not text:
            problems.append(f"docs/rules.md:{line}: {rule_id} has no text")
        if rule_id in first_line:
            problems.append(
                f"docs/rules.md:{line}: {rule_id} is defined again "
                f"(first at line {first_line[rule_id]})"
            )
        else:
            first_line[rule_id] = line
    for rule_id in EXPECTED_IDS:
        if rule_id not in first_line:
            problems.append(f"docs/rules.md: {rule_id} is missing from the table")
    assert not problems, "\n".join(problems)


def test_every_cited_rule_is_defined():
    defined = _defined_ids()
    undefined = []
    for path in _tracked_files():
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in RULE_ID.finditer(line):
                if match.group() not in defined:
                    undefined.append(f"{path.relative_to(ROOT)}:{number}: {match.group()}")
    assert not undefined, (
        "rule ids cited but not defined in docs/rules.md's table:\n" + "\n".join(undefined)
    )


def test_docs_point_only_inside_the_repository():
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found = []
    for path in docs:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for needle in OUTSIDE:
                if needle in line:
                    found.append(f"{path.relative_to(ROOT)}:{number}: '{needle}': {line.strip()}")
    assert not found, (
        "documentation refers to files outside the repository "
        "(use docs/rules.md, docs/procedure.md or docs/product-api.md):\n" + "\n".join(found)
    )


def test_the_docs_example_inventory_is_the_shipped_one():
    """docs/inventory.md shows examples/inventory/appliances.yaml verbatim.

    Its earlier example named files that did not exist and a fingerprint of
    the wrong length, so it failed `validate`; the shipped one is validated
    by the CLI tests.
    """
    doc = (ROOT / "docs" / "inventory.md").read_text()
    shipped = (ROOT / "examples" / "inventory" / "appliances.yaml").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert shipped in blocks, "docs/inventory.md's example differs from the shipped file"
