"""Page chrome vocabulary as data: core/extraction/vocab/<language>.txt, loaded at import.

Owns the file format: `[section]` lines open a section; in the pattern sections ("section
headings", "chrome lines") every other non-blank line that does not start with `#` is one
regular expression (case-insensitive, matched against a whole line of text by cleanup.py); in
"class tokens" the words name chrome in class and id attributes (prune.py). Adding a language
is adding a file.
"""

from __future__ import annotations

from pathlib import Path

VOCAB_DIR = Path(__file__).with_name("vocab")
PATTERN_SECTIONS = ("section headings", "chrome lines")
TOKEN_SECTIONS = ("class tokens",)


def read_vocabulary(directory: Path = VOCAB_DIR) -> dict[str, tuple[str, ...]]:
    """{section: entries} over every vocab file, files in name order, entries in file order."""
    sections: dict[str, list[str]] = {name: [] for name in PATTERN_SECTIONS + TOKEN_SECTIONS}
    for path in sorted(directory.glob("*.txt")):
        section = None
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("[") and stripped.endswith("]") and stripped[1:-1] in sections:
                section = stripped[1:-1]
            elif section is None:
                raise ValueError(f"{path.name}:{number}: entry before any [section]")
            elif section in TOKEN_SECTIONS:
                sections[section].extend(stripped.lower().split())
            else:
                sections[section].append(stripped)
    return {name: tuple(entries) for name, entries in sections.items()}


VOCABULARY = read_vocabulary()
SECTION_HEADING_PATTERNS = VOCABULARY["section headings"]
CHROME_LINE_PATTERNS = SECTION_HEADING_PATTERNS + VOCABULARY["chrome lines"]
CHROME_CLASS_TOKENS = frozenset(VOCABULARY["class tokens"])
