"""The seal's QR matrix: byte mode (UTF-8), error correction M, fixed mask 0, smallest version that fits.

The result is module for module what ReportLab's `qrencoder` makes with the same settings (a test compares
them), but about ten times faster: ReportLab computes the Reed-Solomon remainder with a recursive polynomial
division and rebuilds the function patterns and the data placement order for every code, which cost about
5 ms per page. Here the fixed part of each version (finder, timing and alignment patterns, format and version
information for level M and mask 0, the placement order of the data modules, the mask) is built once, by
ReportLab's own routines, and each code only computes its codewords (Reed-Solomon by table lookup, on Python
integers) and writes their bits into a copy of that template.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.graphics.barcode import qrencoder

_LEVEL_M = qrencoder.QRErrorCorrectLevel.M
_MASK = 0
_MODE_BYTE = 0b0100
_PAD = (0xEC, 0x11)
_EXP: list[int] = qrencoder.EXP_TABLE
_LOG: list[int] = qrencoder.LOG_TABLE


@dataclass(frozen=True)
class _Version:
    """What every code of one version shares."""

    number: int
    #: (data codewords, error correction codewords) of each Reed-Solomon block, in order.
    blocks: tuple[tuple[int, int], ...]
    #: The function patterns and format/version information, one byte per module; data modules are 0.
    template: tuple[bytes, ...]
    #: (row, column, mask bit) of each data module, in placement order.
    placement: tuple[tuple[int, int, bool], ...]

    @property
    def data_codewords(self) -> int:
        return sum(data for data, _ec in self.blocks)


@functools.cache
def _version(number: int) -> _Version:
    blocks = tuple(
        (block.dataCount, block.totalCount - block.dataCount)
        for block in qrencoder.QRRSBlock.getRSBlocks(number, _LEVEL_M)
    )
    code = qrencoder.QRCode(number, _LEVEL_M)
    code.moduleCount = count = number * 4 + 17
    code.modules = [[False] * count for _ in range(count)]
    code.setupPositionProbePattern(0, 0)
    code.setupPositionProbePattern(count - 7, 0)
    code.setupPositionProbePattern(0, count - 7)
    code.setupPositionAdjustPattern()
    code.setupTimingPattern()
    code.setupTypeInfo(False, _MASK)
    if number >= 7:
        code.setupTypeNumber(False)
    mask = qrencoder.QRUtil.getMask(_MASK)
    placement = tuple((row, col, bool(mask(row, col))) for col, row in code.dataPosIterator())
    template = tuple(bytes(1 if module else 0 for module in row) for row in code.modules)
    return _Version(number, blocks, template, placement)


def _fits(version: int, length: int) -> bool:
    """ReportLab's `calculate_version` rule: mode, length field and data within the data codewords."""
    length_bits = 8 if version < 10 else 16
    return 4 + length_bits + 8 * length <= _version(version).data_codewords * 8


@functools.cache
def _remainder_table(ec_count: int) -> tuple[int, ...]:
    """For each leading coefficient f, f × g(x) without its leading term, as an integer of `ec_count` bytes.

    g(x) = (x − α⁰)(x − α¹)…(x − α^(n−1)), the generator of ReportLab's (and the standard's) code.
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
    if used + 4 <= capacity:
        bits <<= 4
        used += 4
    pad_bits = -used % 8
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


def qr_rows(payload: str) -> list[bytearray]:
    """The QR matrix for `payload`, rows from the top, one byte per module (1 = dark)."""
    data = payload.encode("utf-8")
    number = next((v for v in range(1, 41) if _fits(v, len(data))), None)
    if number is None:
        raise ValueError("payload too long for a QR code")
    version = _version(number)
    codewords = _codewords(data, version)
    bits = format(int.from_bytes(codewords, "big"), "0{0}b".format(8 * len(codewords)))
    # Remainder bits after the last codeword are 0 (then masked, like every data module).
    bits = bits.ljust(len(version.placement), "0")
    rows = [bytearray(row) for row in version.template]
    for (row, col, mask), bit in zip(version.placement, bits, strict=False):
        rows[row][col] = (bit == "1") != mask
    return rows


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR matrix for `payload` (True = dark), rows from the top."""
    return [[module == 1 for module in row] for row in qr_rows(payload)]
