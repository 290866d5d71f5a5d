"""From Loops to GPUs: the GPU measurements, read from a stored results file, never made up.

The build machine has no GPU, so this snippet measures nothing. It reads
``snippets/loops_to_gpus/gpu_results.json``, written on a GPU machine by::

    DLM_BACKEND=cupy python bench/gpu.py --json snippets/loops_to_gpus/gpu_results.json

and labels every number with the device and the date it was measured on. When the file does not
exist, the article says so. (A data file under ``snippets/`` is part of every snippet's cache
key, so storing new results re-runs this snippet.)
"""

# %%
import json
from pathlib import Path

from dlm_site import publish

RESULTS = Path("snippets/loops_to_gpus/gpu_results.json")
COMMAND = "DLM_BACKEND=cupy python bench/gpu.py --json snippets/loops_to_gpus/gpu_results.json"

if RESULTS.exists():
    results = json.loads(RESULTS.read_text())
    assert results["backend"] == "cupy", "the stored results must come from a CuPy run"
    device, date = results["device"], results["date"]
    lenet = results["lenet5"]
    errors = results["gradient_check_relative_error"]
    assert all(err < 1e-7 for err in errors.values())  # the checks pass on the GPU too
    publish.value(
        "gpu_status",
        f"The numbers below were measured on {device}, on {date}, with CuPy "
        f"{results['versions'].get('cupy', '?')}",
    )
    rows = [
        ["device", device],
        ["measured on", date],
        ["LeNet-5 training, batch 64", f"{lenet['train_images_per_second']:,.0f} images/s"],
        ["LeNet-5 inference, batch 64", f"{lenet['infer_images_per_second']:,.0f} images/s"],
        ["worst gradient-check error (float64)", f"{max(errors.values()):.0e}"],
    ]
    print(json.dumps(results, indent=2))
else:
    publish.value(
        "gpu_status",
        "No GPU measurement exists yet: no machine with a GPU has run the benchmark for this "
        "blog, so this page shows no GPU number",
    )
    rows = [["device", "none yet"], ["how to measure", f"`{COMMAND}`"]]
    print(f"{RESULTS} does not exist: no GPU measurement yet")
publish.table("gpu", ["", "GPU run of dlm on CuPy"], rows, align="ll")
