"""Prints where /usr/bin/python3 finds a module installed under PREFIX (argv[1]).

/usr: Debian's deb_system scheme (lib/python3/dist-packages); /usr/local:
posix_local (local/lib/python3.X/dist-packages, on sys.path by default);
any other prefix: the deb_system layout under it, for PYTHONPATH.
"""
import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
if prefix == "/usr/local" and "posix_local" in sysconfig.get_scheme_names():
    scheme, base = "posix_local", "/usr"
else:
    scheme, base = "deb_system", prefix
if scheme not in sysconfig.get_scheme_names():  # a python3 that is not Debian's
    scheme = "posix_prefix"
print(sysconfig.get_path("platlib", scheme, vars={"base": base, "platbase": base}))
