"""Imported images: where they live under static/, and telling a raster image by its bytes."""
from __future__ import annotations

import shutil
from pathlib import Path

IMPORTED_FOLDER = Path("images") / "imported"  # under static/


def kind_of(data: bytes) -> str | None:
    """The raster format of these bytes, from their signature, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def adopt_images_beside(folder: Path, static_folder: Path) -> int:
    """Copy the raster images of folder/images/imported/ (as import-feed --write-markdown leaves them
    beside the articles) into static/images/imported/, where the articles point; returns how many."""
    source = folder / IMPORTED_FOLDER
    if not source.is_dir():
        return 0
    copied = 0
    for path in sorted(source.iterdir()):
        target = static_folder / IMPORTED_FOLDER / path.name
        if path.is_file() and not target.exists() and kind_of(path.read_bytes()[:16]) is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied += 1
    return copied
