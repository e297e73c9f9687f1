"""Debian's nginx, with the shipped `contrib/nginx/reflector.conf` and a self-signed
certificate, in front of a real `reflector serve`: what a deployment behind TLS relies on."""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, wait_for_port
from tests.web import PASSWORD, csrf_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="Debian's nginx is not installed"),
]
ROOT = Path(__file__).resolve().parent.parent
NAME = "reflector.example.com"
# The client comes from another loopback address than the proxy's, so the two can be told apart.
CLIENT = "127.0.0.2"
UPLOAD_MIB = 64


class Deployment:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.serve_port, self.http_port, self.https_port = free_port(), free_port(), free_port()
        self.log = directory / "serve.log"
        self.env = {
            "PATH": os.environ["PATH"],
            "REFLECTOR_DATA_DIR": str(directory / "data"),
            "EMBEDDED_WORKER": "false",
            "DEFAULT_VIDEO_PLATFORM": "mock",
            "PUBLIC_URL": f"https://{NAME}",
            "TRUSTED_HOSTS": NAME,
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "REFLECTOR_PASSWORD": PASSWORD,
            "LOG_LEVEL": "INFO",
        }
        self.reflector = str(Path(sys.executable).parent / "reflector")
        self.run("users", "create", "ann")
        self.key = self.run("api-key", "create", "--name", "ann").strip()
        self.serve = subprocess.Popen(
            [self.reflector, "serve", "--port", str(self.serve_port)],
            cwd=directory,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.nginx = subprocess.Popen(
            ["nginx", "-c", str(self._nginx_conf()), "-g", "daemon off;"],
            stderr=(directory / "nginx.err").open("wb"),
        )
        for port in (self.serve_port, self.https_port):
            wait_for_port(port)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [self.reflector, *args], env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def _nginx_conf(self) -> Path:
        """The shipped site, on loopback ports, with a certificate made for the test."""
        d = self.directory
        request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        files = ["-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")]
        subprocess.run([*request, *files, "-subj", f"/CN={NAME}"], check=True, capture_output=True)
        site = (ROOT / "contrib/nginx/reflector.conf").read_text()
        site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.MULTILINE)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl")
        site = site.replace("127.0.0.1:1250", f"127.0.0.1:{self.serve_port}")
        site = site.replace(f"/etc/letsencrypt/live/{NAME}/fullchain.pem", str(d / "cert.pem"))
        site = site.replace(f"/etc/letsencrypt/live/{NAME}/privkey.pem", str(d / "key.pem"))
        (d / "site.conf").write_text(site)
        temp = "".join(
            f"{kind}_temp_path {d / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = d / "nginx.conf"
        conf.write_text(
            f"pid {d / 'nginx.pid'};\nerror_log {d / 'nginx.err'};\nevents {{}}\n"
            f"http {{\naccess_log off;\n{temp}include {d / 'site.conf'};\n}}\n"
        )
        return conf

    def client(self, port: int, scheme: str = "https") -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=CLIENT, verify=False)
        return httpx.Client(
            transport=transport,
            base_url=f"{scheme}://127.0.0.1:{port}",
            headers={"Host": NAME},
            timeout=60,
        )

    def seen_from(self, marker: str) -> str:
        """The client address `serve` logged for the request whose query carried `marker`."""
        for line in self.log.read_text().splitlines():
            if marker in line:
                return line.split(" - ", 1)[0].split()[-1].rpartition(":")[0]
        raise AssertionError(f"no request {marker} in the log")

    def stop(self) -> None:
        for process in (self.nginx, self.serve):
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    deployment = Deployment(tmp_path_factory.mktemp("tls"))
    try:
        yield deployment
    finally:
        deployment.stop()


def test_signing_in_over_https_gives_a_secure_cookie(deployment: Deployment) -> None:
    with deployment.client(deployment.https_port) as browser:
        form = browser.get("/signin")
        assert form.status_code == 200
        signin = {"name": "ann", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
        answer = browser.post("/signin", data=signin)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(("/", f"https://{NAME}/"))
        cookie = answer.headers["set-cookie"]
        assert "reflector_session=" in cookie
        assert "Secure" in cookie
        assert browser.get("/rooms").status_code == 200
        signed_out = browser.post(
            "/signout", data={"csrf_token": csrf_of(browser.get("/rooms").text)}
        )
        assert signed_out.headers["location"].startswith(("/", f"https://{NAME}/"))


def test_plain_http_is_sent_to_https_on_the_public_name(deployment: Deployment) -> None:
    with deployment.client(deployment.http_port, "http") as plain:
        answer = plain.get("/rooms?x=1")
    assert answer.status_code == 301
    assert answer.headers["location"] == f"https://{NAME}/rooms?x=1"


def test_the_service_sees_the_clients_address_and_no_one_elses_claim(
    deployment: Deployment,
) -> None:
    with deployment.client(deployment.https_port) as through_proxy:
        through_proxy.get("/health", params={"probe": "via-proxy"})
        forged = {"X-Forwarded-For": "203.0.113.7"}
        through_proxy.get("/health", params={"probe": "via-proxy-forged"}, headers=forged)
    with deployment.client(deployment.serve_port, "http") as direct:
        direct.get("/health", params={"probe": "direct-forged"}, headers=forged)
    assert deployment.seen_from("probe=via-proxy ") == CLIENT
    assert deployment.seen_from("probe=via-proxy-forged") == CLIENT
    assert deployment.seen_from("probe=direct-forged") == CLIENT


def test_a_large_upload_passes_the_proxy(
    deployment: Deployment, tmp_path: Path, spoken_video: Path
) -> None:
    """A real recording's start, padded past nginx's default 1 MiB limit many times over."""
    recording = tmp_path / "long.mp4"
    shutil.copy(spoken_video, recording)
    with recording.open("r+b") as out:
        out.truncate(UPLOAD_MIB * 1024 * 1024)
    api_key = {"Authorization": f"Bearer {deployment.key}"}
    with deployment.client(deployment.https_port) as api:
        api.headers.update(api_key)
        room = api.post("/v1/rooms", json={"name": "big", "platform": "mock"})
        assert room.status_code == 201, room.text
        meeting = api.post("/v1/rooms/big/meeting").json()
        with recording.open("rb") as file:
            files = {"file": ("long.mp4", file, "video/mp4")}
            answer = api.post(f"/v1/meetings/{meeting['id']}/recordings", files=files)
    assert answer.status_code == 201, answer.text
    assert answer.json()["size"] == UPLOAD_MIB * 1024 * 1024
