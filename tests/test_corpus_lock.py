"""The corpus writer's lock file goes away with a clean release, and still excludes a second writer."""

from __future__ import annotations

import pytest

from storage.corpus import CorpusError, WriterLock


def test_a_released_lock_leaves_no_file_and_can_be_taken_again(tmp_path):
    db = tmp_path / "corpus.db"
    first = WriterLock(db)
    first.acquire()
    assert (tmp_path / "corpus.db.lock").exists()
    with pytest.raises(CorpusError, match="is being written by pid"):
        WriterLock(db).acquire()
    first.release()
    assert not (tmp_path / "corpus.db.lock").exists()
    second = WriterLock(db)
    second.acquire()
    with pytest.raises(CorpusError):
        WriterLock(db).acquire()
    second.release()
    assert list(tmp_path.iterdir()) == []
