"""Checksums of model files: a damaged or altered model is refused at load, naming the file.

Neither container checks its content on its own: PyTorch's zip reader ignores the
CRCs, and a skops archive re-zipped with other tree arrays is a valid archive. So a
seisclass model stores a SHA-256 digest of what it holds, and loading recomputes it:

- a **skops** forest: the digest of every other archive member (name and bytes),
  stored as the member :data:`CHECKSUM_MEMBER`;
- a **PyTorch** model: the digest of the model card (canonical JSON) and of every
  tensor of the ``state_dict`` (name, dtype, shape, bytes), stored as the bundle's
  ``checksum``.

A checksum protects against damage and accidental edits, not against a forger
(who can recompute it); running no code at load is what protects against forgers.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from seisclass.learn.errors import ModelFileError

CHECKSUM_MEMBER = "seisclass.sha256"


def members_digest(members: dict[str, bytes]) -> str:
    """SHA-256 (hex) of archive members, in name order, :data:`CHECKSUM_MEMBER` excluded."""
    digest = hashlib.sha256()
    for name in sorted(members):
        if name == CHECKSUM_MEMBER:
            continue
        content = members[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def read_members(path) -> dict[str, bytes]:
    """Every member of a zip archive; a damaged archive (bad CRC, truncated) raises :class:`ModelFileError`."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {info.filename: archive.read(info.filename) for info in archive.infolist()}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFileError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") from None


def check_archive(path) -> None:
    """Raise :class:`ModelFileError` unless the archive's checksum member matches its content."""
    members = read_members(path)
    stored = members.get(CHECKSUM_MEMBER)
    if stored is None:
        raise ModelFileError(f"{path}: the model file has no checksum (written by an older seisclass, or "
                             "not by seisclass); retrain it with this version")
    if stored.decode("ascii", "replace").strip() != members_digest(members):
        raise ModelFileError(f"{path}: damaged model file: its content does not match its checksum "
                             "(altered or corrupted after it was written); retrain or copy it again")


def with_checksum(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """A zip archive of ``entries`` plus their checksum member (same bytes for the same entries)."""
    members = {info.filename: content for info, content in entries}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info, content in entries:
            target.writestr(info, content)
        target.writestr(zipfile.ZipInfo(CHECKSUM_MEMBER, date_time=entries[0][0].date_time),
                        members_digest(members) + "\n")
    return out.getvalue()


def bundle_digest(metadata: dict, state_dict: dict) -> str:
    """SHA-256 (hex) of a model card (plain types) and a ``state_dict`` of CPU tensors."""
    digest = hashlib.sha256(json.dumps(metadata, sort_keys=True, separators=(",", ":")).encode())
    for name in sorted(state_dict):
        tensor = state_dict[name].detach().cpu().contiguous()
        digest.update(f"{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.view(-1).view(dtype=_byte_dtype()).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def check_bundle(bundle: dict, path) -> None:
    """Raise :class:`ModelFileError` unless a loaded PyTorch bundle matches its stored checksum."""
    stored = bundle.get("checksum")
    if not isinstance(stored, str):
        raise ModelFileError(f"{path}: the model file has no checksum (written by an older seisclass, or "
                             "not by seisclass); retrain it with this version")
    try:
        actual = bundle_digest(bundle["metadata"], bundle["state_dict"])
    except (KeyError, TypeError, AttributeError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") from None
    if stored != actual:
        raise ModelFileError(f"{path}: damaged model file: its weights or card do not match its checksum "
                             "(altered or corrupted after it was written); retrain or copy it again")


def _byte_dtype():
    import torch

    return torch.uint8
