"""The codec's reads of Whoosh's private attributes, each checked against the pinned Whoosh.

storage.py subclasses Whoosh's third codec; what its subclasses read of their parents' private
state is listed here with the test that would fail if a Whoosh release changed it.
"""

import io
import pickle
import zlib
from pathlib import Path

import pytest
import whoosh
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from archive.search.engine.storage import (
    WORDS,
    ArchiveCodec,
    ArchiveLeafMatcher,
    MappedBufferFile,
    MappedFile,
    MarkedPositions,
)
from archive.search.engine.writing import ArchiveSegmentWriter, TermPool

ROOT = Path(__file__).resolve().parent.parent
# Enough documents for a word to fill several blocks of postings (Whoosh's blocks hold 128).
TEXTS = [" ".join(["民警"] * (1 + number % 3) + [f"词{number % 11}", "公安局|公安", "群众"][: 2 + number % 3])
         for number in range(300)]


def schema() -> Schema:
    text = TEXT(stored=False, analyzer=WORDS)
    text.format = MarkedPositions()
    return Schema(key=ID(stored=True, unique=True), text=text)


def build(folder: Path, writer_class) -> object:
    folder.mkdir()
    index = FileStorage(str(folder)).create_index(schema())
    for start in (0, 150):  # two segments, the second merged with the first or not
        writer = writer_class(index)
        for number, content in enumerate(TEXTS[start : start + 150], start=start):
            writer.add_document(key=str(number), text=content)
        writer.commit(merge=False)
    return index.refresh()


def postings(index) -> dict:
    """Every word's postings as (document, weight, positions) read through Whoosh's public matcher API."""
    found = {}
    with index.reader() as reader:
        for fieldname, term in reader.all_terms():
            if fieldname != "text":
                continue
            matcher = reader.postings(fieldname, term)
            rows = []
            while matcher.is_active():
                rows.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
                matcher.next()
            found[term] = rows
    return found


def test_whoosh_is_the_version_the_codec_was_written_for():
    assert whoosh.versionstring() == "2.7.4"
    assert "Whoosh==2.7.4" in (ROOT / "requirements.txt").read_text().splitlines()


def test_postings_written_by_our_codec_read_back_as_whooshs_own(tmp_path):
    # Protocol4PostingsWriter._write_block reads _blockcount, _postfile, _terminfo, _ids, _maxweight,
    # _compression, _minlength, _maxlength and calls _mini_ids, _mini_weights, _mini_values, _new_block.
    ours = build(tmp_path / "ours", ArchiveSegmentWriter)
    whooshs = build(tmp_path / "whoosh", SegmentWriter)
    assert postings(ours) == postings(whooshs)
    assert all(isinstance(segment.codec(), ArchiveCodec) for segment in ours._segments())


def test_blocks_of_postings_are_pickled_with_protocol_4(tmp_path):
    index = build(tmp_path / "ours", ArchiveSegmentWriter)
    with index.reader() as reader:
        segment_reader, _ = reader.leaf_readers()[0]
        matcher = segment_reader.postings("text", "民警".encode())
        assert isinstance(matcher, ArchiveLeafMatcher)
        raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        assert pickle.loads(zlib.decompress(raw))  # a block Whoosh itself can read
        assert zlib.decompress(raw)[:2] == b"\x80\x04"


@pytest.mark.parametrize("values", [False, True], ids=["documents and weights", "with positions"])
def test_reading_all_postings_a_block_at_a_time_equals_reading_them_one_by_one(tmp_path, values):
    # ArchiveLeafMatcher.read_all reads _data, _blocklength, _values and calls _read_data, _read_values, _next_block.
    index = build(tmp_path / "ours", ArchiveSegmentWriter)
    longest = 0
    with index.reader() as reader:
        for segment_reader, _ in reader.leaf_readers():
            for word in ("民警", "群众", "公安"):
                one_by_one = segment_reader.postings("text", word.encode())
                bulk = segment_reader.postings("text", word.encode())
                assert isinstance(bulk, ArchiveLeafMatcher)
                docnums, weights, encoded = bulk.read_all(values)
                expected = []
                while one_by_one.is_active():
                    expected.append((one_by_one.id(), one_by_one.weight(), one_by_one.value() if values else None))
                    one_by_one.next()
                assert list(zip(docnums, weights, encoded if values else [None] * len(docnums), strict=True)) \
                    == expected
                longest = max(longest, len(expected))
    assert longest > 128, "a word of several blocks"


def test_compound_segments_are_read_in_place_from_their_memory_map(tmp_path):
    # MappedCompoundStorage.open_file reads CompoundStorage._source; MappedBufferFile sets _buf and reads _name.
    index = build(tmp_path / "ours", ArchiveSegmentWriter)
    segment = index._segments()[0]
    assert segment.is_compound()
    compound = segment.open_compound_file(index.storage)
    name = compound.list()[0]
    part = compound.open_file(name)
    assert isinstance(part, MappedBufferFile) and isinstance(part.file, MappedFile)
    expected = index.storage.open_file(segment.make_filename(segment.COMPOUND_EXT)).read()
    offset, length = compound.range(name)
    assert part.read(length) == expected[offset : offset + length]
    assert part.get(3, 10) == expected[offset + 3 : offset + 13]
    subset = part.subset(2, 8)
    assert isinstance(subset, MappedBufferFile) and subset.read() == expected[offset + 2 : offset + 10]
    compound.close()


def test_without_a_memory_map_whoosh_reads_the_compound_file_itself(tmp_path):
    index = build(tmp_path / "ours", ArchiveSegmentWriter)
    storage = FileStorage(str(tmp_path / "ours"), supports_mmap=False)
    segment = index._segments()[0]
    compound = segment.open_compound_file(storage)
    assert not isinstance(compound.open_file(compound.list()[0]), MappedBufferFile)
    assert postings(storage.open_index()) == postings(index)
    compound.close()


def test_our_segment_writer_pools_postings_by_term_with_whooshs_temporary_storage(tmp_path):
    # ArchiveSegmentWriter makes its TermPool from SegmentWriter._tempstorage and newsegment.
    (tmp_path / "index").mkdir()
    index = FileStorage(str(tmp_path / "index")).create_index(schema())
    writer = ArchiveSegmentWriter(index)
    assert isinstance(writer.pool, TermPool) and writer.pool.tempstore is writer._tempstorage
    assert isinstance(writer.codec, ArchiveCodec) and writer.newsegment.codec() is writer.codec
    writer.cancel()


def test_a_mapped_file_reads_as_a_copy_in_memory_would():
    content = bytes(range(256)) * 3 + b"line one\nline two\n"
    mapped, copied = MappedFile(memoryview(content)), io.BytesIO(content)
    for operation, arguments in [("read", (10,)), ("seek", (5, 1)), ("tell", ()), ("read", (0,)), ("seek", (-20, 2)),
                                 ("readline", ()), ("readline", ()), ("read", ()), ("seek", (100,)), ("read", (-1,)),
                                 ("seek", (700,)), ("readline", (4,)), ("read", (1000,)), ("seek", (0, 2)),
                                 ("read", (5,))]:
        assert getattr(mapped, operation)(*arguments) == getattr(copied, operation)(*arguments), operation


def test_a_mapped_file_is_a_whole_file():
    content = b"first\nsecond\nthird"
    with MappedFile(memoryview(content)) as mapped:
        assert list(mapped) == [b"first\n", b"second\n", b"third"]
        mapped.seek(0)
        buffer = bytearray(5)
        assert mapped.readinto(buffer) == 5 and bytes(buffer) == b"first"
        assert mapped.seek(-5, io.SEEK_END) == len(content) - 5 and mapped.read() == b"third"
        with pytest.raises(ValueError):
            mapped.seek(-1)
        assert mapped.readable() and mapped.seekable() and not mapped.writable()
    assert mapped.closed
    with pytest.raises(ValueError):
        mapped.read()
