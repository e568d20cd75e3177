"""Read PyTorch checkpoints without PyTorch, and without trusting them.

A ``.pth`` file is a pickle, and unpickling can run any code: a pickle names a global
(``os.system``, ``builtins.eval``, ...) and calls it with arguments of its choosing. So this
module never calls ``pickle.load`` on a checkpoint. Its unpickler's ``find_class`` hands out
only the three kinds of global a state dict needs -- ``collections.OrderedDict``, torch's
tensor-rebuild function (replaced by our own) and torch's storage classes (replaced by the
dtype of their elements) -- and refuses every other global before anything runs.

Torch's *legacy* format (the default of ``torch.save`` before torch 1.6; since then
``_use_new_zipfile_serialization=False``) is one file holding, one after another:

1. the pickled magic number ``0x1950a86a20f9469cfc6c``;
2. the pickled protocol version ``1001``;
3. pickled system info: ``{"protocol_version": 1001, "little_endian": True, "type_sizes": {...}}``;
4. the pickled object, here a state dict ``OrderedDict(name -> tensor)``. A tensor pickles as the
   call ``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
   backward_hooks)``, and its storage (the flat buffer of elements) as a *persistent id*, the
   tuple ``("storage", torch.FloatStorage, key, location, numel, view_metadata)``: the pickle holds
   no element, only where the tensor sits in a buffer stored later;
5. the pickled list of storage keys, then for each key in that order its element count
   (int64, little-endian) and its elements' raw bytes.

A tensor is a strided view of its storage: element ``[i, j, ...]`` is
``storage[offset + i * stride[0] + j * stride[1] + ...]`` (strides in elements, not bytes).
The newer zip format (a zip archive whose ``data.pkl`` refers to one file per storage) is not read here.
"""

from __future__ import annotations

import collections
import pickle
from typing import BinaryIO, NamedTuple

import numpy as np

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001

# torch's storage classes and the numpy dtype of their elements, as written on a little-endian machine.
STORAGE_DTYPES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2", "LongStorage": "<i8",
                  "IntStorage": "<i4", "ShortStorage": "<i2", "CharStorage": "i1", "ByteStorage": "u1",
                  "BoolStorage": "?"}


class RefusedGlobal(pickle.UnpicklingError):
    """The checkpoint's pickle names a global that is not a tensor's or an ordered dict's: refused unrun."""


# Everything find_class and persistent_load hand to the pickle is immutable (tuples with no __dict__, a
# callable with no attributes, an immutable built-in type), so the pickle's BUILD opcode, which sets
# attributes on an object, cannot tamper with them.
class _StorageType(NamedTuple):
    """What ``torch.FloatStorage`` etc. unpickle as: the storage class's name and element dtype."""

    name: str
    dtype: str


class _Storage(NamedTuple):
    """A storage named in the pickle; its elements come after the pickle (part 5 of the format)."""

    key: str
    dtype: str
    numel: int


class _Tensor(NamedTuple):
    """A tensor as the pickle describes it: a strided view of a storage, read once the storages are."""

    storage: _Storage
    offset: int
    size: tuple
    stride: tuple


class _RebuildTensor:
    """Stands in for ``torch._utils._rebuild_tensor_v2``: records the view, since the bytes come later."""

    __slots__ = ()

    def __call__(self, storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                 metadata=None) -> _Tensor:
        if not isinstance(storage, _Storage):
            raise pickle.UnpicklingError(f"a tensor's storage must be a persistent id, got {type(storage).__name__}")
        return _Tensor(storage, storage_offset, tuple(size), tuple(stride))


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds state dicts and nothing else.

    Args:
        file: the open checkpoint, positioned at the start of a pickle.
        storages: storage key -> storage, shared by the pickles of one file and filled in by
            ``persistent_load``.
    """

    def __init__(self, file: BinaryIO, storages: dict[str, _Storage]):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module: str, name: str):
        """The only globals a state dict needs; any other global is refused before it is looked up."""
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _RebuildTensor()
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name, STORAGE_DTYPES[name])
        raise RefusedGlobal(f"refused global {module}.{name}: a checkpoint may hold only tensors "
                            f"and ordered dicts, and unpickling this could run code")

    def persistent_load(self, pid):
        """Resolve ``("storage", storage_type, key, location, numel, view_metadata)`` to a `_Storage`."""
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.100}")
        _, storage_type, key, _location, numel, view_metadata = pid  # location ("cpu", "cuda:0") is ignored
        if view_metadata is not None:
            raise pickle.UnpicklingError("storage views (files from torch < 0.4) are not supported")
        key = key.decode("ascii") if isinstance(key, bytes) else key  # Python 2 pickles keys as bytes
        if not (isinstance(key, str) and isinstance(numel, int) and numel >= 0):
            raise pickle.UnpicklingError(f"malformed storage id {pid!r:.100}")
        storage = self.storages.setdefault(key, _Storage(key, storage_type.dtype, numel))
        if storage != (key, storage_type.dtype, numel):
            raise pickle.UnpicklingError(f"storage {key} is described twice, differently")
        return storage


def _load(file: BinaryIO, storages: dict[str, _Storage]):
    """One pickle from `file`, restricted; the file is left just after it (where the next part starts)."""
    return _RestrictedUnpickler(file, storages).load()


def _read_storage(file: BinaryIO, storage: _Storage) -> np.ndarray:
    """A storage's elements: its element count (int64 little-endian) then its raw bytes."""
    count = int.from_bytes(file.read(8), "little", signed=True)
    if count != storage.numel:
        raise ValueError(f"storage {storage.key}: {count} elements on disk, {storage.numel} in the pickle")
    dtype = np.dtype(storage.dtype)
    raw = file.read(count * dtype.itemsize)
    if len(raw) != count * dtype.itemsize:
        raise ValueError(f"storage {storage.key}: the file ends inside its data (truncated?)")
    return np.frombuffer(raw, dtype)


def _to_array(name: str, tensor: _Tensor, elements: np.ndarray) -> np.ndarray:
    """The tensor's values: its strided view of the storage's elements, copied (C-contiguous, writable).

    The view is checked to lie inside the storage first: ``as_strided`` trusts its arguments, and a
    crafted file could otherwise make it read memory outside the buffer.
    """
    size, stride, offset = tensor.size, tensor.stride, tensor.offset
    if not (len(size) == len(stride) and all(isinstance(n, int) and n >= 0 for n in (offset, *size, *stride))):
        raise ValueError(f"{name}: malformed tensor (offset {offset!r}, size {size!r}, stride {stride!r})")
    if 0 in size:
        return np.zeros(size, elements.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= elements.size:
        raise ValueError(f"{name}: its view reaches element {last} of a storage of {elements.size}")
    contiguous = tuple(int(np.prod(size[i + 1:])) for i in range(len(size)))
    if stride == contiguous:  # the common case: a plain reshape of a slice
        return elements[offset:offset + int(np.prod(size))].reshape(size).copy()
    strides = tuple(s * elements.itemsize for s in stride)
    return np.lib.stride_tricks.as_strided(elements[offset:], size, strides, writeable=False).copy()


def read_torch_legacy(path) -> dict[str, np.ndarray]:
    """Read a state dict saved by ``torch.save`` in the legacy (non-zip) format, without torch.

    Args:
        path: the ``.pth`` / ``.pt`` file.

    Returns:
        The state dict, in the file's order: tensor name (e.g. ``"_conv_stem.weight"``) -> numpy
        array of the tensor's shape and dtype (float32 for weights, int64 for
        ``num_batches_tracked``). Arrays are copies; torch's layouts are kept (a conv kernel is
        (out_channels, in_channels, height, width)).

    Raises:
        RefusedGlobal: (a ``pickle.UnpicklingError``) the file's pickles name a global that is not a
            tensor's or an ordered dict's, such as ``os.system``; it is refused before anything is called.
        pickle.UnpicklingError: the pickle holds something else than a state dict of tensors.
        ValueError: the file is not in torch's legacy format, is truncated, or is inconsistent.
    """
    storages: dict[str, _Storage] = {}
    with open(path, "rb") as file:
        if file.read(4) == b"PK\x03\x04":
            raise ValueError(f"{path} is torch's zip format (torch >= 1.6), not the legacy format read here")
        file.seek(0)
        try:
            magic = _load(file, storages)
        except RefusedGlobal:
            raise
        except (pickle.UnpicklingError, EOFError) as error:
            raise ValueError(f"{path} is not a torch checkpoint ({error})") from None
        if magic != MAGIC_NUMBER:
            raise ValueError(f"{path} is not a torch legacy checkpoint (magic number {magic!r:.40})")
        if (version := _load(file, storages)) != PROTOCOL_VERSION:
            raise ValueError(f"{path}: unsupported protocol version {version!r:.40}")
        sys_info = _load(file, storages)
        if not (isinstance(sys_info, dict) and sys_info.get("little_endian") is True):
            raise ValueError(f"{path}: only files written on little-endian machines are read here")
        state_dict = _load(file, storages)
        if not (isinstance(state_dict, dict) and
                all(isinstance(k, str) and isinstance(v, _Tensor) for k, v in state_dict.items())):
            raise pickle.UnpicklingError(f"{path} holds a {type(state_dict).__name__}, not a state dict of tensors")
        keys = _load(file, storages)
        if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys) and sorted(keys) == sorted(storages)):
            raise ValueError(f"{path}: the storages listed after the pickle are not those it uses")
        elements = {key: _read_storage(file, storages[key]) for key in keys}
    return {name: _to_array(name, tensor, elements[tensor.storage.key]) for name, tensor in state_dict.items()}
