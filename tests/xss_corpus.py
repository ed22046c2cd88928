"""The XSS corpus in tests/data/xss_payloads.txt: published vectors, each with the source it came from."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "xss_payloads.txt"


@dataclass(frozen=True)
class Vector:
    payload: str
    source: str
    line: int


def load_vectors(path: Path = CORPUS) -> list[Vector]:
    """Blocks are separated by blank lines and open with '# ' lines naming their source; the file's
    first block is its header. A literal backslash-n stands for a newline; split on LF only."""
    vectors: list[Vector] = []
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    number = 1
    for index, block in enumerate(blocks):
        source_lines = []
        for offset, line in enumerate(block.split("\n")):
            if line.startswith("# "):
                source_lines.append(line[2:])
            elif line and index > 0:
                vectors.append(Vector(line.replace("\\n", "\n"), " / ".join(source_lines), number + offset))
        number += block.count("\n") + 2
    return vectors
