"""The fingerprint of one article: what the index stores and the corpus persists.

``fingerprint_text(text, lang, config)`` is a pure module-level function (picklable arguments and
result), so the crawler runs it in worker processes. A ``Fingerprint`` holds:

- ``content_hash``: 16 bytes over the normalised token sequence (exact duplicates);
- ``signature``: uint32[num_perm] MinHash of the stem set (near duplicates);
- ``stems``: how many distinct stems the signature summarises (guards, see ``DedupConfig``);
- ``lang``: ISO 639-1 code or '' when unknown;
- ``anchors``: sorted uint64 hashes of what survives translation (numbers, names, acronyms, URLs,
  handles; ``dedup.anchors``) and ``sentences``, the length of each sentence (uint16), for
  cross-language links (``dedup.crosslingual``); both empty when ``cross_language`` is off;
- ``tag``: a checksum of the settings that made it; fingerprints with different tags are not
  comparable.

``to_bytes`` is a fixed little-endian layout (~0.8 KB at 192 permutations, + 8 bytes per
anchor and 2 per sentence), ``from_bytes`` its
inverse; a corrupt or foreign blob raises ValueError with a one-line reason.
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
from dedup.normalize import nfkc, nfkc_packed_tokens, shingle_hashes

_MAGIC = b'DDF2'
# magic, tag, num_perm, n_anchors, n_sentences, stems, content hash, lang
_HEADER = struct.Struct('<4sIHHHI16s2s')


def config_tag(config: DedupConfig) -> int:
    return zlib.crc32(config.signature_tag().encode())


@dataclass(frozen=True, eq=False)
class Fingerprint:
    content_hash: bytes
    signature: np.ndarray
    stems: int
    lang: str
    anchors: np.ndarray
    tag: int
    sentences: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint16))

    def to_bytes(self) -> bytes:
        sentences = self.sentences[:65535]
        head = _HEADER.pack(_MAGIC, self.tag, len(self.signature), len(self.anchors), len(sentences),
                            self.stems, self.content_hash,
                            self.lang.encode('ascii', 'replace')[:2].ljust(2, b' '))
        return (head + self.signature.astype('<u4').tobytes() + self.anchors.astype('<u8').tobytes()
                + sentences.astype('<u2').tobytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> 'Fingerprint':
        data = bytes(data)
        if len(data) < _HEADER.size or data[:4] != _MAGIC:
            raise ValueError('not a dedup fingerprint (bad header)')
        magic, tag, num_perm, n_anchors, n_sentences, stems, chash, lang = _HEADER.unpack_from(data)
        end_sig = _HEADER.size + 4 * num_perm
        end_anchors = end_sig + 8 * n_anchors
        expected = end_anchors + 2 * n_sentences
        if len(data) != expected:
            raise ValueError(f'truncated dedup fingerprint ({len(data)} bytes, expected {expected})')
        sig = np.frombuffer(data, '<u4', num_perm, _HEADER.size).astype(np.uint32)
        anchors = np.frombuffer(data, '<u8', n_anchors, end_sig).astype(np.uint64)
        sentences = np.frombuffer(data, '<u2', n_sentences, end_anchors).astype(np.uint16)
        return cls(chash, sig, stems, lang.decode('ascii', 'replace').strip(), anchors, tag, sentences)

    def __reduce__(self):
        return (Fingerprint.from_bytes, (self.to_bytes(),))

    def __eq__(self, other):
        return isinstance(other, Fingerprint) and self.to_bytes() == other.to_bytes()

    def __hash__(self):
        return hash(self.content_hash)

    def __repr__(self):
        return (f'Fingerprint(lang={self.lang!r}, stems={self.stems}, anchors={len(self.anchors)}, '
                f'sentences={len(self.sentences)}, '
                f'content_hash={self.content_hash.hex()[:12]}...)')


@dataclass
class FingerprintColumns:
    """Many fingerprints as parallel columns: what a start-up rebuild feeds the index."""
    content_hashes: list[bytes]
    signatures: np.ndarray  # (N, num_perm) uint32
    stems: np.ndarray       # (N,) int32
    langs: list[str]
    anchors: list[np.ndarray]
    sentences: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.content_hashes)

    def take(self, rows: list[int]) -> 'FingerprintColumns':
        idx = np.asarray(rows, np.int64)
        return FingerprintColumns([self.content_hashes[i] for i in rows], self.signatures[idx], self.stems[idx],
                                  [self.langs[i] for i in rows], [self.anchors[i] for i in rows],
                                  [self.sentences[i] for i in rows])

    @classmethod
    def of(cls, fps: list[Fingerprint]) -> 'FingerprintColumns':
        return cls([fp.content_hash for fp in fps], np.stack([fp.signature for fp in fps]),
                   np.array([fp.stems for fp in fps], np.int32), [fp.lang for fp in fps],
                   [fp.anchors for fp in fps], [fp.sentences for fp in fps])


_NO_ANCHORS = np.empty(0, np.uint64)
_NO_SENTENCES = np.empty(0, np.uint16)


def unpack_many(blobs: list[bytes], tag: int, num_perm: int) -> FingerprintColumns:
    """Parse stored fingerprints straight into columns (no Fingerprint objects: ~3x faster).

    Raises ValueError naming the first blob that is corrupt or made with other settings."""
    hashes, stems, langs, anchors, sentences, sig_parts = [], [], [], [], [], []
    unpack = _HEADER.unpack_from
    sig_bytes = 4 * num_perm
    for row, data in enumerate(blobs):
        if len(data) < _HEADER.size or data[:4] != _MAGIC:
            raise ValueError(f'fingerprint {row}: not a dedup fingerprint (bad header)')
        magic, blob_tag, n_perm, n_anchors, n_sentences, n_stems, chash, lang = unpack(data)
        if blob_tag != tag or n_perm != num_perm:
            raise ValueError(f'fingerprint {row}: made with other dedup settings (num_perm, seed or tokens)')
        end_sig = _HEADER.size + sig_bytes
        end_anchors = end_sig + 8 * n_anchors
        if len(data) != end_anchors + 2 * n_sentences:
            raise ValueError(f'fingerprint {row}: truncated ({len(data)} bytes)')
        hashes.append(chash)
        stems.append(n_stems)
        langs.append(lang.decode('ascii', 'replace').strip())
        sig_parts.append(data[_HEADER.size:end_sig])
        anchors.append(np.frombuffer(data, '<u8', n_anchors, end_sig) if n_anchors else _NO_ANCHORS)
        sentences.append(np.frombuffer(data, '<u2', n_sentences, end_anchors) if n_sentences else _NO_SENTENCES)
    sigs = np.frombuffer(b''.join(sig_parts), '<u4').reshape(len(blobs), num_perm)
    return FingerprintColumns(hashes, sigs, np.array(stems, np.int32), langs, anchors, sentences)


def fingerprint_text(text: str, lang: str | None, config: DedupConfig) -> Fingerprint:
    """Fingerprint of an article's text (pure; safe to run in a worker process)."""
    if not isinstance(text, str):
        raise TypeError(f'text must be str, not {type(text).__name__}')
    normalized = nfkc(text)  # once, for the tokens and the anchors
    packed, chash = nfkc_packed_tokens(normalized)
    stems = shingle_hashes(packed, config.min_token_bytes, config.prefix_bytes, config.drop_stopwords)
    return Fingerprint(
        content_hash=chash,
        signature=signature(stems, config.num_perm, config.seed),
        stems=len(stems),
        lang=(lang or '').strip().lower()[:2],
        anchors=nfkc_anchor_hashes(normalized) if config.cross_language else np.empty(0, np.uint64),
        tag=config_tag(config),
        sentences=sentence_lengths(text) if config.cross_language else np.empty(0, np.uint16),
    )
