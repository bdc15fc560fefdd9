"""How the Whoosh index stores words: the tokenizer that reads words already cut, positions as
machine arrays, and a codec of our own (Whoosh's third codec with three changes).

The codec is chosen by our segment writer (writing.py) and recorded in each segment it writes, so
Whoosh's own classes stay as they are for every other index in the process. The private attributes
of Whoosh read here are read only inside these subclasses; Whoosh is pinned (requirements.txt) and
tests/test_search_engine_storage.py checks each of them against the pinned version.
"""

import io
import pickle
import zlib
from array import array
from collections import defaultdict
from itertools import accumulate

from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter, W3Segment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions
from whoosh.system import emptybytes
from whoosh.util.numeric import length_to_byte

from .. import words

INNER_WORD_MARK = words.INNER_WORD_MARK


class WordsTokenizer(Tokenizer):
    """Reads words.indexed_form(): words split on spaces, a word's inner words at its position.

    The index receives words already cut; one field then answers both a word and the longer
    words holding it, which halves the work of scoring a query.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for offset, pieces in enumerate(_pieces(value) if tokenize else [[value]]):
            for piece in pieces:
                token.text, token.boost, token.stopped = piece, 1.0, False
                if keeporiginal:
                    token.original = piece
                if positions:
                    token.pos = start_pos + offset
                if chars:  # no highlighting from the index: pages mark words in the database text
                    token.startchar = token.endchar = start_char
                yield token

    def marked_positions(self, value: str) -> dict[str, list[int]]:
        """Each word's positions, marked (MarkedPositions): as the tokens would give them, without
        making a token per word (a third of the time of indexing went to tokens). The same rule as
        _pieces(), written out for the import's hot path; a test checks that both agree."""
        found = defaultdict(list)
        for offset, chunk in enumerate(value.split()):
            if INNER_WORD_MARK in chunk:
                own, *inner = chunk.split(INNER_WORD_MARK)
                if own:
                    found[own].append(2 * offset)
                for piece in inner:
                    if piece:
                        found[piece].append(2 * offset + 1)
            else:  # most words hold no other
                found[chunk].append(2 * offset)
        return found


def _pieces(value: str):
    """The words at each position; a lone mark gives none and only takes up its position."""
    for chunk in value.split():
        yield [piece for piece in chunk.split(INNER_WORD_MARK) if piece]


WORDS = WordsTokenizer()


class MarkedPositions(Positions):
    """Positions stored as a machine array (2 bytes each in articles under 32,768 words, else 4),
    each marked: a word's own position p is stored as 2p, an inner word's (公安 at the position of
    公安局长) as 2p + 1.

    Whoosh pickles the gaps between positions and decodes them one by one in Python; an array
    decodes in C, which is most of the time of checking a phrase. The mark tells a quoted string
    which words stand in the text as they are: 公安 inside 公安局长 neither ends nor starts a word.
    Whoosh itself reads the positions unmarked.
    """

    def encode(self, poslist):
        """Positions of Whoosh's tokens, each a word's own."""
        return _encoded([2 * position for position in poslist])

    def word_values(self, value, analyzer, **kwargs):
        """What Positions.word_values gives, marked; read straight from WordsTokenizer.marked_positions()."""
        if not (isinstance(analyzer, WordsTokenizer) and isinstance(value, str)):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        # Under 65,536 characters no position reaches 32,768, so no marked one needs four bytes.
        short = len(value) < 65536
        for word, marked in analyzer.marked_positions(value).items():
            encoded = b"H" + array("H", marked).tobytes() if short else _encoded(marked)
            yield word, len(marked), len(marked) * self.field_boost, encoded

    def decode_positions(self, valuestring):
        return [value >> 1 for value in marked_positions(valuestring)]

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // array(chr(valuestring[0])).itemsize


def _encoded(marked: list[int]) -> bytes:
    typecode = "H" if not marked or max(marked) < 65536 else "I"
    return typecode.encode("ascii") + array(typecode, marked).tobytes()


def marked_positions(valuestring: bytes) -> array:
    return array(chr(valuestring[0]), valuestring[1:])


class ArchiveCodec(W3Codec):
    """Whoosh's third codec, but: blocks of postings pickled with protocol 4, postings read a block
    at a time (ArchiveLeafMatcher.read_all), and compound segments read in place (MappedFile)."""

    def postings_writer(self, dbfile, byteids=False):
        return Protocol4PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a word of one document: Whoosh's ListMatcher
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return ArchiveLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def new_segment(self, storage, indexname):
        return ArchiveSegment(self, indexname)


class Protocol4PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, pickling each block with protocol 4 (pickle.loads reads both).

    Whoosh asks for protocol 2, which writes every bytes value, such as each posting's positions, as
    a call to codecs.encode of a latin-1 string: that framing was 45 % of the index.
    """

    def _write_block(self, last=False):
        # W3PostingsWriter._write_block with pickle protocol 4 for the block's data.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, protocol=4)
        compression = self._compression
        if compression:
            databytes = zlib.compress(databytes, compression)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, compression,
                                  length_to_byte(self._minlength), length_to_byte(self._maxlength)), protocol=2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class ArchiveLeafMatcher(W3LeafMatcher):
    """Whoosh's matcher of a word's postings, which can also read them all a block at a time."""

    def read_all(self, values: bool = False) -> tuple[list[int], list[float], list[bytes]]:
        """The document numbers, weights and (if asked) encoded values of every posting from here on
        (Whoosh's matchers go one posting at a time)."""
        docnums, weights, encoded = [], [], []
        while self.is_active():
            if self._data is None:
                self._read_data()
            first_and_gaps, block_weights = self._data[:2]
            docnums.extend(accumulate(first_and_gaps))  # the first number, then the gaps after it
            if block_weights is None or isinstance(block_weights, float):  # all the same: stored once
                weights.extend([1.0 if block_weights is None else block_weights] * self._blocklength)
            else:
                weights.extend(block_weights)
            if values:
                self._read_values()
                encoded.extend(self._values)
            self._next_block()
        return docnums, weights, encoded


class ArchiveSegment(W3Segment):
    """A segment whose compound file is read in place from its memory map."""

    def open_compound_file(self, storage):
        name = self.make_filename(self.COMPOUND_EXT)
        return MappedCompoundStorage(storage.open_file(name), use_mmap=storage.supports_mmap)


class MappedCompoundStorage(CompoundStorage):
    """Whoosh's compound file, whose parts are views of the memory map instead of copies of it.

    Whoosh wraps each part in an io.BytesIO, which copies the view: every searcher held the whole
    index in its own memory, and opening one for a writer's deletions took 2 GB at 100,000 articles.
    """

    def open_file(self, name, *args, **kwargs):
        if self._source is None:  # no memory map (not supported here): Whoosh reads the file itself
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedBufferFile(memoryview(self._source)[offset : offset + length], name=name)


class MappedBufferFile(BufferFile):
    """Whoosh's BufferFile over a MappedFile instead of a copy of the buffer."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(emptybytes, name=name, onclose=onclose)
        self._buf = buf
        self.file = MappedFile(buf)

    def subset(self, position, length, name=None):
        return MappedBufferFile(self._buf[position : position + length], name=name or self._name)


PEEK_BYTES = 512  # more than a block header; a longer pickle is read on


class MappedFile(io.RawIOBase):
    """A read-only binary file over a memoryview, without a copy of it: a whole file (read,
    readinto, readline, iteration, seek from any end, `with`), as io's base classes make it."""

    def __init__(self, view):
        super().__init__()
        self._view = memoryview(view).cast("B")
        self._position = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size=-1):
        # A released view (a closed file) refuses the slice. Hot: Whoosh reads each block's header here.
        position = self._position
        data = self._view[position:] if size is None or size < 0 else self._view[position : position + size]
        self._position = position + len(data)
        return data.tobytes()

    def peek(self, size=0):
        """Bytes from here on without moving (pickle.load reads its object from these, then skips it)."""
        return self._view[self._position : self._position + PEEK_BYTES].tobytes()

    def readall(self):
        return self.read()

    def seek(self, offset, whence=io.SEEK_SET):
        self._check_closed()
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position

    def tell(self):
        self._check_closed()
        return self._position

    def close(self):
        if not self.closed:
            self._view.release()
        super().close()

    def _check_closed(self):
        if self.closed:
            raise ValueError("I/O operation on closed file")

