"""Which part of the soak's jobs stream grows the server's heap (RssAnon), one kind of request
repeated against a release `kiln serve` with only the example MLP:

  poll: submit `infer-async`, poll `GET /v1/jobs/{id}` until done (no socket)
  ws:   open `WS /ws/jobs/{id}` of one finished job, read its terminal message, close
  sse:  the same over `GET /v1/jobs/{id}/events`
  connect: `GET /v1/jobs/{id}` of that job on a new connection each time

Usage: .venv/bin/python benchmarks/soak/heap_probe.py MODE SECONDS [KILN_SETTING=value ...]
Prints the heap (MiB) after every 2000 requests."""
import json, os, shutil, sys, tempfile, time
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
import kiln_process, requests, websocket
kiln_process.KILN_BIN = os.environ.get("KILN_BIN", str(ROOT / ".build" / "release" / "kiln"))
mode, seconds = sys.argv[1], float(sys.argv[2])
work = Path(tempfile.mkdtemp())
shutil.copytree(ROOT / "examples" / "models" / "tabular_mlp", work / "data/models/tabular_mlp")
server = kiln_process.KilnProcess(work / "data", env=dict(kv.split("=") for kv in sys.argv[3:])).start()
h = server.headers()
body = {"inputs": [{"name": "features", "shape": [4, 30], "datatype": "FP32", "data": [0.25] * 120}]}
def heap():
    f = dict(l.split(":", 1) for l in open(f"/proc/{server.proc.pid}/status") if ":" in l)
    return int(f["RssAnon"].split()[0]) / 1024
s = requests.Session()
def submit():
    return s.post(f"{server.url}/v1/models/tabular_mlp/infer-async", json=body, headers=h).json()["job_id"]
done_id = submit(); time.sleep(0.5)
n = 0; t0 = time.monotonic(); marks = []
while time.monotonic() - t0 < seconds:
    if mode == "poll":
        j = submit()
        while s.get(f"{server.url}/v1/jobs/{j}", headers=h).json()["state"] not in ("succeeded", "failed"): pass
    elif mode == "ws":
        ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/jobs/{done_id}", header=[f"Authorization: {h['Authorization']}"], timeout=10)
        while True:
            m = ws.recv()
            if not m or json.loads(m).get("state") == "succeeded": break
        ws.close()
    elif mode == "connect":
        requests.get(f"{server.url}/v1/jobs/{done_id}", headers=h)  # a new connection each time
    elif mode == "sse":
        with s.get(f"{server.url}/v1/jobs/{done_id}/events", headers=h, stream=True) as r:
            for line in r.iter_lines(): pass
    n += 1
    if n % 2000 == 0: marks.append((n, round(heap(), 1)))
print(mode, "ops", n, "heap MiB at every 2000:", marks)
server.stop()
