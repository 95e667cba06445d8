"""The seal's QR matrix: byte mode (UTF-8), error correction M, smallest version that fits, and the data mask
chosen as ISO/IEC 18004:2015 §7.8.3 requires (the lowest penalty score N1 + N2 + N3 + N4 of the eight).

The result is module for module what segno (``segno.make_qr(payload_bytes, error="M", mode="byte",
boost_error=False)``) makes — a test compares them over many payloads and versions — but several times
faster: segno applies and scores each mask module by module in Python (about 23 ms per code of version 10,
three quarters of it choosing the mask). Here the fixed parts of each version are taken from segno once
(function patterns, the reserved format/version areas, the data placement order, the mask patterns, the
format and version information), rows are Python integers, a mask is one XOR per row, and the penalties are
counted with integer bit operations and `str` searches.

The penalty rules follow segno's reading of the standard: the masked symbol is scored before the format and
version information is written (those areas and the dark module count as light), and a 1:1:3:1:1 pattern
counts when it is at either end of its row or column or has four light modules (or the symbol edge) on one
side.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from segno import consts as segno_consts
from segno import encoder as segno_encoder

_LEVEL_M = segno_consts.ERROR_LEVEL_M
_MODE_BYTE = 0b0100
_PAD = (0xEC, 0x11)
_EXP: tuple[int, ...] = tuple(segno_consts.GALIOS_EXP)
_LOG: tuple[int, ...] = tuple(segno_consts.GALIOS_LOG)
_BITS = bytes.maketrans(b"01", b"\x00\x01")


#: Light modules between packed lines (and at both ends): a 1011101 pattern cannot span them, and they read
#: as the light edge the standard assumes around the symbol.
_GAP = 4


@dataclass(frozen=True)
class _Version:
    """What every code of one version shares.

    The symbol is scored as two big integers: every row, and every column, packed one after the other with
    `_GAP` light modules between them (the first row or column in the most significant bits). Masking is
    then one XOR, and each penalty a handful of integer operations over the whole symbol.
    """

    number: int
    size: int
    #: (data codewords, error correction codewords) of each Reed-Solomon block, in order.
    blocks: tuple[tuple[int, int], ...]
    #: Length in bits of a packed symbol.
    bits: int
    #: The symbol as it is scored (function patterns; data modules, format and version areas light), packed
    #: as text ('0'/'1') in rows and in columns.
    rows_text: bytes
    columns_text: bytes
    #: Index in the packed rows and columns text of each data module, in placement order.
    placement: tuple[tuple[int, int], ...]
    #: For each mask pattern: its dark modules within the data region, packed as rows and as columns.
    mask_rows: tuple[int, ...]
    mask_columns: tuple[int, ...]
    #: For each mask pattern: the format and version information (and the dark module), packed as rows.
    info_rows: tuple[int, ...]
    #: Module pairs (a module and its left neighbour) within one line; the same, of rows with a row below.
    pairs: int
    pairs_above: int

    @property
    def data_codewords(self) -> int:
        return sum(data for data, _ec in self.blocks)

    def index(self, line: int, module: int) -> int:
        """Where module `module` of row (column) `line` is in the packed text."""
        return _GAP + line * (self.size + _GAP) + module


def _packed(matrix: Sequence[Sequence[int]], size: int) -> tuple[bytearray, bytearray]:
    """A matrix of 0/1 (other values light) packed as text, in rows and in columns."""
    gap = b"0" * _GAP
    rows = bytearray(gap)
    columns = bytearray(gap)
    for i in range(size):
        rows += bytes(0x31 if value == 1 else 0x30 for value in matrix[i]) + gap
        columns += bytes(0x31 if matrix[r][i] == 1 else 0x30 for r in range(size)) + gap
    return rows, columns


@functools.cache
def _version(number: int) -> _Version:
    size: int = segno_encoder.calc_matrix_size(number)  # type: ignore[no-untyped-call]
    table: Any = segno_consts.ECC
    blocks = tuple(
        (ec.num_data, ec.num_total - ec.num_data) for ec in table[number][_LEVEL_M] for _ in range(ec.num_blocks)
    )
    # The matrix segno scores: 0x2 marks the data region (everything not a function pattern or reserved).
    matrix = segno_encoder.make_matrix(size, size)  # type: ignore[no-untyped-call]
    segno_encoder.add_finder_patterns(matrix, size, size)  # type: ignore[no-untyped-call]
    segno_encoder.add_alignment_patterns(matrix, size, size)  # type: ignore[no-untyped-call]
    free = [[value == 0x2 for value in row] for row in matrix]
    rows_text, columns_text = _packed(matrix, size)
    cells: list[tuple[int, int]] = []
    # ISO/IEC 18004 §7.7.3: two-module columns from the right, alternately upwards and downwards, skipping
    # the vertical timing pattern (column 6); the order segno's `add_codewords` fills.
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        upwards = (right & 2) == 0
        for vertical in range(size):
            for column in (right, right - 1):
                row = size - 1 - vertical if (upwards ^ (column < 6)) else vertical
                if free[row][column]:
                    free[row][column] = False
                    cells.append((row, column))
    total = len(rows_text)

    def index(line: int, module: int) -> int:
        return _GAP + line * (size + _GAP) + module

    def bit(line: int, module: int) -> int:
        return 1 << (total - 1 - index(line, module))

    mask_rows, mask_columns = [], []
    for pattern in segno_encoder.get_data_mask_functions(False):  # type: ignore[no-untyped-call]
        dark = [(row, column) for row, column in cells if pattern(row, column)]
        mask_rows.append(sum(bit(row, column) for row, column in dark))
        mask_columns.append(sum(bit(column, row) for row, column in dark))
    info_rows = []
    for mask in range(8):
        marked = tuple(bytearray(size) for _ in range(size))
        segno_encoder.add_format_info(marked, number, _LEVEL_M, mask)  # type: ignore[no-untyped-call]
        segno_encoder.add_version_info(marked, number)  # type: ignore[no-untyped-call]
        info_rows.append(int(_packed(marked, size)[0], 2))
    pairs = sum(bit(line, module) for line in range(size) for module in range(1, size))
    pairs_above = sum(bit(line, module) for line in range(size - 1) for module in range(1, size))
    return _Version(
        number=number,
        size=size,
        blocks=blocks,
        bits=total,
        rows_text=bytes(rows_text),
        columns_text=bytes(columns_text),
        placement=tuple((index(row, column), index(column, row)) for row, column in cells),
        mask_rows=tuple(mask_rows),
        mask_columns=tuple(mask_columns),
        info_rows=tuple(info_rows),
        pairs=pairs,
        pairs_above=pairs_above,
    )


def _fits(version: int, length: int) -> bool:
    """Mode indicator, character count and data within the data codewords (segno's version choice)."""
    length_bits = 8 if version < 10 else 16
    return 4 + length_bits + 8 * length <= _version(version).data_codewords * 8


@functools.cache
def _remainder_table(ec_count: int) -> tuple[int, ...]:
    """For each leading coefficient f, f × g(x) without its leading term, as an integer of `ec_count` bytes.

    g(x) = (x − α⁰)(x − α¹)…(x − α^(n−1)), the generator polynomial of ISO/IEC 18004 Annex A.
    """
    generator = [1]
    for i in range(ec_count):
        root = _EXP[i]
        product = [0] * (len(generator) + 1)
        for j, coefficient in enumerate(generator):
            product[j] ^= coefficient
            if coefficient:
                product[j + 1] ^= _EXP[(_LOG[coefficient] + _LOG[root]) % 255]
        generator = product
    rows = [0]
    for factor in range(1, 256):
        value = 0
        for coefficient in generator[1:]:
            term = _EXP[(_LOG[factor] + _LOG[coefficient]) % 255] if coefficient else 0
            value = (value << 8) | term
        rows.append(value)
    return tuple(rows)


def _error_correction(data: bytes, ec_count: int) -> bytes:
    """The Reed-Solomon remainder of `data` (systematic encoding, `ec_count` codewords)."""
    table = _remainder_table(ec_count)
    shift = 8 * (ec_count - 1)
    keep = (1 << shift) - 1
    remainder = 0
    for byte in data:
        factor = (remainder >> shift) ^ byte
        remainder = ((remainder & keep) << 8) ^ table[factor]
    return remainder.to_bytes(ec_count, "big")


def _codewords(payload: bytes, version: _Version) -> bytes:
    """Mode, length, data, terminator and padding, split into blocks, with error correction, interleaved."""
    length_bits = 8 if version.number < 10 else 16
    capacity = version.data_codewords * 8
    bits = (_MODE_BYTE << length_bits) | len(payload)
    bits = (bits << 8 * len(payload)) | int.from_bytes(payload, "big")
    used = 4 + length_bits + 8 * len(payload)
    terminator = min(4, capacity - used)
    bits <<= terminator
    used += terminator
    # Padding to the codeword boundary as segno writes it: a whole zero codeword when the stream already ends
    # on one (still valid: readers stop at the terminator), never past the capacity.
    pad_bits = min(8 - used % 8, capacity - used)
    bits <<= pad_bits
    used += pad_bits
    data = bytearray(bits.to_bytes(used // 8, "big"))
    index = 0
    while len(data) < version.data_codewords:
        data.append(_PAD[index % 2])
        index += 1
    data_blocks: list[bytes] = []
    ec_blocks: list[bytes] = []
    offset = 0
    for data_count, ec_count in version.blocks:
        block = bytes(data[offset : offset + data_count])
        offset += data_count
        data_blocks.append(block)
        ec_blocks.append(_error_correction(block, ec_count))
    out = bytearray()
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return bytes(out)


def _runs_and_patterns(packed: int, pairs: int) -> int:
    """N1 and N3 of every line packed in `packed` (rows or columns).

    N1: a run of L ≥ 5 modules of one colour scores L − 2. Where a module equals its left neighbour the
    bits form a block of L − 1 per run; a block of k ≥ 4 gives k − 3 places where four are in a row, so a
    run scores (places of four) + 2 per block of them.

    N3: a 1011101 pattern with four light modules (or the symbol's edge: the gaps) before or after it scores
    40. segno's search resumes after a pattern that counted and at the middle dark run of one that did not;
    only overlapping patterns (4 or 6 apart) can tell the two apart, and those are walked one by one.
    """
    equal = ~(packed ^ (packed >> 1)) & pairs
    four = equal & (equal >> 1) & (equal >> 2) & (equal >> 3)
    score = four.bit_count() + 2 * (four & ~(four << 1)).bit_count()
    x = packed
    found = (x >> 6) & ~(x >> 5) & (x >> 4) & (x >> 3) & (x >> 2) & ~(x >> 1) & x  # at the pattern's last module
    if not found:
        return score
    light = ~x
    before = (light >> 7) & (light >> 8) & (light >> 9) & (light >> 10)
    after = (light << 1) & (light << 2) & (light << 3) & (light << 4)
    counted = found & (before | after)
    if not (found & ((found << 4) | (found << 6))):
        return score + 40 * counted.bit_count()
    resume = found.bit_length() + 6  # highest start bit a pattern may have to be looked at
    while found:
        end = found.bit_length() - 1
        found ^= 1 << end
        if end + 6 > resume:
            continue
        if (counted >> end) & 1:
            score += 40
            resume = end - 1
        else:
            resume = end + 2
    return score


def _penalty(rows: int, columns: int, version: _Version) -> int:
    """ISO/IEC 18004 §7.8.3.1: N1 (runs ≥ 5), N2 (2 × 2 blocks), N3 (1:1:3:1:1), N4 (dark proportion)."""
    score = _runs_and_patterns(rows, version.pairs) + _runs_and_patterns(columns, version.pairs)
    below = rows << (version.size + _GAP)  # each row's lower neighbour, moved onto it
    differ = (rows ^ (rows >> 1)) | (below ^ (below >> 1)) | (rows ^ below)
    score += 3 * (~differ & version.pairs_above).bit_count()
    percent = rows.bit_count() / (version.size * version.size)
    return score + 10 * int(abs(percent * 100 - 50) / 5)  # as segno computes it, float for float


def qr_rows(payload: str) -> list[bytearray]:
    """The QR matrix for `payload`, rows from the top, one byte per module (1 = dark)."""
    data = payload.encode("utf-8")
    number = next((v for v in range(1, 41) if _fits(v, len(data))), None)
    if number is None:
        raise ValueError("payload too long for a QR code")
    version = _version(number)
    codewords = _codewords(data, version)
    rows_text = bytearray(version.rows_text)
    columns_text = bytearray(version.columns_text)
    bits = format(int.from_bytes(codewords, "big"), "0{0}b".format(8 * len(codewords)))
    # Remainder bits after the last codeword stay 0 (then masked, like every data module).
    for (row_at, column_at), value in zip(version.placement, bits, strict=False):
        if value == "1":
            rows_text[row_at] = columns_text[column_at] = 0x31
    rows, columns = int(rows_text, 2), int(columns_text, 2)
    best_score, best = -1, 0
    for mask in range(8):
        score = _penalty(rows ^ version.mask_rows[mask], columns ^ version.mask_columns[mask], version)
        if best_score < 0 or score < best_score:  # the first of equal scores, as segno takes
            best_score, best = score, mask
    symbol = format(rows ^ version.mask_rows[best] | version.info_rows[best], "0{0}b".format(version.bits))
    return [
        bytearray(symbol[version.index(line, 0) : version.index(line, version.size)].encode("ascii").translate(_BITS))
        for line in range(version.size)
    ]


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR matrix for `payload` (True = dark), rows from the top."""
    return [[module == 1 for module in row] for row in qr_rows(payload)]
