"""nginx configured from deploy/, run as an ordinary user on loopback ports.

The test of the deployment and `pantau bench web` put this proxy in front of `streamlit run
server.py` exactly as deploy/README-style production does: deploy/render-nginx renders the
repository's own site files, and a minimal main nginx.conf (temporary prefix, pid, logs and
temp paths, the modules a Debian server would load) includes them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from pantau.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
MODULES = Path("/usr/lib/nginx/modules")
OPTIONAL_MODULES = ("ngx_http_brotli_filter_module.so",)

MAIN_CONF = """\
# Written by pantau.proxy for a local run; production uses Debian's /etc/nginx/nginx.conf.
{modules}
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    sendfile on;
    include {prefix}/conf/pantau-site.conf;
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A throwaway certificate for a test of the HTTPS server (never for production)."""
    cert, key = folder / "pantau.pem", folder / "pantau.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def spki_hash(cert: Path) -> str:
    """Base64 SHA-256 of a certificate's public key: Chromium's --ignore-certificate-errors-spki-list
    then trusts it like a real certificate (with a merely ignored error it would cache nothing)."""
    key = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], check=True,
                         capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=key, check=True,
                         capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


class LocalProxy:
    """nginx in `prefix`, listening on loopback, in front of the two Streamlit ports."""

    def __init__(self, prefix: Path, public_port: int, internal_port: int, tls: bool = False,
                 htpasswd: Path | None = None) -> None:
        self.prefix = Path(prefix)
        self.public_port = public_port
        self.internal_port = internal_port
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.htpasswd = htpasswd
        self.cert: Path | None = None
        self.process: subprocess.Popen | None = None
        self.summary_dir = self.prefix / "www"  # `pantau summary --out` writes ringkas.html here

    def url(self, which: str = "public", scheme: str = "http") -> str:
        port = self.tls_port if scheme == "https" else self.port
        return f"{scheme}://127.0.0.1:{port}" + ("/internal/" if which == "internal" else "")

    def render(self) -> Path:
        conf = self.prefix / "conf"
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        self.summary_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "LISTEN": f"127.0.0.1:{self.port}", "SERVER_NAME": "localhost",
               "PUBLIC_UPSTREAM": f"127.0.0.1:{self.public_port}",
               "INTERNAL_UPSTREAM": f"127.0.0.1:{self.internal_port}",
               "HTPASSWD": str(self.htpasswd or self.prefix / "internal.htpasswd"),
               "SUMMARY_DIR": str(self.summary_dir)}
        if self.tls_port:
            cert, key = self_signed(self.prefix)
            self.cert = cert
            env.update({"TLS_LISTEN": f"127.0.0.1:{self.tls_port}", "TLS_CERT": str(cert), "TLS_KEY": str(key)})
        subprocess.run([str(DEPLOY / "render-nginx"), str(conf)], env=env, check=True, capture_output=True)
        modules = "\n".join(f"load_module {MODULES / m};" for m in OPTIONAL_MODULES if (MODULES / m).exists())
        main = self.prefix / "nginx.conf"
        # Started by root, nginx's workers would become "nobody" and could not read files in a
        # private temporary folder (the password file); an ordinary user keeps its own identity.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        main.write_text(MAIN_CONF.format(prefix=self.prefix, modules=modules, user=user))
        return main

    def start(self, timeout: float = 20) -> None:
        main = self.render()
        binary = nginx_binary()
        if not binary:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        check = subprocess.run([binary, "-t", "-p", str(self.prefix), "-c", str(main)], capture_output=True,
                               text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects the rendered configuration:\n{check.stderr}")
        self.process = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(main), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}: "
                                   f"{(self.prefix / 'error.log').read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("nginx did not start listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
