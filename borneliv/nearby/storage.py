"""Where the Nærhedscirkel keeps data too large for database rows: files under
``settings.NEARBY_DIR`` (``BORNELIV_NEARBY_DIR``, default ``var/nearby``).

``extracts/``
    The parsed data of each imported extract (``types.MapData``), pickled and zlib-compressed,
    named by the source file's SHA-256 and the bounding box it was cut to, so importing the same
    file for the same area again reuses it. Reading one back takes milliseconds, not the seconds
    of parsing the OSM file again. Only files this module wrote are ever unpickled.
``circles/``
    What the engine computed for each circle (``types.Circle``: both areas, the candidates, the
    base map the web map and the poster draw), compressed the same way, named by the circle and
    a random suffix so that a new computation never overwrites the file an older, still
    committed row points to.

Writes go to a temporary file in the same folder and are renamed into place (atomic on POSIX).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import secrets
import tempfile
import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings

from borneliv.nearby.types import Circle, MapData

_FORMAT = b"borneliv-nearby-mapdata-1\n"
_CIRCLE_FORMAT = b"borneliv-nearby-circle-1\n"


class _Cache:
    """The last few objects read, by (name, modification time)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, int], Any] = OrderedDict()

    def get(self, key: tuple[str, int]) -> Any:
        with _cache_lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[str, int], value: Any) -> None:
        with _cache_lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


# A municipality's parsed extract is large: keep one; computed circles are small.
_extracts = _Cache(1)
_circles = _Cache(16)
_cache_lock = threading.Lock()


class StoredDataMissing(Exception):
    """The stored data of an extract or base map is not on this machine (any more)."""


def nearby_dir() -> Path:
    return Path(settings.NEARBY_DIR)


def _atomic_write(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _resolve(name: str) -> Path:
    """The path of a stored file by its name relative to NEARBY_DIR (never outside it)."""
    root = nearby_dir().resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise StoredDataMissing(name)
    return path


# --- extracts ------------------------------------------------------------------------------------


def extract_name(sha256: str, bbox: tuple[float, float, float, float] | None) -> str:
    """The file name for the data of ``sha256`` cut to ``bbox``."""
    box = "all" if bbox is None else ",".join(f"{v:.5f}" for v in bbox)
    digest = hashlib.sha256(box.encode("ascii")).hexdigest()[:12]
    return f"extracts/{sha256[:24]}-{digest}.pickle.z"


def extract_write(data: MapData, name: str) -> str:
    """Store parsed map data under ``name``; returns the name."""
    payload = zlib.compress(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), 3)
    _atomic_write(_resolve(name), _FORMAT + payload)
    return name


def extract_read(name: str) -> MapData:
    """The map data stored under ``name`` (the last few read are kept in memory)."""
    return _read(name, _FORMAT, MapData, _extracts)


def _read(name: str, header: bytes, kind: type, cache: _Cache) -> Any:
    path = _resolve(name)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise StoredDataMissing(name) from exc
    key = (name, stamp)
    cached = cache.get(key)
    if cached is not None:
        return cached
    raw = path.read_bytes()
    if not raw.startswith(header):
        raise StoredDataMissing(name)
    # Safe: only files this module wrote (under NEARBY_DIR, with its header) are read here.
    data = pickle.loads(zlib.decompress(raw[len(header) :]))  # noqa: S301
    if not isinstance(data, kind):
        raise StoredDataMissing(name)
    cache.put(key, data)
    return data


def extract_exists(name: str) -> bool:
    try:
        return _resolve(name).is_file()
    except StoredDataMissing:
        return False


# --- computed circles ------------------------------------------------------------------------


def circle_write(circle_id: int, computed: Circle) -> str:
    """Store what the engine computed for a circle; returns the new file's name."""
    name = f"circles/circle-{circle_id}-{secrets.token_hex(6)}.pickle.z"
    payload = zlib.compress(pickle.dumps(computed, protocol=pickle.HIGHEST_PROTOCOL), 3)
    _atomic_write(_resolve(name), _CIRCLE_FORMAT + payload)
    return name


def circle_read(name: str) -> Circle:
    """What the engine computed for a circle (its base map, areas, places)."""
    return _read(name, _CIRCLE_FORMAT, Circle, _circles)


def remove(name: str) -> None:
    """Remove a stored file (nothing happens when it is not there)."""
    if not name:
        return
    try:
        _resolve(name).unlink(missing_ok=True)
    except StoredDataMissing:
        return


# --- uploads waiting to be imported --------------------------------------------------------------


def upload_keep(chunks: Any) -> Path:
    """Keep an uploaded extract under ``uploads/`` until the background import has read it.

    ``chunks``: the upload's pieces of bytes. The worker is another process, so the request's
    temporary file would be gone by the time it starts. The import removes it (``upload_remove``).
    """
    folder = nearby_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def upload_remove(path: Path) -> None:
    """Remove a kept upload (only files under ``uploads/``)."""
    folder = (nearby_dir() / "uploads").resolve()
    path = Path(path).resolve()
    if folder in path.parents:
        path.unlink(missing_ok=True)
