"""The example models in examples/models never take an app demo model's name (issue 17).

`make serve` trains each demo model into .kiln/models only where its folder is missing, and the
README's quick start copies examples/models/* into .kiln/models. An example named like a demo
model (as the untrained `ct_classifier` once was) makes the training be skipped, and the app
endpoint then serves the example or answers 404. Both lists are read from the files themselves:
the Makefile's `for model in …` line and the folders of examples/models."""

import re
import shutil
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "models"


def demo_model_names():
    """The model folders `make serve` trains: each `app:name` word of the Makefile's loop gives
    `name` (`$${model#*:}` in the Makefile)."""
    loops = re.findall(r"for\s+model\s+in\s+([^;]+);\s*do", (ROOT / "Makefile").read_text())
    assert len(loops) == 1, f"expected one `for model in ...; do` loop in the Makefile, found {loops}"
    names = [word.split(":", 1)[-1] for word in loops[0].split()]
    assert names and all(re.fullmatch(r"[A-Za-z0-9_.-]+", name) for name in names), names
    return names


def example_model_names():
    names = sorted(path.name for path in EXAMPLES.iterdir() if (path / "config.json").is_file())
    assert names, f"no example models in {EXAMPLES}"
    return names


def test_the_makefile_loop_is_read_as_the_demo_models():
    # The parse above is what the collision check rests on: the imaging app's three demos.
    assert {"ct_classifier", "mri_segmenter", "biomarker_classifier"} <= set(demo_model_names())


def test_no_example_model_shares_a_name_with_a_demo_model():
    collisions = sorted(set(example_model_names()) & set(demo_model_names()))
    assert not collisions, (
        f"examples/models/{{{','.join(collisions)}}} share a name with a demo model the Makefile trains: "
        "copying the examples into .kiln/models (README quick start) stops `make serve` from training it. "
        "Rename the example.")


def test_served_examples_leave_the_demo_names_free(kiln_factory):
    """The quick start's copy, served: every example is a model under its own folder name, and
    no demo model name is taken, so `make serve` still trains each of them."""
    server = kiln_factory()
    shutil.copytree(EXAMPLES, server.data_dir / "models")
    server.start()
    answer = requests.post(f"{server.url}/v2/repository/index", headers=server.headers())
    assert answer.status_code == 200, answer.text
    served = {entry["name"] for entry in answer.json()}
    assert served == set(example_model_names())
    assert not served & set(demo_model_names())
    assert not any((server.data_dir / "models" / name).exists() for name in demo_model_names())
