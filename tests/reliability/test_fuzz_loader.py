"""The loader is fuzzed: arbitrary JSON values, mutated valid documents, deep
nesting, huge numbers, long strings, 10 MB files. Every input either loads or
raises ``ModelError`` with one line naming the file — nothing else escapes."""

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.model.fileformat import ModelError, from_dict, load, loads, to_dict

EXERCISE = to_dict(load("exercise3"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


def _loads_or_model_error(doc: Any) -> None:
    try:
        net = from_dict(doc, "fuzz.json")
    except ModelError as e:
        text = str(e)
        assert text.startswith("fuzz.json: ")
        assert "\n" not in text
    else:
        net.evaluate()  # anything that validates must also evaluate


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_values(doc: Any) -> None:
    _loads_or_model_error(doc)


paths = st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=4)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(paths, json_values, st.sampled_from(["replace", "delete"]))
def test_mutated_exercise3(path: list[int], value: Any, how: str) -> None:
    doc = copy.deepcopy(EXERCISE)
    target: Any = doc
    for step in path[:-1]:
        if isinstance(target, dict) and target:
            target = target[sorted(target)[step % len(target)]]
        elif isinstance(target, list) and target:
            target = target[step % len(target)]
    last = path[-1]
    if isinstance(target, dict) and target:
        key: Any = sorted(target)[last % len(target)]
    elif isinstance(target, list) and target:
        key = last % len(target)
    else:
        return
    if how == "delete":
        del target[key]
    else:
        target[key] = value
    _loads_or_model_error(doc)


def test_deep_nesting_is_one_line() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        with pytest.raises(ModelError) as e:
            loads(text, "deep.json")
        assert "\n" not in str(e.value)


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" + "0" * 400, "NaN", "Infinity"])
def test_huge_numbers_refused(number: str) -> None:
    text = json.dumps(EXERCISE).replace("[[3, 1]", f"[[{number}, 1]", 1)
    assert number in text
    with pytest.raises(ModelError, match="node 'P'"):
        loads(text, "huge.json")


def test_long_strings_are_data() -> None:
    doc = copy.deepcopy(EXERCISE)
    doc["title"] = "x" * 1_000_000
    doc["nodes"][2]["label"] = "\\input{/etc/passwd}" * 1000
    net = from_dict(doc, "long.json")
    assert net.title == "x" * 1_000_000
    bad = copy.deepcopy(EXERCISE)
    bad["nodes"][0]["id"] = "E" * 100_000
    with pytest.raises(ModelError):  # P×E now names an input that is not a node
        from_dict(bad, "long.json")


def test_ten_megabyte_files(tmp_path: Path) -> None:
    big = copy.deepcopy(EXERCISE)
    rng = np.random.default_rng(0)
    big["nodes"].insert(
        0, {"id": "W", "op": "param", "value": rng.normal(size=(1000, 1000)).round(6).tolist()}
    )
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big))
    assert path.stat().st_size > 10_000_000
    net = load(path)
    assert net.node("W").value.shape == (1000, 1000)

    junk = tmp_path / "junk.json"
    junk.write_bytes(b"{" + b"\x00\xff" * 5_000_000)
    with pytest.raises(ModelError, match="junk.json"):
        load(junk)


def test_cli_survives_fuzzed_files(tmp_path: Path) -> None:
    cases = ["[", "null", "[]", '{"format": "gradviz"}', "\ufeff{}", "[" * 100_000]
    for k, text in enumerate(cases):
        path = tmp_path / f"case{k}.json"
        path.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "gradviz", "report", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2, (text[:20], proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gradviz: error: "), proc.stderr
        assert str(path) in lines[0]
