"""The fingerprint of one article: what the index stores and the corpus persists.

``fingerprint_text(text, lang, config)`` is a pure module-level function (picklable arguments and
result), so the crawler runs it in worker processes. A ``Fingerprint`` holds:

- ``content_hash``: 16 bytes over the normalised token sequence (exact duplicates);
- ``signature``: uint32[num_perm] MinHash of the stem set (near duplicates);
- ``stems``: how many distinct stems the signature summarises (guards, see ``DedupConfig``);
- ``lang``: ISO 639-1 code or '' when unknown (``und`` included);
- ``sentence_stems`` and ``stems_per_sentence``: each sentence's stems as 16-bit hashes, and how
  many belong to each sentence: the evidence ``dedup.align`` verifies a near duplicate with;
- ``anchors``: sorted uint64 hashes of what survives translation (numbers, names, acronyms, URLs,
  handles; ``dedup.anchors``) and ``sentences``, the length of each sentence (uint16), for
  cross-language links (``dedup.crosslingual``); both empty when ``cross_language`` is off;
- ``tag``: a checksum of the settings that made it; fingerprints with different tags are not
  comparable.

``to_bytes`` is a fixed little-endian layout, versioned by its magic (``DDF3``; every count is 32
bits, so no text is too long for it); ``from_bytes`` is its inverse. A corrupt blob, or one of an
older format, raises ValueError with a one-line reason; a corpus fingerprints again, from their text,
the articles whose fingerprint does not start with ``FORMAT_MAGIC`` (``storage.corpus.refresh_fingerprints``).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from dedup.anchors import nfkc_anchor_hashes
from dedup.config import DedupConfig
from dedup.crosslingual import sentence_lengths
from dedup.minhash import signature
from dedup.normalize import fold_nfkc, folded_stems, nfkc, unique_sorted

FORMAT_MAGIC = b"DDF3"  # the first bytes of every fingerprint of this format
# magic, tag, num_perm, n_anchors, n_sentences, n_aligned (sentences of the stems), n_sentence_stems,
# stems, content hash, lang
_HEADER = struct.Struct("<4sIIIIIII16s2s")


def config_tag(config: DedupConfig) -> int:
    return zlib.crc32(config.signature_tag().encode())


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What dedup keeps of an article: content hash, MinHash signature, cross-language anchors and
    sentence stems; ``to_bytes``/``from_bytes`` are the stored format (FORMAT_MAGIC)."""

    content_hash: bytes
    signature: np.ndarray
    stems: int
    lang: str
    anchors: np.ndarray
    tag: int
    sentences: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint16))
    sentence_stems: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint16))
    stems_per_sentence: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))

    def to_bytes(self) -> bytes:
        head = _HEADER.pack(
            FORMAT_MAGIC,
            self.tag,
            len(self.signature),
            len(self.anchors),
            len(self.sentences),
            len(self.stems_per_sentence),
            len(self.sentence_stems),
            self.stems,
            self.content_hash,
            self.lang.encode("ascii", "replace")[:2].ljust(2, b" "),
        )
        return b"".join(
            (
                head,
                self.signature.astype("<u4").tobytes(),
                self.anchors.astype("<u8").tobytes(),
                self.sentences.astype("<u2").tobytes(),
                self.stems_per_sentence.astype("<u4").tobytes(),
                self.sentence_stems.astype("<u2").tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "Fingerprint":
        cols = unpack_many([bytes(data)], None, None)
        return cls(
            cols.content_hashes[0],
            cols.signatures[0].copy(),
            int(cols.stems[0]),
            cols.langs[0],
            cols.anchors[0].copy(),
            cols.tags[0],
            cols.sentences[0].copy(),
            cols.sentence_stems[0].copy(),
            cols.stems_per_sentence[0].copy(),
        )

    def __reduce__(self):
        return (Fingerprint.from_bytes, (self.to_bytes(),))

    def __eq__(self, other):
        return isinstance(other, Fingerprint) and self.to_bytes() == other.to_bytes()

    def __hash__(self):
        return hash(self.content_hash)

    def __repr__(self):
        return (
            f"Fingerprint(lang={self.lang!r}, stems={self.stems}, anchors={len(self.anchors)}, "
            f"sentences={len(self.sentences)}, "
            f"content_hash={self.content_hash.hex()[:12]}...)"
        )


@dataclass
class FingerprintColumns:
    """Many fingerprints as parallel columns: what a start-up rebuild feeds the index."""

    content_hashes: list[bytes]
    signatures: np.ndarray  # (N, num_perm) uint32
    stems: np.ndarray  # (N,) int64
    langs: list[str]
    anchors: list[np.ndarray]
    sentences: list[np.ndarray]
    sentence_stems: list[np.ndarray]
    stems_per_sentence: list[np.ndarray]
    tags: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.content_hashes)

    def take(self, rows: list[int]) -> "FingerprintColumns":
        idx = np.asarray(rows, np.int64)
        return FingerprintColumns(
            [self.content_hashes[i] for i in rows],
            self.signatures[idx],
            self.stems[idx],
            [self.langs[i] for i in rows],
            [self.anchors[i] for i in rows],
            [self.sentences[i] for i in rows],
            [self.sentence_stems[i] for i in rows],
            [self.stems_per_sentence[i] for i in rows],
        )

    @classmethod
    def of(cls, fps: list[Fingerprint]) -> "FingerprintColumns":
        return cls(
            [fp.content_hash for fp in fps],
            np.stack([fp.signature for fp in fps]),
            np.array([fp.stems for fp in fps], np.int64),
            [fp.lang for fp in fps],
            [fp.anchors for fp in fps],
            [fp.sentences for fp in fps],
            [fp.sentence_stems for fp in fps],
            [fp.stems_per_sentence for fp in fps],
        )


def _array(data: bytes, dtype: str, count: int, offset: int, kind) -> np.ndarray:
    return np.frombuffer(data, dtype, count, offset) if count else np.empty(0, kind)


def unpack_many(blobs: list[bytes], tag: int | None, num_perm: int | None) -> FingerprintColumns:
    """Parse stored fingerprints straight into columns (no Fingerprint objects: several times
    faster). ``tag`` and ``num_perm``, when given, must match every blob.

    Raises ValueError naming the first blob that is corrupt, of an older format, or made with
    other settings."""
    hashes, stems, langs, anchors, sentences, aligned, counts, tags, sig_parts = ([] for _ in range(9))
    unpack = _HEADER.unpack_from
    n_perm_seen = num_perm
    for row, data in enumerate(blobs):
        if len(data) < _HEADER.size or data[:4] != FORMAT_MAGIC:
            old = data[:3] == b"DDF"
            raise ValueError(
                f"fingerprint {row}: "
                + ("an older fingerprint format" if old else "not a dedup fingerprint (bad header)")
            )
        _, blob_tag, n_perm, n_anchors, n_sentences, n_aligned, n_sketch, n_stems, chash, lang = unpack(data)
        if (tag is not None and blob_tag != tag) or (n_perm_seen is not None and n_perm != n_perm_seen):
            raise ValueError(f"fingerprint {row}: made with other dedup settings (num_perm, seed or tokens)")
        n_perm_seen = n_perm
        end_sig = _HEADER.size + 4 * n_perm
        end_anchors = end_sig + 8 * n_anchors
        end_sentences = end_anchors + 2 * n_sentences
        end_counts = end_sentences + 4 * n_aligned
        if len(data) != end_counts + 2 * n_sketch:
            raise ValueError(f"fingerprint {row}: truncated ({len(data)} bytes)")
        per_sentence = _array(data, "<u4", n_aligned, end_sentences, np.uint32)
        if int(per_sentence.sum()) != n_sketch:
            raise ValueError(f"fingerprint {row}: sentence stem counts do not add up")
        hashes.append(chash)
        stems.append(n_stems)
        tags.append(blob_tag)
        langs.append(lang.decode("ascii", "replace").strip())
        sig_parts.append(data[_HEADER.size : end_sig])
        anchors.append(_array(data, "<u8", n_anchors, end_sig, np.uint64))
        sentences.append(_array(data, "<u2", n_sentences, end_anchors, np.uint16))
        counts.append(per_sentence)
        aligned.append(_array(data, "<u2", n_sketch, end_counts, np.uint16))
    sigs = np.frombuffer(b"".join(sig_parts), "<u4").reshape(len(blobs), n_perm_seen or 0)
    return FingerprintColumns(hashes, sigs, np.array(stems, np.int64), langs, anchors, sentences, aligned, counts, tags)


UNDETERMINED = "und"  # a language the extractor could not tell (BCP 47): no language for matching


def language_key(lang: str | None) -> str:
    """The two-letter form of an ISO 639-1 code ('de-DE' -> 'de'); '' when unknown or 'und'."""
    lang = (lang or "").strip().lower()
    return "" if lang == UNDETERMINED else lang[:2]


def fingerprint_text(text: str, lang: str | None, config: DedupConfig) -> Fingerprint:
    """Fingerprint of an article's text (pure; safe to run in a worker process)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    normalized = nfkc(text)  # once, for the tokens and the anchors
    folded = fold_nfkc(normalized).encode("utf-8", "surrogatepass")
    # the stems once, for the signature (their set) and the sentences
    chash, hashes, sketch, per_sentence = folded_stems(
        folded, config.min_token_bytes, config.prefix_bytes, config.drop_stopwords
    )
    stems = unique_sorted(hashes)
    return Fingerprint(
        content_hash=chash,
        signature=signature(stems, config.num_perm, config.seed),
        stems=len(stems),
        lang=language_key(lang),
        anchors=nfkc_anchor_hashes(normalized) if config.cross_language else np.empty(0, np.uint64),
        tag=config_tag(config),
        sentences=sentence_lengths(text) if config.cross_language else np.empty(0, np.uint16),
        sentence_stems=sketch,
        stems_per_sentence=per_sentence,
    )
