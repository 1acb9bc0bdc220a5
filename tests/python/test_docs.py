"""Every Python example in docs/python.md runs as written (each in an empty
folder, in its own interpreter); those marked `# needs root` only as root."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "python.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("code", BLOCKS, ids=[f"example{i + 1}" for i in range(len(BLOCKS))])
def test_each_example_runs(code, tmp_path):
    if code.startswith("# needs root") and os.geteuid() != 0:
        pytest.skip("this example builds a lab: run as root")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, f"--- example\n{code}\n--- output\n{p.stdout}\n{p.stderr}"
