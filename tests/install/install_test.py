"""The installed tree and the Debian package work on their own (docs/install.md).

  install_test.py tree        install with DESTDIR into a fresh root, run the checks there
  install_test.py deb-build   build the .deb with CPack into --work
  install_test.py deb         unpack that .deb with dpkg-deb -x, run the checks there
  install_test.py depends     the .deb's Depends names the package of every shared
                              library its programs and module load, and of the
                              programs the harness executes

The checks: failover-hil --help, validate (a shipped scenario by name, and
every shipped scenario by path), the in-process engine, bseries-sim and
bseries-client beside failover-hil, the Python module imported and run with
/usr/bin/python3 from the tree, and (tree only) a C++ program built against
the installed CMake package. No root, no namespaces, nothing from the build
or source tree on the paths the checks use.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PREFIX = "usr"  # the package's prefix, and the one the tree test installs to
SCENARIO = "shared-ip-baseline"
# Programs the harness executes at run time, and the package that ships each.
TOOLS = {"named": "bind9"}


class Failure(Exception):
    pass


def run(argv, *, env=None, cwd=None, expect=0, timeout=120):
    """Runs argv; returns its stdout. Raises Failure with its output otherwise."""
    p = subprocess.run(
        [str(a) for a in argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if expect is not None and p.returncode != expect:
        raise Failure(
            f"{' '.join(map(str, argv))}: exit {p.returncode}, expected {expect}\n"
            f"--- stdout\n{p.stdout[-3000:]}\n--- stderr\n{p.stderr[-3000:]}"
        )
    return p.stdout


def clean_env(**extra):
    """The environment of a harness host: system paths only, no override of bseries-sim."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FHIL_", "PYTHON"))}
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
    env.update(extra)
    return env


def python_dir(root):
    """Where the tree holds the module (lib/python3/dist-packages under /usr)."""
    found = sorted((root / PREFIX / "lib").glob("python3*/dist-packages/failover_hil/_core*.so"))
    if not found:
        raise Failure(f"no failover_hil package under {root / PREFIX / 'lib'}/python3*/dist-packages")
    return found[0].parent.parent


def check_tree(root, scratch, python, cmake_package):
    bindir = root / PREFIX / "bin"
    data = root / PREFIX / "share" / "failover-hil" / "scenarios"
    exe = bindir / "failover-hil"
    env = clean_env()
    for name in ("failover-hil", "bseries-sim", "bseries-client"):
        if not os.access(bindir / name, os.X_OK):
            raise Failure(f"{bindir / name} is missing or not executable")
    if "validate" not in run([exe, "--help"], env=env, cwd=scratch):
        raise Failure("failover-hil --help does not list validate")
    for name in ("bseries-sim", "bseries-client"):
        run([bindir / name, "--help"], env=env, cwd=scratch)
    print("ok: failover-hil, bseries-sim, bseries-client --help")

    # A shipped scenario by name: found in the tree's data directory.
    out = run([exe, "validate", SCENARIO], env=env, cwd=scratch)
    if f"ok (scenario {SCENARIO}," not in out:
        raise Failure(f"validate {SCENARIO}: {out}")
    shipped = sorted(data.glob("*.yaml"))
    if not shipped or not (data / "labs" / "default.yaml").is_file():
        raise Failure(f"{data} lacks the scenarios or labs/default.yaml")
    run([exe, "validate", *shipped], env=env, cwd=scratch)
    print(f"ok: validate {SCENARIO} by name, and {len(shipped)} shipped scenarios by path")

    out_dir = scratch / "run"
    run([exe, "run", "--engine", "inprocess", SCENARIO, "--out", out_dir], env=env, cwd=scratch)
    report = json.loads((out_dir / "report.json").read_text())
    if report.get("outcome") != "completed":
        raise Failure(f"in-process run: outcome {report.get('outcome')}, expected completed")
    print("ok: run --engine inprocess", SCENARIO, "completed")

    if python:
        check_python(root, scratch, data / f"{SCENARIO}.yaml")
    if cmake_package:
        check_cmake_package(root, scratch, data / f"{SCENARIO}.yaml")


def check_python(root, scratch, scenario):
    pydir = python_dir(root)
    script = (
        "import sys, failover_hil\n"
        "print(failover_hil.__file__)\n"
        "r = failover_hil.run_scenario(sys.argv[1], sys.argv[2])\n"
        "assert r['outcome'] == 'completed' and r['passed'], r\n"
        "import importlib.metadata as md\n"
        "plugins = [e.value for e in md.entry_points(group='pytest11')]\n"
        "assert 'failover_hil.pytest_plugin' in plugins, plugins\n"
        "shipped = failover_hil.find_scenario('shared-ip-baseline')\n"
        "assert shipped.startswith(sys.argv[3]), (shipped, sys.argv[3])\n"
    )
    out = run(
        ["/usr/bin/python3", "-c", script, scenario, scratch / "py-run", str(root)],
        env=clean_env(PYTHONPATH=str(pydir)),
        cwd=scratch,
    )
    if not out.startswith(str(pydir)):
        raise Failure(f"imported failover_hil from {out.strip()}, not from {pydir}")
    print("ok: /usr/bin/python3 imports failover_hil from", pydir.relative_to(root),
          "and runs; its pytest plugin has an entry point; shipped scenarios are found")


CONSUMER_CMAKE = """cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES CXX)
find_package(failover_hil 0.1 CONFIG REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE failover_hil::hil)
"""
CONSUMER_MAIN = """#include <iostream>
#include "failover_hil/hil/scenario.hpp"
int main(int, char** argv) {
  const auto s = failover_hil::hil::load_scenario(argv[1]);
  std::cout << s.name << " " << s.steps.size() << "\\n";
}
"""


def check_cmake_package(root, scratch, scenario):
    src, build = scratch / "consumer", scratch / "consumer-build"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CONSUMER_CMAKE)
    (src / "main.cpp").write_text(CONSUMER_MAIN)
    env = clean_env()
    run(["cmake", "-S", src, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={root / PREFIX}"],
        env=env)
    run(["cmake", "--build", build], env=env, timeout=240)
    out = run([build / "consumer", scenario], env=env)
    if not out.startswith(SCENARIO + " "):
        raise Failure(f"the consumer printed {out!r}")
    print("ok: find_package(failover_hil) and failover_hil::hil from the tree build and run")


def find_deb(work):
    debs = sorted(work.glob("failover-hil_*_*.deb"))
    if len(debs) != 1:
        raise Failure(f"expected one failover-hil_<version>_<arch>.deb in {work}, found {debs}")
    return debs[0]


def unpack(deb, root):
    run(["dpkg-deb", "-x", deb, root])


# ---- Depends --------------------------------------------------------------------


def depends_names(deb):
    """The package names in Depends (alternatives included, versions dropped)."""
    field = run(["dpkg-deb", "-f", deb, "Depends"]).strip()
    names = set()
    for clause in field.split(","):
        for alt in clause.split("|"):
            if alt.strip():
                names.add(alt.split("(")[0].split(":")[0].strip())
    return field, names


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def shared_libraries(path):
    """{soname: path} of every shared library ldd resolves for path (direct or not)."""
    libs = {}
    for line in run(["ldd", path]).splitlines():
        if "not found" in line:
            raise Failure(f"{path}: {line.strip()}")
        m = re.match(r"\s*(\S+)\s+=>\s+(/\S+)\s+\(0x", line) or re.match(
            r"\s*((/\S+))\s+\(0x", line)
        if m:
            libs[m.group(1)] = m.group(2)
    return libs


def needed(path):
    """The sonames path names itself (DT_NEEDED); the rest ldd lists come with them."""
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                          run(["readelf", "-d", path])))


def spellings(path):
    """path as dpkg may know it: as given, resolved, with and without the /usr merge."""
    forms = [path, os.path.realpath(path)]
    return forms + [p[len("/usr"):] if p.startswith("/usr/") else "/usr" + p for p in forms]


def owning_packages(paths):
    """{path: the Debian package that ships it}, from one dpkg -S (a call costs ~0.5 s)."""
    asked = sorted({s for p in paths for s in spellings(p)})
    q = subprocess.run(["dpkg", "-S", *asked], capture_output=True, text=True)
    owner = {}
    for line in q.stdout.splitlines():
        pkgs, _, where = line.partition(": ")
        owner[where.strip()] = pkgs.split(",")[0].split(":")[0].strip()
    found = {}
    for p in paths:
        hit = next((owner[s] for s in spellings(p) if s in owner), None)
        if hit is None:
            raise Failure(f"dpkg -S: no package ships {p}")
        found[p] = hit
    return found


def provided_by(package):
    """The names a package provides (its Provides field), besides its own."""
    q = subprocess.run(["dpkg-query", "-W", "-f=${Provides}", package], capture_output=True,
                       text=True)
    return {package} | {p.split("(")[0].strip() for p in q.stdout.split(",") if p.strip()}


def closure(names):
    """The installed packages that names pull in (Depends and Pre-Depends, recursively)."""
    seen, todo = set(), list(names)
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        q = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", pkg],
                           capture_output=True, text=True)
        for clause in q.stdout.split(","):
            for alt in clause.split("|"):
                name = alt.split("(")[0].split(":")[0].strip()
                if name and name not in seen:
                    todo.append(name)
    return seen


def check_depends(deb, root):
    """A library a program names itself: its package in Depends. One that comes with
    another library (ldd lists both): its package pulled in by Depends. A program the
    harness runs, and python3 for the module: in Depends."""
    field, named = depends_names(deb)
    print("Depends:", field)
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    if not files:
        raise Failure("the package holds no programs")
    loads = []  # (file, soname, library path, named by the file itself)
    for f in files:
        own = needed(f)
        loads += [(f, so, lib, so in own) for so, lib in shared_libraries(f).items()]
    tools = {t: shutil.which(t, path="/usr/sbin:/usr/bin:/sbin:/bin") for t in TOOLS}
    owner = owning_packages([lib for *_, lib, _ in loads] + [w for w in tools.values() if w])
    direct, indirect = {}, {}  # package -> why
    for f, _, lib, is_direct in loads:
        why = f"{f.relative_to(root)} loads {lib}"
        (direct if is_direct else indirect).setdefault(owner[lib], why)
    for tool, where in tools.items():
        direct.setdefault(owner[where] if where else TOOLS[tool], f"the harness runs {tool}")
    if any(f.suffix == ".so" and "python3" in str(f) for f in files):
        direct.setdefault("python3", "the Python module")
    pulled = closure(named)
    missing = [f"{pkg} ({why})" for pkg, why in sorted(direct.items())
               if not provided_by(pkg) & named]
    missing += [f"{pkg} ({why}; not pulled in by Depends either)"
                for pkg, why in sorted(indirect.items()) if not provided_by(pkg) & pulled]
    if missing:
        raise Failure("Depends lacks:\n  " + "\n  ".join(missing))
    print(f"ok: {len(files)} programs: Depends names the {len(direct)} packages they use "
          f"directly and pulls in the {len(indirect)} more that ldd lists")


# ---- main -----------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["tree", "deb-build", "deb", "depends"])
    ap.add_argument("--build-dir", type=Path, help="the configured and built tree")
    ap.add_argument("--work", type=Path, required=True, help="where the .deb is kept")
    ap.add_argument("--python", action="store_true", help="the tree holds the Python module")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fhil-install-") as tmp:
        tmp = Path(tmp)
        root, scratch = tmp / "root", tmp / "scratch"
        scratch.mkdir()
        if a.what == "tree":
            # DESTDIR: the tree lands under root/, as it would under / (prefix /usr).
            run(["cmake", "--install", a.build_dir, "--prefix", "/" + PREFIX],
                env=dict(os.environ, DESTDIR=str(root)))
            check_tree(root, scratch, a.python, cmake_package=True)
        elif a.what == "deb-build":
            for old in a.work.glob("failover-hil_*.deb"):
                old.unlink()
            run(["cpack", "-G", "DEB", "--config", a.build_dir / "CPackConfig.cmake", "-B", tmp],
                timeout=280)
            deb = find_deb(tmp)
            shutil.move(deb, a.work / deb.name)
            print("ok: built", deb.name)
        elif a.what == "deb":
            unpack(find_deb(a.work), root)
            check_tree(root, scratch, a.python, cmake_package=False)
        else:
            deb = find_deb(a.work)
            unpack(deb, root)
            check_depends(deb, root)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL:", e, file=sys.stderr)
        sys.exit(1)
