"""What the bseries-sim campaigns share (bench/run-kill-sim-campaign,
bench/run-sim-memory-campaign): the files of one appliance on loopback, the
process, and the harness's HTTPS requests (docs/bseries-sim.md)."""

import base64
import hashlib
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FHIL_BUILD_DIR", REPO / "build" / "release"))
# As the harness finds it: $FHIL_BSERIES_SIM, else the build tree's.
BSERIES_SIM = Path(os.environ.get("FHIL_BSERIES_SIM") or BUILD / "sim" / "bseries-sim")

# The harness's account, as hil::SimulatorSet writes it.
CLIENT_ID = "harness"
CLIENT_SECRET = "harness+secret/1="
ACCOUNTS = (
    "accounts:\n"
    "  - {client_id: harness, client_secret: 'harness+secret/1=', backup: true, "
    "command: full_access, reporting: true}\n"
)


def build(targets, skip):
    """Builds `targets` with the release preset, as the other bench scripts do."""
    if skip:
        return
    subprocess.run(["cmake", "--preset", "release"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "--preset", "release", "-j", str(os.cpu_count() or 1),
                    "--target", *targets], cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def stop_on_sigterm():
    """SIGTERM ends a campaign as Ctrl-C does: through its `finally`."""
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)


def write_appliance_files(d):
    """appA's appliance file, keys and accounts in `d` (a fresh directory)."""
    d = Path(d)
    (d / "inter.key").write_text(os.urandom(32).hex() + "\n")
    # The vendor's Ed25519 public key, as hex: nothing here is signed, but
    # the appliance file needs one.
    der = subprocess.run(
        "openssl genpkey -algorithm ed25519 | openssl pkey -pubout -outform DER",
        shell=True, check=True, capture_output=True).stdout
    (d / "vendor.pub").write_text(der[-32:].hex() + "\n")
    (d / "accounts.yaml").write_text(ACCOUNTS)
    (d / "appA.yaml").write_text(
        "name: appA\nguid: a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\nunique_ip: 127.0.0.1\n"
        "hostname: support.lab.example\nshared_ip: 127.0.0.10\nbase: 3.3.2\n"
        "software: 23.1.2\nbuild: b7f3a1\ninter_appliance_key_file: inter.key\n"
        "vendor_public_key_file: vendor.pub\ncredentials_file: accounts.yaml\n"
        "update_server: {host: 127.0.0.1, port: 9, fingerprint: " + "0" * 64 + "}\n")
    for f in d.iterdir():
        f.chmod(0o600)
    return d / "appA.yaml"


class Sim:
    """One `bseries-sim appliance` on 127.0.0.1, its state in `data_dir`."""

    def __init__(self, config, data_dir, log, extra=()):
        self.config, self.data_dir, self.log = Path(config), Path(data_dir), Path(log)
        self.extra = list(extra)
        self.proc = None
        self.port = 0
        self.fingerprint = ""

    def start(self, port=0):
        ready = self.data_dir.parent / (self.data_dir.name + ".ready")
        ready.unlink(missing_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(BSERIES_SIM), "appliance", "--config", str(self.config),
                 "--data-dir", str(self.data_dir), "--listen", f"127.0.0.1:{port}",
                 "--time-scale", "1", "--ready-file", str(ready), "--log-level", "warn",
                 *self.extra],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while not ready.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"bseries-sim exited {self.proc.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"bseries-sim not ready in 10 s; see {self.log}")
            time.sleep(0.002)
        r = json.loads(ready.read_text())
        self.port = r["listen"][0]["port"]
        self.fingerprint = r["fingerprint"].replace(":", "").lower()
        return self.proc.pid

    def kill(self):
        """kill -9, and reaps it."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self):
        """SIGTERM (a clean stop), SIGKILL after 5 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(self, method, path, body=None, headers=None, timeout=10):
        """One HTTPS exchange, the certificate pinned by its fingerprint:
        (status, body bytes). Raises OSError (or http.client's errors) when
        the process is gone."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=timeout)
        try:
            conn.connect()
            der = conn.sock.getpeercert(binary_form=True)
            if hashlib.sha256(der).hexdigest() != self.fingerprint:
                raise ssl.SSLError("certificate fingerprint differs from the ready file's")
            conn.request(method, path, body=body, headers=headers or {})
            res = conn.getresponse()
            return res.status, res.read()
        finally:
            conn.close()

    def token(self):
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        status, body = self.request(
            "POST", "/oauth2/token", "grant_type=client_credentials",
            {"Authorization": "Basic " + basic,
             "Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            raise RuntimeError(f"token: HTTP {status}: {body[:200]!r}")
        return json.loads(body)["access_token"]

    def sim_post(self, token, op, payload):
        """POST /sim/v1/<op> with a JSON body: (status, parsed JSON or None)."""
        status, body = self.request(
            "POST", "/sim/v1/" + op, json.dumps(payload),
            {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None


def rss_kb(pid):
    """VmRSS of `pid` in kB, from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def say(*parts):
    print(*parts, flush=True)


def fail(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(2)
