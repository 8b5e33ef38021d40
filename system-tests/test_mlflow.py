"""The real `mlflow` client (mlflow-skinny) against Kiln: tracking, artifacts, the registry, and
the registry driving what Kiln serves."""

import http.client
import json
import math
import threading
import time
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.fixture
def server(kiln_factory, monkeypatch):
    kiln = kiln_factory().start()
    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", kiln.admin_key)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(kiln.url)
    mlflow.set_registry_uri(kiln.url)
    yield kiln
    if mlflow.active_run():
        mlflow.end_run()


def error_code(excinfo) -> str:
    return excinfo.value.error_code


def api(server, method, path, headers=None, **kwargs):
    return requests.request(method, f"{server.url}/api/2.0/mlflow/{path}", headers={**server.headers(), **(headers or {})}, **kwargs)


def test_tracking_flow_with_the_real_client(server, tmp_path):
    experiment_id = mlflow.set_experiment("ctr-experiments").experiment_id
    assert experiment_id != "0"
    plot = tmp_path / "curve.csv"
    plot.write_text("epoch,loss\n1,0.5\n")
    with mlflow.start_run(run_name="lstm-1") as first:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"epochs": 5, "batch": 64})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"auc": 0.81, "accuracy": 0.97}, step=4)
        mlflow.log_metric("nan_metric", float("nan"))
        mlflow.log_metric("inf_metric", float("inf"))
        mlflow.log_metric("neg_inf_metric", float("-inf"))
        mlflow.set_tag("team", "ads")
        mlflow.log_dict({"hidden": 32}, "config/settings.json")
        mlflow.log_text("hello kiln", "notes.txt")
        mlflow.log_artifact(str(plot), artifact_path="plots/curves")
    with mlflow.start_run() as second:
        mlflow.log_param("lr", 0.1)
        mlflow.log_metric("auc", 0.70)

    client = MlflowClient()
    run = client.get_run(first.info.run_id)
    assert run.info.status == "FINISHED" and run.info.run_name == "lstm-1" and run.info.end_time
    assert run.data.params == {"lr": "0.01", "epochs": "5", "batch": "64"}
    assert run.data.metrics["loss"] == pytest.approx(0.2)
    assert math.isnan(run.data.metrics["nan_metric"])
    assert run.data.metrics["inf_metric"] == math.inf and run.data.metrics["neg_inf_metric"] == -math.inf
    assert run.data.tags["team"] == "ads" and run.data.tags["mlflow.runName"] == "lstm-1"
    # A run started without a name gets one, as MLflow does.
    assert client.get_run(second.info.run_id).info.run_name

    history = client.get_metric_history(first.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    assert [round(m.value, 3) for m in history] == [1.0, 0.5, 0.333, 0.25, 0.2]

    found = client.search_runs([experiment_id], "metrics.auc > 0.75")
    assert [r.info.run_id for r in found] == [first.info.run_id]
    found = client.search_runs([experiment_id], "params.lr = '0.1'")
    assert [r.info.run_id for r in found] == [second.info.run_id]
    ordered = client.search_runs([experiment_id], "", order_by=["metrics.auc DESC"])
    assert [r.info.run_id for r in ordered] == [first.info.run_id, second.info.run_id]
    assert len(client.search_runs([experiment_id], "tags.\"mlflow.runName\" LIKE 'lstm%' AND attributes.status = 'FINISHED'")) == 1
    assert len(client.search_runs([experiment_id], "tags.team ILIKE 'ADS'")) == 1
    page = client.search_runs([experiment_id], "", max_results=1)
    assert len(page) == 1 and page.token
    assert len(client.search_runs([experiment_id], "", max_results=1, page_token=page.token)) == 1

    top = {a.path: a.is_dir for a in client.list_artifacts(first.info.run_id)}
    assert top == {"config": True, "notes.txt": False, "plots": True}
    assert [a.path for a in client.list_artifacts(first.info.run_id, "plots/curves")] == ["plots/curves/curve.csv"]
    folder = mlflow.artifacts.download_artifacts(run_id=first.info.run_id, artifact_path="config", dst_path=str(tmp_path / "dl"))
    assert json.loads((Path(folder) / "settings.json").read_text()) == {"hidden": 32}
    everything = Path(mlflow.artifacts.download_artifacts(run_id=first.info.run_id, dst_path=str(tmp_path / "all")))
    assert (everything / "plots" / "curves" / "curve.csv").read_text() == "epoch,loss\n1,0.5\n"
    assert (everything / "notes.txt").read_text() == "hello kiln"

    client.delete_tag(first.info.run_id, "team")
    assert "team" not in client.get_run(first.info.run_id).data.tags
    client.delete_run(second.info.run_id)
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [first.info.run_id]
    client.restore_run(second.info.run_id)
    assert len(client.search_runs([experiment_id])) == 2

    client.rename_experiment(experiment_id, "ctr-renamed")
    assert client.get_experiment_by_name("ctr-renamed").experiment_id == experiment_id
    assert any(e.name == "ctr-renamed" for e in client.search_experiments())
    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"

    with pytest.raises(MlflowException) as missing:
        client.get_run("0" * 32)
    assert error_code(missing) == "RESOURCE_DOES_NOT_EXIST"


def test_bad_input_is_refused_whole(server):
    client = MlflowClient()
    run = client.create_run("0")
    run_id = run.info.run_id

    # MLflow's limits: param values up to 6000 characters.
    client.log_param(run_id, "ok", "x" * 6000)
    too_long = api(server, "POST", "runs/log-parameter", json={"run_id": run_id, "key": "long", "value": "x" * 6001})
    assert too_long.status_code == 400 and too_long.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as changed:
        client.log_param(run_id, "ok", "different")
    assert error_code(changed) == "INVALID_PARAMETER_VALUE"

    metrics = [{"key": f"m{i}", "value": 1.0, "timestamp": 0, "step": 0} for i in range(1001)]
    over = api(server, "POST", "runs/log-batch", json={"run_id": run_id, "metrics": metrics})
    assert over.status_code == 400 and over.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    params = [{"key": f"p{i}", "value": "v"} for i in range(101)]
    assert api(server, "POST", "runs/log-batch", json={"run_id": run_id, "params": params}).status_code == 400
    tags = [{"key": f"t{i}", "value": "v"} for i in range(101)]
    assert api(server, "POST", "runs/log-batch", json={"run_id": run_id, "tags": tags}).status_code == 400
    mixed = {"run_id": run_id, "metrics": metrics[:10], "params": [{"key": "fine", "value": "1"}, {"key": "ok", "value": "changed"}]}
    assert api(server, "POST", "runs/log-batch", json=mixed).status_code == 400
    data = client.get_run(run_id).data
    assert data.metrics == {} and set(data.params) == {"ok"}, "a refused batch wrote nothing"

    # Bare NaN/Infinity tokens (Python's json module) and their string forms both round-trip.
    body = '{"run_id": "%s", "metrics": [{"key": "a", "value": NaN, "timestamp": 1, "step": 0},' \
           ' {"key": "b", "value": "-Infinity", "timestamp": 1, "step": 0}]}' % run_id
    assert api(server, "POST", "runs/log-batch", data=body, headers={"Content-Type": "application/json"}).status_code == 200
    got = api(server, "GET", "runs/get", params={"run_id": run_id}).json()["run"]["data"]["metrics"]
    assert {m["key"]: m["value"] for m in got} == {"a": "NaN", "b": "-Infinity"}

    root = run.info.artifact_uri.removeprefix("mlflow-artifacts:/")
    for bad in (f"{root}/%2E%2E/escape.txt", f"{root}/a/%2E%2E/%2E%2E/b.txt", f"{root}//x"):
        connection = http.client.HTTPConnection("127.0.0.1", server.port)
        connection.request("PUT", f"/api/2.0/mlflow-artifacts/artifacts/{bad}", body=b"x", headers=server.headers())
        answer = connection.getresponse()
        assert answer.status == 400, bad
        assert json.loads(answer.read())["error_code"] == "INVALID_PARAMETER_VALUE"
    listing = requests.get(f"{server.url}/api/2.0/mlflow-artifacts/artifacts", params={"path": f"{root}/../.."}, headers=server.headers())
    assert listing.status_code == 400
    missing = requests.get(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{root}/nothing.txt", headers=server.headers())
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"

    for bad_filter in ("metrics.auc > 'high'", "params.lr < 3", "metrics.auc >", "tags.x = 'a' OR tags.y = 'b'"):
        answer = api(server, "POST", "runs/search", json={"experiment_ids": ["0"], "filter": bad_filter})
        assert answer.status_code == 400 and answer.json()["error_code"] == "INVALID_PARAMETER_VALUE", bad_filter


def test_basic_auth_and_unauthenticated(server, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "anyone")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", server.admin_key)
    assert MlflowClient().create_experiment("basic-auth") != "0"
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "kiln_wrong")
    with pytest.raises(MlflowException) as refused:
        MlflowClient().get_experiment("0")
    assert error_code(refused) == "UNAUTHENTICATED"
    plain = requests.get(f"{server.url}/api/2.0/mlflow/experiments/get", params={"experiment_id": "0"})
    assert plain.status_code == 401 and plain.json()["error_code"] == "UNAUTHENTICATED"


def log_servable_model(run_name: str, model: Path = EXAMPLES / "tabular_mlp" / "1" / "model.pt") -> str:
    """Logs a TorchScript model with the example's Kiln config as an MLflow-style model folder."""
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_artifact(str(EXAMPLES / "tabular_mlp" / "config.json"), artifact_path="model")
        mlflow.log_artifact(str(model), artifact_path="model")
        mlflow.log_text("flavors: {}\n", "model/MLmodel")
    return run.info


def other_weights(folder: Path) -> Path:
    """The example MLP's signature (30 features → 2 probabilities) with other weights, so that
    two registered versions answer differently."""
    import torch

    torch.manual_seed(1)
    module = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(30, 2), torch.nn.Softmax(dim=1)))
    folder.mkdir(parents=True, exist_ok=True)
    module.save(str(folder / "model.pt"))
    return folder / "model.pt"


@pytest.mark.filterwarnings("ignore::FutureWarning")  # stages are deprecated in MLflow, still used
def test_registry_drives_serving(server, tmp_path):
    client = MlflowClient()
    mlflow.set_experiment("registry")
    first, second = log_servable_model("v1"), log_servable_model("v2", other_weights(tmp_path / "v2"))

    client.create_registered_model("mlp_registry", description="demo")
    with pytest.raises(MlflowException) as duplicate:
        client.create_registered_model("mlp_registry")
    assert error_code(duplicate) == "RESOURCE_ALREADY_EXISTS"

    v1 = client.create_model_version("mlp_registry", f"{first.artifact_uri}/model", run_id=first.run_id)
    v2 = client.create_model_version("mlp_registry", f"runs:/{second.run_id}/model", run_id=second.run_id)
    assert (v1.version, v2.version, v1.status) == ("1", "2", "READY")
    plain = client.create_model_version("mlp_registry", "s3://elsewhere/model")  # registered, not served
    assert plain.version == "3"

    sample = json.loads((EXAMPLES / "tabular_mlp" / "sample.json").read_text())

    def infer(version: str):
        return requests.post(f"{server.url}/v2/models/mlp_registry/versions/{version}/infer", json=sample, headers=server.headers())

    assert infer("1").status_code == 200 and infer("2").status_code == 200
    assert infer("3").status_code == 404
    # Each version answers with its own weights: the alias below must switch which weights serve.
    outputs = {version: infer(version).json()["outputs"][0]["data"] for version in ("1", "2")}
    assert outputs["1"] != outputs["2"]

    client.set_registered_model_alias("mlp_registry", "production", "1")
    assert client.get_model_version_by_alias("mlp_registry", "production").version == "1"
    assert infer("production").json()["model_version"] == "1"

    # Move the alias back and forth while a client infers in a loop: no request may fail.
    failures, versions, stop = [], set(), threading.Event()

    def loop():
        session = requests.Session()
        while not stop.is_set():
            answer = session.post(f"{server.url}/v2/models/mlp_registry/versions/production/infer", json=sample, headers=server.headers())
            if answer.status_code != 200:
                failures.append((answer.status_code, answer.text))
            else:
                version = answer.json()["model_version"]
                versions.add(version)
                if answer.json()["outputs"][0]["data"] != outputs[version]:
                    failures.append(("weights of another version", version))

    worker = threading.Thread(target=loop)
    worker.start()
    try:
        for _ in range(10):
            client.set_registered_model_alias("mlp_registry", "production", "2")
            time.sleep(0.05)
            client.transition_model_version_stage("mlp_registry", "1", "Production", archive_existing_versions=True)
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join()
    assert failures == [] and versions == {"1", "2"}
    assert infer("production").json()["model_version"] == "1"
    assert client.get_model_version("mlp_registry", "1").current_stage == "Production"

    found = client.search_model_versions("name='mlp_registry'")
    assert sorted(v.version for v in found) == ["1", "2", "3"]
    assert client.get_model_version_download_uri("mlp_registry", "2") == f"{second.artifact_uri}/model"
    downloaded = Path(mlflow.artifacts.download_artifacts(f"models:/mlp_registry/2", dst_path=str(tmp_path / "m")))
    assert (downloaded / "model.pt").read_bytes() == (tmp_path / "v2" / "model.pt").read_bytes()

    client.delete_registered_model_alias("mlp_registry", "production")
    with pytest.raises(MlflowException) as no_alias:
        client.get_model_version_by_alias("mlp_registry", "production")
    assert error_code(no_alias) == "INVALID_PARAMETER_VALUE"
    assert infer("production").status_code == 404

    client.set_registered_model_tag("mlp_registry", "owner", "ads")
    client.set_model_version_tag("mlp_registry", "2", "validated", "yes")
    assert client.get_registered_model("mlp_registry").tags == {"owner": "ads"}
    assert client.get_model_version("mlp_registry", "2").tags == {"validated": "yes"}
    client.update_model_version("mlp_registry", "2", description="second")
    assert client.get_model_version("mlp_registry", "2").description == "second"

    client.delete_model_version("mlp_registry", "2")
    assert infer("2").status_code == 404 and infer("1").status_code == 200
    client.delete_registered_model("mlp_registry")
    with pytest.raises(MlflowException) as gone:
        client.get_registered_model("mlp_registry")
    assert error_code(gone) == "RESOURCE_DOES_NOT_EXIST"
    index = requests.post(f"{server.url}/v2/repository/index", json={}, headers=server.headers()).json()
    assert "mlp_registry" not in [m["name"] for m in index]


def test_registry_writes_take_admin_or_service_and_reads_any_key(server, monkeypatch):
    """README: any key may read and write tracking data; changing the registry takes role admin
    or service. Each write the client offers, with a `user` key, is PERMISSION_DENIED (403) and
    changes nothing; a `service` key may make it."""
    mlflow.set_experiment("registry-roles")  # the fluent API may remember another server's experiment
    admin = MlflowClient()
    admin.create_registered_model("guarded")
    run = log_servable_model("guarded-run")
    admin.create_model_version("guarded", f"runs:/{run.run_id}/model", run_id=run.run_id)
    keys = {role: requests.post(f"{server.url}/v1/keys", json={"role": role}, headers=server.headers()).json()["key"]
            for role in ("user", "service")}

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", keys["user"])
    user = MlflowClient()
    writes = {
        "create model": lambda: user.create_registered_model("by-user"),
        "update model": lambda: user.update_registered_model("guarded", description="changed"),
        "rename model": lambda: user.rename_registered_model("guarded", "renamed"),
        "tag model": lambda: user.set_registered_model_tag("guarded", "k", "v"),
        "create version": lambda: user.create_model_version("guarded", f"runs:/{run.run_id}/model", run_id=run.run_id),
        "set alias": lambda: user.set_registered_model_alias("guarded", "champion", "1"),
        "tag version": lambda: user.set_model_version_tag("guarded", "1", "k", "v"),
        "delete version": lambda: user.delete_model_version("guarded", "1"),
        "delete model": lambda: user.delete_registered_model("guarded"),
    }
    for what, write in writes.items():
        with pytest.raises(MlflowException) as refused:
            write()
        assert error_code(refused) == "PERMISSION_DENIED", what
    # Reads and tracking stay open to the user key; nothing above changed the registry.
    model = user.get_registered_model("guarded")
    assert (model.description or "") == "" and not model.tags and not model.aliases
    assert [version.version for version in user.search_model_versions("name='guarded'")] == ["1"]
    assert [m.name for m in user.search_registered_models()] == ["guarded"]
    with mlflow.start_run(run_name="user-tracking"):
        mlflow.log_metric("allowed", 1.0)

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", keys["service"])
    MlflowClient().set_registered_model_alias("guarded", "champion", "1")
    assert admin.get_model_version_by_alias("guarded", "champion").version == "1"


def test_a_blob_an_artifact_references_cannot_be_deleted(server, tmp_path):
    """README: DELETE /v1/blobs/{sha256} answers 409 `conflict` while something references the
    blob (here an MLflow artifact) and leaves it in place; an unreferenced one is deleted."""
    import hashlib
    content = b"artifact bytes that a run keeps\n"
    (tmp_path / "notes.txt").write_bytes(content)
    mlflow.set_experiment("blob-references")
    with mlflow.start_run():
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
    digest = hashlib.sha256(content).hexdigest()
    refused = requests.delete(f"{server.url}/v1/blobs/{digest}", headers=server.headers())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict", refused.text
    kept = requests.get(f"{server.url}/v1/blobs/{digest}", headers=server.headers())
    assert kept.status_code == 200 and kept.content == content
    loose = requests.post(f"{server.url}/v1/blobs", data=b"nobody refers to me", headers=server.headers()).json()["sha256"]
    assert requests.delete(f"{server.url}/v1/blobs/{loose}", headers=server.headers()).status_code == 204
    assert requests.get(f"{server.url}/v1/blobs/{loose}", headers=server.headers()).status_code == 404
