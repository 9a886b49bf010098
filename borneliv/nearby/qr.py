"""QR codes drawn as vector shapes with matplotlib (no Pillow, no image in the PDF).

The matrix comes from the ``qrcode`` package; the dark modules are merged into horizontal runs
and drawn as one compound path, so a printed PDF stays sharp at any size and a PNG shows no seams
between neighbouring modules (one path is rasterised as a whole).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import qrcode
import qrcode.constants
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

BoolMatrix = npt.NDArray[np.bool_]

#: The quiet zone scanners need around the code, in modules (the standard asks for 4).
QUIET_ZONE = 4


def qr_matrix(data: str) -> BoolMatrix:
    """The QR modules for ``data`` (True = dark), without the quiet zone; row 0 is the top."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def runs(matrix: BoolMatrix) -> list[tuple[int, int, int]]:
    """The dark modules as horizontal runs ``(row, first column, length)``."""
    padded = np.zeros((matrix.shape[0], matrix.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = matrix
    steps = np.diff(padded, axis=1)
    starts = np.argwhere(steps == 1)
    ends = np.argwhere(steps == -1)
    # argwhere walks row-major, so the n-th start and the n-th end belong to the same run.
    return [
        (int(row), int(col), int(end - col))
        for (row, col), end in zip(starts, ends[:, 1], strict=True)
    ]


def qr_path(matrix: BoolMatrix, x: float, y: float, size: float) -> Path:
    """One compound path of the dark runs, the code's top-left at (x, y + size), ``size`` wide."""
    rows = matrix.shape[0]
    module = size / rows
    vertices: list[tuple[float, float]] = []
    codes: list[np.uint8] = []
    for row, col, length in runs(matrix):
        left = x + col * module
        right = left + length * module
        top = y + size - row * module
        bottom = top - module
        vertices += [(left, bottom), (right, bottom), (right, top), (left, top), (left, bottom)]
        codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    return Path(np.array(vertices, dtype=float).reshape(-1, 2), np.array(codes, dtype=np.uint8))


def draw_qr(
    ax: Axes, data: str, x: float, y: float, size: float, *, colour: str = "#1d1d1b"
) -> PathPatch:
    """Draw the QR code for ``data`` into ``ax`` as a square of ``size`` with its lower left at
    (x, y) in data coordinates, on a white quiet zone; returns the patch (gid ``qr-code``)."""
    matrix = qr_matrix(data)
    rows = matrix.shape[0]
    # The quiet zone lies outside the square, so ``size`` is the code's own width.
    margin = size / rows * QUIET_ZONE
    ax.add_artist(
        Rectangle(
            (x - margin, y - margin),
            size + 2 * margin,
            size + 2 * margin,
            facecolor="white",
            edgecolor="none",
            gid="qr-quiet-zone",
        )
    )
    patch = PathPatch(
        qr_path(matrix, x, y, size),
        facecolor=colour,
        edgecolor="none",
        linewidth=0,
        antialiased=True,
        gid="qr-code",
    )
    ax.add_artist(patch)
    return patch


def matrix_from_path(path: Path, x: float, y: float, size: float, rows: int) -> BoolMatrix:
    """Read the modules back from a path drawn by :func:`qr_path` (what a test can check)."""
    module = size / rows
    matrix = np.zeros((rows, rows), dtype=bool)
    vertices = np.asarray(path.vertices, dtype=np.float64).reshape(-1, 5, 2)
    for run in vertices:
        left = run[0][0]
        right, top = run[2]
        row = round((y + size - top) / module)
        first = round((left - x) / module)
        last = round((right - x) / module)
        matrix[row, first:last] = True
    return matrix
