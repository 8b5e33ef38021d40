"""The seeds' way: FastAPI + uvicorn serving the same model files with Debian's PyTorch and XGBoost.

    python fastapi_server.py MODELS_DIR PORT THREADS

POST /predict/{model} with {"data": [...floats...], "shape": [...]} (JSON float list) or
{"b64": "<base64 little-endian float32>", "shape": [...]}; answers {"output": [...]}.
"""

import base64
import sys
from pathlib import Path

import numpy as np
import torch
import uvicorn
import xgboost
from fastapi import FastAPI, Request

models_dir, port, threads = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
app = FastAPI()
torch_models = {name: torch.jit.load(str(models_dir / name / "1" / "model.pt")).eval() for name in ("cnn", "mlp")}
booster = xgboost.Booster(model_file=str(models_dir / "xgb" / "1" / "model.json"))
booster.set_param({"nthread": threads})


@app.post("/predict/{model}")
async def predict(model: str, request: Request):
    body = await request.json()
    if "b64" in body:
        x = np.frombuffer(base64.b64decode(body["b64"]), dtype=np.float32).reshape(body["shape"])
    else:
        x = np.asarray(body["data"], dtype=np.float32).reshape(body["shape"])
    if model == "xgb":
        y = booster.inplace_predict(x)
    else:
        with torch.inference_mode():
            y = torch_models[model](torch.from_numpy(x)).numpy()
    return {"output": y.ravel().tolist()}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)
