"""The CTR app (seed 003) against a real server: upload, validation, XGBoost and LSTM training as
jobs, live progress over WebSocket, status and run list in the seed's shapes, the run in MLflow,
and the trained model served."""

import hashlib
import io
import json
import time

import numpy as np
import pytest
import requests
import websocket
from mlflow import MlflowClient


def make_csv(rows=2000, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    hour = rng.integers(0, 24, rows)
    age = rng.integers(18, 70, rows)
    noise = rng.normal(size=rows)
    # Clicks are rare and depend on the hour and age: learnable, ~5% positive.
    logit = -4.0 + 2.5 * ((hour >= 18) & (hour <= 22)) + 0.03 * (age - 40)
    clicked = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    out = io.StringIO()
    out.write("hour,age,noise,clicked\n")
    for values in zip(hour, age, noise, clicked):
        out.write(f"{values[0]},{values[1]},{values[2]:.4f},{values[3]}\n")
    return out.getvalue().encode()


def assert_evening_beats_night(server, name, version):
    """The served model learned make_csv's rule: an evening impression clicks more than a night one."""
    features = np.array([[20, 60, 0.0], [3, 20, 0.0]], dtype=np.float32)
    answer = requests.post(f"{server.url}/v2/models/{name}/versions/{version}/infer", headers=server.headers(), json={
        "inputs": [{"name": "features", "datatype": "FP32", "shape": [2, 3], "data": features.flatten().tolist()}]})
    assert answer.status_code == 200, answer.text
    evening, night = answer.json()["outputs"][0]["data"]
    assert evening > night


@pytest.fixture
def server(kiln_factory):
    return kiln_factory().start()


def upload(server, content: bytes, name="data.csv", mapping: bytes | None = None):
    files = {"file": (name, content, "text/csv")}
    if mapping is not None:
        files["mapping"] = ("feature_name_mapping.csv", mapping, "text/csv")
    return requests.post(f"{server.url}/api/upload", files=files, headers=server.headers())


MAPPING = "feature,description\nhour,시간대\nage,\"나이, 만\"\n".encode()


def test_upload_validates_with_rows_and_columns(server):
    good = upload(server, make_csv())
    assert good.status_code == 200, good.text
    body = good.json()
    # Stored under the SHA-256 of its bytes (a 600 KB body: many chunks).
    large = make_csv(rows=40000, seed=5)
    assert upload(server, large).status_code == 200
    digest = hashlib.sha256(large).hexdigest()
    assert (server.data_dir / "blobs" / digest[:2] / digest[2:]).read_bytes() == large
    assert body["rows"] == 2000 and body["columns"] == ["hour", "age", "noise", "clicked"] and body["column_count"] == 4
    assert body["validation"] == {"isValid": True, "errors": [], "warnings": []}
    assert body["info"]["totalRows"] == 2000 and 0 < body["info"]["clickedOne"] < 400
    assert body["info"]["ctr"] == round(body["info"]["clickedOne"] / 20, 2)
    assert len(body["preview"]) == 10 and set(body["preview"][0]) == {"hour", "age", "noise", "clicked"}

    bad = upload(server, b"hour,hour,city\n1,2,seoul\n3,4\n", name="bad.csv").json()
    codes = {e["code"] for e in bad["validation"]["errors"]}
    assert not bad["validation"]["isValid"]
    assert codes == {"duplicate_header", "missing_target", "ragged_row", "non_numeric"}
    assert any(e["code"] == "non_numeric" and e["column"] == "city" and e["row"] == 2 for e in bad["validation"]["errors"])
    refused = requests.post(f"{server.url}/api/train", json={"file_id": bad["file_id"], "config": {"model": "xgboost"}}, headers=server.headers())
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_argument"

    assert upload(server, b"").status_code == 400
    korean_cp949 = "시간,clicked\n1,0\n".encode("cp949")
    refused = upload(server, korean_cp949)
    assert refused.status_code == 400 and "CP949" in refused.json()["error"]["message"]
    assert upload(server, make_csv(rows=20), mapping=b"name,text\nhour,x\n").status_code == 400
    assert upload(server, make_csv(rows=20), mapping="feature,description\nhour,시간\n".encode("cp949")).status_code == 400
    assert requests.post(f"{server.url}/api/upload", files={"other": ("x.csv", b"a\n")}, headers=server.headers()).status_code == 400
    assert upload(server, b'a,"open\n').status_code == 400
    assert requests.post(f"{server.url}/api/upload", data=b"x", headers=server.headers()).status_code == 415
    missing = requests.post(f"{server.url}/api/train", json={"file_id": "nope"}, headers=server.headers())
    assert missing.status_code == 404
    for config in ({"model": "gbdt"}, {"epochs": 0}, {"epochs": -3}, {"dropout": 1.5}, {"mlp_hidden": [0]}, {"batch_size": 0}):
        refused = requests.post(f"{server.url}/api/train", json={"file_id": body["file_id"], "config": config}, headers=server.headers())
        assert refused.status_code == 400, (config, refused.text)


def test_training_runs_as_a_job_is_tracked_and_served(server, monkeypatch):
    uploaded = upload(server, make_csv(), mapping=MAPPING).json()
    assert uploaded["descriptions"] == {"hour": "시간대", "age": "나이, 만"}
    file_id = uploaded["file_id"]
    started = requests.post(f"{server.url}/api/train", json={"file_id": file_id, "config": {
        "model": "xgboost", "epochs": 15, "learning_rate": 0.3, "max_depth": 3}}, headers=server.headers())
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "training"
    run_id = started.json()["run_id"]

    status = wait_for(server, run_id, timeout=120)
    assert status["status"] == "completed", status
    assert status["current_epoch"] == status["total_epochs"] == 15
    assert set(status["metrics"]) == {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "val_auc"}
    assert status["metrics"]["val_auc"] > 0.65, status

    runs = requests.get(f"{server.url}/api/train/runs", headers=server.headers()).json()
    assert [r["run_id"] for r in runs] == [run_id]
    assert runs[0]["status"] == "completed" and runs[0]["file_id"] == file_id and runs[0]["accuracy"] > 0

    # Feature analysis, computed when training ended: importance with a bootstrap CI, a p-value.
    importance = requests.get(f"{server.url}/api/report/feature-importance/{run_id}", headers=server.headers()).json()
    assert {f["feature"] for f in importance} == {"hour", "age", "noise"}
    assert [f["importance"] for f in importance] == sorted((f["importance"] for f in importance), reverse=True)
    assert abs(sum(f["importance"] for f in importance) - 1) < 1e-6
    for f in importance:
        assert f["ci"][0] <= f["importance"] <= f["ci"][1] and 0 <= f["pValue"] <= 1 and "Mann-Whitney" in f["test"]
    assert next(f for f in importance if f["feature"] == "age")["pValue"] < 0.05
    assert {f["feature"]: f["description"] for f in importance} == {"hour": "시간대", "age": "나이, 만", "noise": "noise"}
    # Significance (Bonferroni over the features) and Welch's t-test beside Mann-Whitney.
    noise = next(f for f in importance if f["feature"] == "noise")
    assert noise["is_significant"] is False and 0 <= noise["welchPValue"] <= 1 and "Bonferroni" in noise["significance"]
    assert next(f for f in importance if f["feature"] == "age")["is_significant"] is True
    assert {f["measure"] for f in importance} == {"gain"}
    # The same run by mean |SHAP| (exact TreeSHAP): the drivers above the noise column.
    shap = requests.get(f"{server.url}/api/report/feature-importance/{run_id}", params={"method": "shap"}, headers=server.headers()).json()
    assert shap[-1]["feature"] == "noise" and {f["measure"] for f in shap} == {"shap"} and "TreeSHAP" in shap[0]["method"]
    for f in shap:
        assert f["ci"][0] <= f["importance"] <= f["ci"][1]
    refused = requests.get(f"{server.url}/api/report/feature-importance/{run_id}", params={"method": "permutation"}, headers=server.headers())
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_argument"
    correlation = requests.get(f"{server.url}/api/report/correlation/{run_id}", params={"k": 2}, headers=server.headers()).json()
    assert correlation["features"] == [f["feature"] for f in importance[:2]]
    assert [correlation["matrix"][i][i] for i in range(2)] == [1, 1] and len(correlation["matrix"]) == 2
    assert requests.get(f"{server.url}/api/report/correlation/{run_id}", params={"k": "x"}, headers=server.headers()).status_code == 400
    assert requests.get(f"{server.url}/api/report/feature-importance/nope", headers=server.headers()).status_code == 404

    # The run is an MLflow run: every epoch is in the metric history, the model in its artifacts.
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", server.admin_key)
    client = MlflowClient(tracking_uri=server.url)
    assert [m.step for m in client.get_metric_history(run_id, "val_loss")] == list(range(1, 16))
    assert {a.path for a in client.list_artifacts(run_id, "model")} == {"model/model.json", "model/config.json"}
    assert [a.path for a in client.list_artifacts(run_id, "reports")] == ["reports/analysis.json", "reports/evaluation.json"]
    assert client.get_run(run_id).data.params["model"] == "xgboost"

    # ... and a served model version.
    name, version = status["model_name"], status["model_version"]
    assert_evening_beats_night(server, name, version)


def wait_for(server, run_id, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{server.url}/api/train/status/{run_id}", headers=server.headers()).json()
        if status["status"] != "training" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_lstm_trains_streams_epochs_and_is_served_as_torchscript(server):
    file_id = upload(server, make_csv(rows=3000, seed=1)).json()["file_id"]
    config = {"model": "lstm", "epochs": 4, "batch_size": 128, "learning_rate": 0.01, "lstm_hidden": 16, "mlp_hidden": [32, 16], "dropout": 0.1}
    started = requests.post(f"{server.url}/api/train", json={"file_id": file_id, "config": config}, headers=server.headers())
    assert started.status_code == 200, started.text
    run_id = started.json()["run_id"]

    # A subscriber from the start sees the state, every epoch, log lines and the end.
    socket = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/training/{run_id}",
                                         header=[f"Authorization: Bearer {server.admin_key}"], timeout=120)
    messages = []
    try:
        while True:
            message = json.loads(socket.recv())
            messages.append(message)
            if message["type"] in ("training_complete", "training_failed"):
                break
    finally:
        socket.close()
    assert messages[0]["type"] == "state" and messages[0]["run_id"] == run_id
    assert messages[-1]["type"] == "training_complete", messages[-1]
    streamed = [m["epoch"] for m in messages if m["type"] == "epoch_update"]
    recorded = [e["epoch"] for e in messages[0]["epochs"]]
    assert sorted(set(recorded + streamed)) == [1, 2, 3, 4]  # whatever the state missed arrives live
    assert all(set(m["metrics"]) == {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "val_auc"}
               for m in messages if m["type"] == "epoch_update")
    logs = [m["message"] for m in messages if m["type"] == "log"]
    assert any(f"/4 완료" in line for line in logs), logs  # the seed's "Epoch 5/10 완료"
    assert "message_en" not in messages[1] and all("seq" in m for m in messages[1:])
    seqs = [m["seq"] for m in messages[1:]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    status = wait_for(server, run_id)
    assert status["status"] == "completed" and status["current_epoch"] == 4, status
    assert status["metrics"]["val_auc"] > 0.65, status

    # A late subscriber gets the whole story at once, then the end.
    late = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/training/{run_id}",
                                       header=[f"Authorization: Bearer {server.admin_key}"], timeout=30)
    try:
        state, end = json.loads(late.recv()), json.loads(late.recv())
    finally:
        late.close()
    assert state["type"] == "state" and [e["epoch"] for e in state["epochs"]] == [1, 2, 3, 4]
    assert end["type"] == "training_complete" and end["seq"] == messages[-1]["seq"]

    # An auto-reconnecting client that saw the end (since = its last seq) is not sent it again;
    # one that missed it gets only the end, not the state.
    def reconnect(query):
        ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/training/{run_id}?{query}",
                                         header=[f"Authorization: Bearer {server.admin_key}"], timeout=30)
        received = []
        try:
            while text := ws.recv():  # "" once the server has closed
                received.append(json.loads(text))
        except websocket.WebSocketConnectionClosedException:
            pass
        finally:
            ws.close()
        return received
    assert reconnect(f"since={end['seq']}") == []
    assert [m["type"] for m in reconnect(f"since={end['seq'] - 1}")] == ["training_complete"]
    with pytest.raises(websocket.WebSocketBadStatusException):
        reconnect("since=-1")

    # Permutation importance: the hour drives clicks, the noise column does not.
    importance = requests.get(f"{server.url}/api/report/feature-importance/{run_id}", headers=server.headers()).json()
    assert importance[0]["feature"] == "hour", importance
    noise = next(f for f in importance if f["feature"] == "noise")
    assert noise["importance"] < importance[0]["importance"] / 5
    for f in importance:
        assert f["ci"][0] <= f["importance"] <= f["ci"][1]
    assert {f["measure"] for f in importance} == {"permutation"} and noise["is_significant"] is False
    # A KernelSHAP summary of the LSTM run ranks the hour first too.
    shap = requests.get(f"{server.url}/api/report/feature-importance/{run_id}", params={"method": "shap"}, headers=server.headers()).json()
    assert shap[0]["feature"] == "hour" and "KernelSHAP" in shap[0]["method"], shap

    # The model is served as TorchScript and answers like the validation says it learned.
    name, version = status["model_name"], status["model_version"]
    assert name == "ctr_lstm"
    meta = requests.get(f"{server.url}/v2/models/{name}/versions/{version}", headers=server.headers()).json()
    assert meta["platform"] == "pytorch_libtorch"
    assert_evening_beats_night(server, name, version)

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/training/nope", header=[f"Authorization: Bearer {server.admin_key}"], timeout=5)
    assert refused.value.status_code == 400  # hummingbird-websocket answers every refused upgrade with 400


class FakeLLM:
    """An OpenAI-compatible chat-completions endpoint on loopback that records what it was asked."""

    def __init__(self, status=200):
        import http.server
        import threading

        fake = self
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                answer = {"summary": "LLM 요약", "aiInsights": ["통찰 1", "통찰 2", "통찰 3"], "actionPlan": ["계획 1", "계획 2", "계획 3"]}
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": "```json\n" + json.dumps(answer) + "\n```"}}]}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def train_xgboost(server, **config):
    file_id = upload(server, make_csv()).json()["file_id"]
    run_id = requests.post(f"{server.url}/api/train", json={"file_id": file_id, "config": {
        "model": "xgboost", "epochs": 10, "learning_rate": 0.3, "max_depth": 3, **config}}, headers=server.headers()).json()["run_id"]
    status = wait_for(server, run_id)
    assert status["status"] == "completed", status
    return run_id, status


def test_report_performance_dashboards_alerts_and_cors(kiln_factory):
    server = kiln_factory(env={"KILN_CTR_ALERT_MIN_ACCURACY": "0.99", "KILN_CTR_PERFORMANCE_INTERVAL": "0.2",
                               "KILN_CORS_ORIGINS": "http://localhost:3000", "KILN_CTR_CLICK_VALUE": "300",
                               "KILN_CTR_PDF_WAIT": "0"}).start()
    run_id, status = train_xgboost(server)
    h = server.headers()

    report = requests.get(f"{server.url}/api/report/ai/{run_id}", headers=h).json()
    assert report["narrativeSource"] == "template:ko" and report["language"] == "ko"
    lift, base = report["metrics"]["lift"], report["metrics"]["base_ctr"]
    assert report["roiIncrease"] == pytest.approx((lift - 1) * 100, abs=0.2)
    assert report["additionalClicks"] == pytest.approx(1_000_000 * base / 100 * (lift - 1), rel=0.01, abs=2)
    assert report["additionalRevenue"] == pytest.approx(report["additionalClicks"] * 300, rel=0.01, abs=300)
    assert report["accuracy"] == pytest.approx(status["metrics"]["val_accuracy"] * 100, abs=0.1)
    assert len(report["topFeatures"]) == 3 and report["topFeatures"][0]["feature"] == "hour"
    assert report["aiInsights"] and report["actionPlan"] and "%" in report["summary"]
    english = requests.get(f"{server.url}/api/report/ai/{run_id}", params={"lang": "en"}, headers=h).json()
    assert english["narrativeSource"] == "template:en" and english["roiIncrease"] == report["roiIncrease"] and "accuracy" in english["summary"]
    assert requests.get(f"{server.url}/api/report/ai/{run_id}", params={"lang": "fr"}, headers=h).status_code == 400
    assert requests.get(f"{server.url}/api/report/ai/nope", headers=h).status_code == 404

    # Validation quality; latency only once the model has served something.
    performance = requests.get(f"{server.url}/api/performance/{run_id}", headers=h).json()
    assert {"accuracy", "precision", "recall", "f1_score", "auc", "response_time"} <= set(performance)
    assert performance["response_time"] is None and performance["response_time_samples"] == 0
    name, version = status["model_name"], status["model_version"]
    for _ in range(5):
        requests.post(f"{server.url}/v2/models/{name}/versions/{version}/infer", headers=h, json={
            "inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 3], "data": [20, 40, 0.0]}]}).raise_for_status()
    performance = requests.get(f"{server.url}/api/performance/{run_id}", headers=h).json()
    assert performance["response_time"] > 0 and performance["response_time_samples"] == 5

    operator = requests.get(f"{server.url}/api/dashboard/si", headers=h).json()
    assert operator["runs"]["by_status"] == {"completed": 1} and operator["models"]["ready"] >= 1
    assert f"{name}/{version}" in operator["latency"] and 0 <= operator["system"]["api_success_rate"] <= 100
    client = requests.get(f"{server.url}/api/dashboard/client", headers=h).json()
    assert client["run_id"] == run_id and len(client["deciles"]) == 10 and client["lift"] == lift
    # The seed's health path answers without credentials: the frontend polls it before logging in.
    health = requests.get(f"{server.url}/api/health")
    assert health.status_code == 200 and health.json() == {"status": "ok", "app": "ctr"}

    # Alerts: accuracy is below the configured 0.99, once; updates keep coming.
    socket = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/performance", header=[f"Authorization: Bearer {server.admin_key}"], timeout=10)
    try:
        messages = [json.loads(socket.recv()) for _ in range(6)]
    finally:
        socket.close()
    types = [m["type"] for m in messages]
    assert types[:3] == ["metrics_update", "performance_alert", "system_health"] and types[3:] == ["metrics_update", "system_health", "metrics_update"]
    assert messages[1]["metric"] == "accuracy" and messages[1]["threshold"] == 0.99
    # The seed's fields: severity, message, metrics (the update that crossed the threshold).
    assert messages[1]["severity"] in ("high", "medium") and messages[1]["metrics"] == messages[0]["metrics"]
    assert messages[1]["severity"] == ("high" if 0.99 - messages[1]["value"] > 0.099 else "medium")
    assert messages[2]["health"]["api_success_rate"] <= 100

    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/performance?run_id=nope", header=[f"Authorization: Bearer {server.admin_key}"], timeout=5)

    # CORS for the configured dashboard origin only.
    preflight = requests.options(f"{server.url}/api/train/runs", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    allowed = requests.get(f"{server.url}/api/train/runs", headers={**h, "Origin": "http://localhost:3000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    other = requests.get(f"{server.url}/api/train/runs", headers={**h, "Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers

    # ctr_pdf_wait = 0: generate-pdf answers at once with the job to poll.
    queued = requests.post(f"{server.url}/api/report/generate-pdf/{run_id}", headers=h)
    assert queued.status_code == 202 and queued.json()["status"] == "generating" and queued.json()["status_url"].startswith("/v1/jobs/")


def test_report_narrative_from_a_configured_llm(kiln_factory):
    fake, broken = FakeLLM(), FakeLLM(status=500)
    try:
        server = kiln_factory(env={"KILN_LLM_BASE_URL": fake.url, "KILN_LLM_MODEL": "fake-model", "KILN_LLM_API_KEY": "sk-test"}).start()
        run_id, _ = train_xgboost(server)
        report = requests.get(f"{server.url}/api/report/ai/{run_id}", headers=server.headers()).json()
        assert report["narrativeSource"] == "llm:fake-model" and report["summary"] == "LLM 요약" and report["actionPlan"][0] == "계획 1"
        asked = fake.requests[-1]
        assert asked["path"] == "/v1/chat/completions" and asked["auth"] == "Bearer sk-test" and asked["body"]["model"] == "fake-model"
        assert str(report["roiIncrease"]) in asked["body"]["messages"][1]["content"]  # the LLM is given the computed numbers
        server.stop()

        fallback = kiln_factory(name="broken", env={"KILN_LLM_BASE_URL": broken.url}).start()
        run_id, _ = train_xgboost(fallback)
        report = requests.get(f"{fallback.url}/api/report/ai/{run_id}", headers=fallback.headers()).json()
        assert report["narrativeSource"].startswith("template:ko (LLM unavailable") and report["aiInsights"]
    finally:
        fake.close()
        broken.close()


def test_pdf_report_is_rendered_with_charts_and_korean_text(kiln_factory, tmp_path):
    import subprocess

    server = kiln_factory().start()
    h = server.headers()
    file_id = upload(server, make_csv(), mapping=MAPPING).json()["file_id"]
    run_id = requests.post(f"{server.url}/api/train", json={"file_id": file_id, "config": {
        "model": "xgboost", "epochs": 10, "learning_rate": 0.3, "max_depth": 3}}, headers=h).json()["run_id"]
    assert requests.get(f"{server.url}/api/report/pdf/{run_id}", headers=h).status_code in (404, 409)
    assert wait_for(server, run_id)["status"] == "completed"
    assert requests.get(f"{server.url}/api/report/pdf/{run_id}", headers=h).status_code == 404

    started = requests.post(f"{server.url}/api/report/generate-pdf/{run_id}", headers=h,
                            json={"includeCharts": True, "includeInsights": True, "includeActionPlan": True})
    # The seed's contract: "generated", and the PDF is there at once.
    assert started.status_code == 200 and started.json()["status"] == "generated", started.text
    assert started.json()["pdf_url"] == f"/api/report/pdf/{run_id}"
    pdf = requests.get(f"{server.url}/api/report/pdf/{run_id}", headers=h)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf", pdf.text[:300]
    assert pdf.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts  # the Korean text is set in the CJK font, embedded
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "CTR 예측 모델 분석 보고서" in text and "시간대" in text and "실행 계획" in text

    # Every page has ink: rendered to greyscale, a good share of pixels is not white.
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.pgm"))
    assert len(rendered) == pages
    for page in rendered:
        data = page.read_bytes()
        header_end = data.index(b"\n", data.index(b"\n", data.index(b"\n") + 1) + 1) + 1  # P5, size, maxval
        pixels = np.frombuffer(data[header_end:], dtype=np.uint8)
        assert (pixels < 200).mean() > 0.01, f"{page.name} looks blank"

    english = requests.post(f"{server.url}/api/report/generate-pdf/{run_id}", headers=h, json={"lang": "xx"})
    assert english.status_code == 400
    assert requests.post(f"{server.url}/api/report/generate-pdf/nope", headers=h).status_code == 404


def test_an_upload_that_expects_100_continue_is_told_to_continue(server):
    """curl sends `Expect: 100-continue` with any body over 1 MiB and holds the body back until
    the server answers (or for a second): Kiln answers at once, then the real response follows."""
    import socket
    import urllib3

    body, content_type = urllib3.encode_multipart_formdata({"file": ("data.csv", make_csv(), "text/csv")})
    head = (f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {server.headers()['Authorization']}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(head)
        # Without the answer the server would wait for the body forever, so any timeout proves
        # it; a generous one keeps a busy CI machine from failing the test.
        connection.settimeout(10)
        interim = connection.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        connection.settimeout(30)
        connection.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_upload_over_the_limit_is_refused_and_nothing_is_stored(kiln_factory):
    # The same limit stops a 2 GB upload; 64 KiB keeps the test fast.
    server = kiln_factory(extra_args=["--max-upload", "64KiB"]).start()
    big = make_csv(rows=5000)
    assert len(big) > 64 * 1024
    refused = upload(server, big)
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "payload_too_large"
    assert requests.get(f"{server.url}/api/train/runs", headers=server.headers()).json() == []
    leftovers = [p for p in (server.data_dir / "blobs").rglob("*") if p.is_file()]
    assert leftovers == [], leftovers
    assert upload(server, make_csv(rows=200)).status_code == 200


def test_early_stopping_rounds_stops_after_that_many_epochs_without_a_better_validation_loss(kiln_factory):
    """README: `early_stopping_rounds` stops when the validation loss has not improved for that
    many epochs. Eta 1 with deep trees overfits the small table within a few rounds, so the run
    must end exactly `patience` epochs after its best one, well before the 300 asked for."""
    server = kiln_factory().start()
    patience = 3
    run_id, _ = train_xgboost(server, epochs=300, learning_rate=1.0, max_depth=8, early_stopping_rounds=patience)
    history = requests.get(f"{server.url}/api/2.0/mlflow/metrics/get-history", params={"run_id": run_id, "metric_key": "val_loss"},
                           headers=server.headers()).json()["metrics"]
    losses = [metric["value"] for metric in sorted(history, key=lambda metric: metric["step"])]
    best_epoch = losses.index(min(losses)) + 1
    assert len(losses) < 300, "training ran every epoch: early stopping never fired"
    assert len(losses) == best_epoch + patience, (len(losses), best_epoch, losses)
    assert all(loss >= min(losses) for loss in losses[best_epoch:])
    assert requests.post(f"{server.url}/api/train", json={"file_id": upload(server, make_csv()).json()["file_id"], "config": {
        "model": "xgboost", "early_stopping_rounds": 0}}, headers=server.headers()).status_code == 400
