"""The README's walkthrough, run as written against a real server on the embedded default."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def walkthrough_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Walkthrough", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, re.DOTALL)


def test_walkthrough_works_as_written(tmp_path):
    setup, *steps = walkthrough_blocks()
    assert "./scripts/serve" in setup
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    run = {"cwd": tmp_path, "env": env, "capture_output": True, "text": True, "timeout": 60}

    subprocess.run(["bash", "-c", setup.replace("./scripts/serve", "")], check=True, **run)
    reflector = str(Path(sys.executable).parent / "reflector")
    server = subprocess.Popen(
        [reflector, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        script = "set -euo pipefail\n" + "\n".join(steps).replace(":1250", f":{port}")
        result = subprocess.run(["bash", "-c", script], **run)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert result.returncode == 0, result.stderr
    assert '"status":"processed"' in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "1"
