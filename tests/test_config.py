"""Quick mode, pick(), the run's seed and cache paths."""

import os
import subprocess
import sys

import pytest

from cnn_course import config


@pytest.mark.parametrize("value, quick", [("1", True), ("yes", True), ("0", False), ("", False), ("false", False)])
def test_pick_follows_the_environment(monkeypatch, value, quick):
    monkeypatch.setenv(config.QUICK_VARIABLE, value)
    assert config.is_quick() is quick
    assert config.pick(full=10, quick=1) == (1 if quick else 10)


def test_the_seed_comes_from_the_environment_and_setup_uses_it(monkeypatch, capsys):
    import numpy as np

    monkeypatch.delenv(config.SEED_VARIABLE, raising=False)
    assert config.run_seed() == 0
    with config.seeded(2):
        assert config.run_seed() == 2
        config.setup()
        drawn = np.random.rand()
    assert config.SEED_VARIABLE not in os.environ
    config.setup(seed=2, verbose=False)
    assert np.random.rand() == drawn and "seed 2" in capsys.readouterr().out
    monkeypatch.setenv(config.SEED_VARIABLE, "one")
    with pytest.raises(ValueError, match="CNN_COURSE_SEED must be a whole number"):
        config.run_seed()


def test_cache_dir_is_overridable(monkeypatch, tmp_path):
    monkeypatch.setenv(config.CACHE_VARIABLE, str(tmp_path / "cache"))
    assert config.cache_dir() == tmp_path / "cache" and (tmp_path / "cache").is_dir()


def test_setup_seeds_everything(capsys):
    import keras
    import numpy as np

    config.setup(seed=3)
    a = (np.random.rand(), keras.ops.convert_to_numpy(keras.random.uniform((2,))).tolist())
    config.setup(seed=3)
    b = (np.random.rand(), keras.ops.convert_to_numpy(keras.random.uniform((2,))).tolist())
    assert a == b
    assert "mode" in capsys.readouterr().out


def test_setup_says_where_the_notebook_trains(monkeypatch, capsys):
    import keras

    config.setup(seed=0)
    assert "training on the CPU." in capsys.readouterr().out  # this machine has no accelerator
    monkeypatch.setattr(keras.distribution, "list_devices", lambda: ["gpu:0"])
    assert config.training_device() == "1 GPU"


@pytest.mark.one_backend  # TensorFlow's own start-up
def test_setup_keeps_tensorflows_native_start_up_lines_out_of_the_notebook():
    """On a machine without a GPU, TensorFlow's C++ code prints "Could not find cuda drivers"
    and "failed call to cuInit" before any log level applies; setup() must swallow them and
    leave stderr working afterwards."""
    code = ("import sys; from cnn_course import config; config.setup(verbose=False); import keras; "
            "keras.ops.zeros(()) + 1; print('still here', file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=config.REPO_ROOT,
                            env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "still here", result.stderr


@pytest.mark.one_backend  # a TensorFlow setting
def test_importing_the_course_turns_onednn_on_unless_the_learner_chose(monkeypatch):
    """TensorFlow reads TF_ENABLE_ONEDNN_OPTS at its import; the package's import, which does not import TensorFlow,
    sets it first, on x86-64 only, and never overrides a learner's own setting."""
    code = ("import os, sys, cnn_course; assert 'tensorflow' not in sys.modules; "
            "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'))")
    for given, expected in ((None, "1"), ("0", "0")):
        env = {k: v for k, v in os.environ.items() if k != config.ONEDNN_VARIABLE}
        if given is not None:
            env[config.ONEDNN_VARIABLE] = given
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        printed = result.stdout.strip().splitlines()[-1]
        import platform

        assert printed == (expected if platform.machine().lower() in ("x86_64", "amd64") or given else "None")


def test_cpu_description_says_whether_onednn_is_on(monkeypatch):
    monkeypatch.setenv(config.ONEDNN_VARIABLE, "0")
    assert "oneDNN off (TF_ENABLE_ONEDNN_OPTS=0; TensorFlow's default on this CPU: o" in config.cpu_description()
    monkeypatch.setenv(config.ONEDNN_VARIABLE, "1")
    assert "oneDNN on (TF_ENABLE_ONEDNN_OPTS=1; TensorFlow's default on this CPU: o" in config.cpu_description()
    monkeypatch.delenv(config.ONEDNN_VARIABLE)
    described = config.cpu_description()
    assert described.endswith(("oneDNN on (TensorFlow's default on this CPU: on)",
                               "oneDNN off (TensorFlow's default on this CPU: off)")), described
