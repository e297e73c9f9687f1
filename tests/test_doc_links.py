"""Every link of the README and docs/ to a file of the repository, and every document named
in code quotes (`docs/….md`), leads to one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
NAMED = re.compile(r"`([\w.-]+(?:/[\w.-]+)+\.md)`")


def test_links_to_files_of_the_repository_lead_somewhere():
    broken = []
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in LINK.findall(document.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (document.parent / target).exists():
                broken.append(f"{document.relative_to(ROOT)} → {target}")
        for named in NAMED.findall(document.read_text()):
            if not (ROOT / named).exists() and not (document.parent / named).exists():
                broken.append(f"{document.relative_to(ROOT)} names {named}")
    assert broken == []
