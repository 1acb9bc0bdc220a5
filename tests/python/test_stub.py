"""The typed stub (failover_hil/_core.pyi) names what the module has: every
public name and every public member of its classes, and nothing else."""
import ast
import pathlib

import failover_hil._core as core

STUB = pathlib.Path(__file__).resolve().parents[2] / "pybind" / "failover_hil" / "_core.pyi"


def stub_names():
    tree = ast.parse(STUB.read_text())
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                n.target.id if isinstance(n, ast.AnnAssign) else n.name
                for n in node.body if isinstance(n, (ast.AnnAssign, ast.FunctionDef))}
    return top, members


def test_the_stub_matches_the_module():
    top, members = stub_names()
    module = {n for n in dir(core) if not n.startswith("_")}
    assert module == top, f"only in the module: {module - top}; only in the stub: {top - module}"
    for cls, names in members.items():
        if issubclass(getattr(core, cls), BaseException):
            continue
        public = {n for n in dir(getattr(core, cls)) if not n.startswith("_")}
        stubbed = {n for n in names if not n.startswith("_")}
        assert public == stubbed, f"{cls}: only in the module {public - stubbed}, only in the stub {stubbed - public}"
