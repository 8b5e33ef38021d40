/// The OpenAPI 3.1 description of Kiln's native endpoints (/health, /ready, /metrics,
/// /openapi.json, /v1/...), with the top-level fields, the security scheme and every
/// component used by a native path or by more than one surface. `/openapi.json` serves it
/// with the installed apps' fragments merged in (`OpenAPIMerge`).
/// Kept true by the schemathesis run in `system-tests/test_openapi.py`: update it with every endpoint.
enum NativeOpenAPI {
    static let document = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Kiln native API",
  "version": "0.1.0",
  "description": "Kiln's own endpoints. Every endpoint except /health, /ready and /metrics requires `Authorization: Bearer <API key or JWT>`. Errors share one shape (components.schemas.Error). The Open Inference Protocol surface (/v2) follows KServe V2 and Triton's extensions and is documented in the README; it uses the error shape {\"error\": \"message\"}. The MLflow-compatible surface (/api/2.0/mlflow, /api/2.0/mlflow-artifacts) follows MLflow's REST API and is documented in the README. Each installed app adds its routes under its own tag, described there. WebSockets (not modelled here): /ws/jobs/{id} (job events)."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "security": [
  {
   "bearer": []
  }
 ],
 "paths": {
  "/health": {
   "get": {
    "operationId": "health",
    "summary": "Process is alive.",
    "security": [],
    "responses": {
     "200": {
      "description": "Alive.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Status"
        }
       }
      }
     }
    }
   }
  },
  "/ready": {
   "get": {
    "operationId": "ready",
    "summary": "Store reachable, migrations applied, and at least min_free_space free on the data directory's volume.",
    "security": [],
    "responses": {
     "200": {
      "description": "Ready.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Status"
        }
       }
      }
     },
     "503": {
      "description": "Not ready.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Status"
        }
       }
      }
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus metrics (text exposition format 0.0.4).",
    "security": [],
    "responses": {
     "200": {
      "description": "Metrics.",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openapi",
    "summary": "This document.",
    "responses": {
     "200": {
      "description": "OpenAPI 3.1 document.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/keys": {
   "get": {
    "operationId": "listKeys",
    "summary": "List API keys (admin).",
    "responses": {
     "200": {
      "description": "All keys, revoked ones included.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/KeyList"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   },
   "post": {
    "operationId": "createKey",
    "summary": "Create an API key (admin). The secret is returned once.",
    "description": "Rejects: a body that is not application/json (415), larger than max_json_body (413), nested deeper than max_json_depth or not matching the schema (400).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CreateKeyRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Created.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CreatedKey"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/keys/{id}": {
   "delete": {
    "operationId": "revokeKey",
    "summary": "Revoke an API key (admin). Takes effect immediately.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Revoked."
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/audit": {
   "get": {
    "operationId": "listAudit",
    "summary": "Administrative actions, newest first (admin).",
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 100
      }
     },
     {
      "name": "before",
      "in": "query",
      "required": false,
      "description": "Return entries with an id below this (paging).",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 9007199254740991
      }
     }
    ],
    "responses": {
     "200": {
      "description": "A page of entries.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AuditPage"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/blobs": {
   "post": {
    "operationId": "uploadBlob",
    "summary": "Upload a blob (raw body, streamed to disk).",
    "description": "Rejects: a body larger than max_upload (413). Identical content is stored once (200 instead of 201). No body stores the empty blob (a content-addressed store holds it like any other).",
    "requestBody": {
     "required": false,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Stored.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UploadedBlob"
        }
       }
      }
     },
     "200": {
      "description": "Already stored.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UploadedBlob"
        }
       }
      }
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/blobs/{sha256}": {
   "get": {
    "operationId": "downloadBlob",
    "summary": "Download a blob.",
    "parameters": [
     {
      "name": "sha256",
      "in": "path",
      "required": true,
      "description": "SHA-256 of the blob, 64 lower-case hex characters.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9a-f]{64}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The bytes.",
      "content": {
       "application/octet-stream": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "delete": {
    "operationId": "deleteBlob",
    "summary": "Delete an unreferenced blob (admin).",
    "parameters": [
     {
      "name": "sha256",
      "in": "path",
      "required": true,
      "description": "SHA-256 of the blob, 64 lower-case hex characters.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9a-f]{64}$"
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Deleted."
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/models": {
   "get": {
    "operationId": "listModels",
    "summary": "Models in the repository: state, versions, aliases, artifact size, last use.",
    "responses": {
     "200": {
      "description": "All models.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ModelList"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/models/{model}": {
   "get": {
    "operationId": "getModel",
    "summary": "One model.",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The model.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Model"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/models/{model}/aliases": {
   "post": {
    "operationId": "setModelAlias",
    "summary": "Point an alias (production, staging, any label) at a version (admin). Use it as name@alias or in the /v2 version position.",
    "description": "Rejects: an alias that does not start with a letter or holds other than letters, digits, '-' and '_' (400); a version not in the repository (404); a non-JSON body (415).",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SetAliasRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The model with its aliases.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Model"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/models/{model}/aliases/{alias}": {
   "delete": {
    "operationId": "removeModelAlias",
    "summary": "Remove an alias (admin).",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "alias",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Removed."
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/models/{model}/versions": {
   "post": {
    "operationId": "uploadModelVersion",
    "summary": "Upload a new version (admin): loaded from a staging folder first, visible only if it loads.",
    "description": "multipart/form-data with `artifact` (a .pt TorchScript file, or .json/.ubj XGBoost model) and, optionally, `config` (JSON; required for a new model, otherwise an override for this version) and `reference` (reference.json: `{\"feature_names\": [...], \"rows\": [[...]]}`, 1…100000 rows of the model's features, for tabular models only: the background KernelSHAP and permutation integrate over and LIME's training statistics). Rejects: another media type (415); a missing or unknown artifact type, an invalid config or reference, or an artifact that does not load (400); a body over max_upload (413).",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "required": [
         "artifact"
        ],
        "properties": {
         "artifact": {
          "type": "string",
          "format": "binary"
         },
         "config": {
          "type": "string",
          "description": "config.json as text"
         },
         "reference": {
          "type": "string",
          "format": "binary",
          "description": "reference.json"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Installed and loaded.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UploadedVersion"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     }
    }
   }
  },
  "/v1/models/{model}/infer-async": {
   "post": {
    "operationId": "inferAsync",
    "summary": "Queue an inference as a durable job; the body is the same as POST /v2/models/{model}/infer (JSON or binary extension).",
    "description": "Answers 202 with the job id and a Location header; with an Idempotency-Key header a repeated submission by the same caller returns the first job (200). Rejects: a body whose JSON header is not an object (400), a body over max_upload (413). Errors of the inference itself (unknown model, wrong shape) end the job failed with the reason.",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      }
     },
     {
      "name": "Inference-Header-Content-Length",
      "in": "header",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 9007199254740991
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object"
       }
      },
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "Queued.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobAccepted"
        }
       }
      }
     },
     "200": {
      "description": "The job this idempotency key already created.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobAccepted"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/models/{model}/explain": {
   "post": {
    "operationId": "explainModel",
    "summary": "Explain a model's predictions: TreeSHAP, KernelSHAP, LIME or permutation for tabular models, Grad-CAM for image classifiers; one explanation per input row.",
    "description": "The body is a V2 inference request (`inputs` as for POST /v2/models/{model}/infer, JSON or the binary extension) whose `parameters` choose the explanation: `method` (required): `tree_shap` (XGBoost: exact TreeSHAP from pred_contribs, log-odds), `kernel_shap` (model-agnostic Shapley values: coalitions enumerated by size while the budget covers a size, the rest sampled with the Shapley kernel, a constrained weighted regression; as shap.KernelExplainer with l1_reg=0), `lime` (lime_tabular's defaults: quartile bins from the training rows, samples drawn bin by bin, kernel √exp(−d²/w²) with w = 0.75·√features, ridge surrogate), `permutation` (each feature replaced by the background's values in turn: f(x) − E[f(x with xⱼ ← bⱼ)]), `grad_cam` (TorchScript image classifiers, one FP32 input [-1, C, H, W] and one output [-1, classes]: Grad-CAM through the module's `(logits, feature_map)` method — `metadata.grad_cam_method`, default `logits_and_features` — or a gradient saliency map when it has none; `target` picks the class, default each image's predicted class; at most 16 images); what a version supports is `explain_methods` in GET /v1/models/{model}. Options: `samples` (2…100000; KernelSHAP default 2·M + 2048, LIME 5000), `seed` (default 0; the same seed gives the same answer), `background` (rows the caller sends; else the version's reference.json, summarised to `background_size` rows, default 100, by `background_summary`: `kmeans` (default for the reference, as shap.kmeans), `sample`, `all` (default for rows sent)), `background_weights`, `num_features` (LIME, default 10), `feature_selection` (LIME: auto, forward_selection, highest_weights, none), `target` (output column index or label; default the only column, else the class predicted for the first row), `tree_evaluator` (KernelSHAP on an XGBoost JSON model, default true: coalition values from the model's own trees, used only when they agree with XGBoost to 1e-5 on the instance and background rows; false: every row through XGBoost), `job` (true: run as an `explain` job; default: a job when the work exceeds 2,000,000 model rows). Model rows are evaluated through the model's scheduler in chunks of 16384 (queue bound and metrics apply). Rejects: a missing or unknown method, options of the wrong type or out of range, background rows of the wrong width, a tree_evaluator that is not a boolean, a target the model lacks, no background for KernelSHAP/permutation/LIME when the version has no reference.json, more than 256 rows (16 images), non-finite values, more than 50,000,000 model rows in all (400); a method the model cannot do, e.g. a non-tabular model or TreeSHAP on a TorchScript model (422 explanation_unsupported); an unknown model (404); a body over max_upload (413).",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "`name` or `name@alias`."
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      },
      "description": "With a job: a repeated submission by the same caller returns the first job (200)."
     },
     {
      "name": "Inference-Header-Content-Length",
      "in": "header",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 9007199254740991
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object"
       }
      },
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The explanation (or, with an Idempotency-Key, the job that key already created).",
      "content": {
       "application/json": {
        "schema": {
         "oneOf": [
          {
           "$ref": "#/components/schemas/ExplainAnswer"
          },
          {
           "$ref": "#/components/schemas/JobAccepted"
          }
         ]
        }
       }
      }
     },
     "202": {
      "description": "Queued as an `explain` job (Location: /v1/jobs/{id}); the job's result is an ExplainAnswer.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobAccepted"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "422": {
      "$ref": "#/components/responses/ExplanationUnsupported"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/models/{model}/versions/{version}/explain": {
   "post": {
    "operationId": "explainModelVersion",
    "summary": "Explain a model's predictions: TreeSHAP, KernelSHAP, LIME or permutation for tabular models, Grad-CAM for image classifiers; one explanation per input row.",
    "description": "The body is a V2 inference request (`inputs` as for POST /v2/models/{model}/infer, JSON or the binary extension) whose `parameters` choose the explanation: `method` (required): `tree_shap` (XGBoost: exact TreeSHAP from pred_contribs, log-odds), `kernel_shap` (model-agnostic Shapley values: coalitions enumerated by size while the budget covers a size, the rest sampled with the Shapley kernel, a constrained weighted regression; as shap.KernelExplainer with l1_reg=0), `lime` (lime_tabular's defaults: quartile bins from the training rows, samples drawn bin by bin, kernel √exp(−d²/w²) with w = 0.75·√features, ridge surrogate), `permutation` (each feature replaced by the background's values in turn: f(x) − E[f(x with xⱼ ← bⱼ)]), `grad_cam` (TorchScript image classifiers, one FP32 input [-1, C, H, W] and one output [-1, classes]: Grad-CAM through the module's `(logits, feature_map)` method — `metadata.grad_cam_method`, default `logits_and_features` — or a gradient saliency map when it has none; `target` picks the class, default each image's predicted class; at most 16 images); what a version supports is `explain_methods` in GET /v1/models/{model}. Options: `samples` (2…100000; KernelSHAP default 2·M + 2048, LIME 5000), `seed` (default 0; the same seed gives the same answer), `background` (rows the caller sends; else the version's reference.json, summarised to `background_size` rows, default 100, by `background_summary`: `kmeans` (default for the reference, as shap.kmeans), `sample`, `all` (default for rows sent)), `background_weights`, `num_features` (LIME, default 10), `feature_selection` (LIME: auto, forward_selection, highest_weights, none), `target` (output column index or label; default the only column, else the class predicted for the first row), `tree_evaluator` (KernelSHAP on an XGBoost JSON model, default true: coalition values from the model's own trees, used only when they agree with XGBoost to 1e-5 on the instance and background rows; false: every row through XGBoost), `job` (true: run as an `explain` job; default: a job when the work exceeds 2,000,000 model rows). Model rows are evaluated through the model's scheduler in chunks of 16384 (queue bound and metrics apply). Rejects: a missing or unknown method, options of the wrong type or out of range, background rows of the wrong width, a tree_evaluator that is not a boolean, a target the model lacks, no background for KernelSHAP/permutation/LIME when the version has no reference.json, more than 256 rows (16 images), non-finite values, more than 50,000,000 model rows in all (400); a method the model cannot do, e.g. a non-tabular model or TreeSHAP on a TorchScript model (422 explanation_unsupported); an unknown model (404); a body over max_upload (413).",
    "parameters": [
     {
      "name": "model",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "`name` or `name@alias`."
     },
     {
      "name": "version",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^([1-9][0-9]{0,8}|[A-Za-z][A-Za-z0-9_-]{0,63})$"
      },
      "description": "A version number or an alias."
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
      },
      "description": "With a job: a repeated submission by the same caller returns the first job (200)."
     },
     {
      "name": "Inference-Header-Content-Length",
      "in": "header",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 9007199254740991
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object"
       }
      },
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The explanation (or, with an Idempotency-Key, the job that key already created).",
      "content": {
       "application/json": {
        "schema": {
         "oneOf": [
          {
           "$ref": "#/components/schemas/ExplainAnswer"
          },
          {
           "$ref": "#/components/schemas/JobAccepted"
          }
         ]
        }
       }
      }
     },
     "202": {
      "description": "Queued as an `explain` job (Location: /v1/jobs/{id}); the job's result is an ExplainAnswer.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobAccepted"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "422": {
      "$ref": "#/components/responses/ExplanationUnsupported"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/jobs": {
   "get": {
    "operationId": "listJobs",
    "summary": "Jobs, newest first: the caller's own, or all for admins.",
    "parameters": [
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "queued",
        "running",
        "succeeded",
        "failed",
        "cancelled"
       ]
      }
     },
     {
      "name": "kind",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 500,
       "default": 50
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "A page of jobs.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/JobList"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/jobs/{id}": {
   "get": {
    "operationId": "getJob",
    "summary": "One job. Another caller's job is 404.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The job.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "delete": {
    "operationId": "deleteJob",
    "summary": "Delete a finished job and the blobs only it referenced.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Deleted."
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/jobs/{id}/cancel": {
   "post": {
    "operationId": "cancelJob",
    "summary": "Cancel: a queued job ends at once, a running one stops cooperatively. 409 once the job has ended.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The job after the request.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/jobs/{id}/result": {
   "get": {
    "operationId": "getJobResult",
    "summary": "The result of a succeeded job: for inference jobs the V2 response (JSON, or binary with Inference-Header-Content-Length). 409 before it has succeeded.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The result.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       },
       "application/octet-stream": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/jobs/{id}/events": {
   "get": {
    "operationId": "jobEvents",
    "summary": "Server-Sent Events: the current state first, then every change (state, progress, result); the stream ends after the terminal event.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "An event stream; each event's data is a JobEvent.",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "object",
         "description": "One server-sent event: `event` is the JobEvent type, `data` a JobEvent as JSON.",
         "properties": {
          "event": {
           "type": "string",
           "enum": [
            "state",
            "progress",
            "log",
            "result"
           ]
          },
          "data": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/feedback": {
   "get": {
    "operationId": "listFeedback",
    "tags": [
     "Feedback"
    ],
    "summary": "Reviews of any app's predictions, newest first (a reviewing role).",
    "description": "Rejects: a `decision` other than confirm/correct/correct_mask/note, a `limit` outside 1…1000 (400); a caller without a reviewing role (admin, reviewer, or a role an installed app marks as reviewing) (403).",
    "parameters": [
     {
      "name": "model",
      "in": "query",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "decision",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "confirm",
        "correct",
        "correct_mask",
        "note"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 100
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Reviews with their predictions.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "reviews": {
           "type": "array",
           "items": {
            "$ref": "#/components/schemas/Review"
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/datasets/from-feedback": {
   "post": {
    "operationId": "exportFeedbackDataset",
    "tags": [
     "Feedback"
    ],
    "summary": "Export reviewed predictions as the next version of a labelled dataset.",
    "description": "A reviewing role (admin, reviewer, or a role an installed app marks as reviewing). Every reviewed prediction (optionally of one `model` and/or `task`) becomes a case labelled by its latest review: the predicted label when confirmed, the reviewer's when corrected. The case list (prediction, task, model and version, de-identified input blob, label, decision, reviewer, notes) is stored as a JSON manifest; the dataset keeps the manifest and the input blobs referenced. Each export of a name adds a version. Rejects: a bad name (1–100 of letters, digits, `.`, `_`, `-`), no reviewed predictions matching, more than 100000 matching reviews (400); a caller without a reviewing role (403); a concurrent export that took the same version (409).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "name"
        ],
        "properties": {
         "name": {
          "type": "string",
          "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
         },
         "model": {
          "type": "string"
         },
         "task": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The new dataset version.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackDataset"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/datasets/{name}/versions/{version}": {
   "get": {
    "operationId": "getFeedbackDataset",
    "tags": [
     "Feedback"
    ],
    "summary": "The manifest of one dataset version: the summary fields plus `items`, one per case.",
    "description": "A reviewing role (admin, reviewer, or a role an installed app marks as reviewing). Rejects: a version that is not a positive integer (400); an unknown name or version (404).",
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "version",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[1-9][0-9]{0,8}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The manifest.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/feedback/{prediction_id}": {
   "post": {
    "operationId": "reviewPrediction",
    "tags": [
     "Feedback"
    ],
    "summary": "Review any app's stored prediction (a reviewing role).",
    "description": "`confirm` keeps the predicted label; `correct` needs `label` (one of the model's labels when the prediction lists them); `note` needs `notes` and gives no verdict (datasets skip it). A corrected mask is uploaded at the app's own review route (imaging: POST /predict/{prediction_id}/review, multipart). Rejects: an unknown decision, `correct_mask` here (no mask), a correction without a label or with a label the model does not have, a confirmation or note with a different label, a note without notes, notes over 4000 characters (400); a caller without a reviewing role (403); an unknown prediction (404); a body that is not JSON (415).",
    "parameters": [
     {
      "name": "prediction_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "decision"
        ],
        "properties": {
         "decision": {
          "type": "string",
          "enum": [
           "confirm",
           "correct",
           "note"
          ]
         },
         "label": {
          "type": "string"
         },
         "notes": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     },
     "201": {
      "description": "The stored review.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Review"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key (kiln_…) or a JWT (HS256/ES256) with claims sub, role, exp."
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error",
     "request_id"
    ],
    "additionalProperties": false,
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message",
       "details"
      ],
      "additionalProperties": false,
      "properties": {
       "code": {
        "type": "string",
        "enum": [
         "invalid_argument",
         "unauthenticated",
         "permission_denied",
         "not_found",
         "conflict",
         "payload_too_large",
         "unsupported_media_type",
         "rate_limited",
         "unavailable",
         "deadline_exceeded",
         "undecodable_image",
         "internal"
        ],
        "description": "The platform's codes; the server replaces this list with every code it registers (the installed apps' too)."
       },
       "message": {
        "type": "string"
       },
       "details": {
        "type": "object"
       }
      }
     },
     "request_id": {
      "type": "string"
     }
    }
   },
   "Status": {
    "type": "object",
    "required": [
     "status"
    ],
    "properties": {
     "status": {
      "type": "string"
     },
     "reason": {
      "type": "string",
      "description": "Why the server is not ready (GET /ready)."
     },
     "free_bytes": {
      "type": "integer",
      "description": "Free bytes on the data directory's volume (GET /ready); under min_free_space the server is not ready."
     }
    }
   },
   "Role": {
    "type": "string",
    "enum": [
     "admin",
     "user",
     "service"
    ]
   },
   "Key": {
    "type": "object",
    "required": [
     "id",
     "name",
     "role",
     "created_at"
    ],
    "properties": {
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "$ref": "#/components/schemas/Role"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "revoked_at": {
      "type": "string",
      "format": "date-time"
     }
    }
   },
   "KeyList": {
    "type": "object",
    "required": [
     "keys"
    ],
    "properties": {
     "keys": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Key"
      }
     }
    }
   },
   "CreateKeyRequest": {
    "type": "object",
    "required": [
     "role"
    ],
    "properties": {
     "role": {
      "$ref": "#/components/schemas/Role"
     },
     "name": {
      "type": [
       "string",
       "null"
      ],
      "minLength": 1,
      "maxLength": 100,
      "description": "Absent or null: the key is named after its id.",
      "pattern": "^[^\\x00-\\x1f\\x85\\u2028\\u2029]*[^\\s\\x00-\\x1f\\x85\\u2028\\u2029][^\\x00-\\x1f\\x85\\u2028\\u2029]*$"
     }
    }
   },
   "CreatedKey": {
    "type": "object",
    "required": [
     "id",
     "name",
     "role",
     "created_at",
     "key"
    ],
    "properties": {
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "$ref": "#/components/schemas/Role"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "key": {
      "type": "string",
      "description": "The secret. Shown only here."
     }
    }
   },
   "AuditEntry": {
    "type": "object",
    "required": [
     "id",
     "at",
     "actor",
     "action",
     "target",
     "details"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "actor": {
      "type": "string"
     },
     "action": {
      "type": "string"
     },
     "target": {
      "type": "string"
     },
     "details": {
      "type": "object"
     }
    }
   },
   "AuditPage": {
    "type": "object",
    "required": [
     "entries"
    ],
    "properties": {
     "entries": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/AuditEntry"
      }
     },
     "next_before": {
      "type": "integer"
     }
    }
   },
   "UploadedBlob": {
    "type": "object",
    "required": [
     "sha256",
     "size",
     "created"
    ],
    "properties": {
     "sha256": {
      "type": "string",
      "pattern": "^[0-9a-f]{64}$"
     },
     "size": {
      "type": "integer",
      "minimum": 0
     },
     "created": {
      "type": "boolean"
     }
    }
   },
   "ModelVersion": {
    "type": "object",
    "required": [
     "version",
     "state"
    ],
    "properties": {
     "version": {
      "type": "integer"
     },
     "state": {
      "type": "string",
      "enum": [
       "READY",
       "UNAVAILABLE"
      ]
     },
     "artifact_bytes": {
      "type": "integer"
     },
     "memory_bytes": {
      "type": "integer",
      "description": "What model_memory_budget counts for this loaded version: the larger of its artifact's size and the resident memory its load added."
     },
     "last_used": {
      "type": "string",
      "format": "date-time"
     },
     "explain_methods": {
      "type": "array",
      "items": {
       "type": "string",
       "enum": [
        "tree_shap",
        "kernel_shap",
        "lime",
        "permutation",
        "grad_cam"
       ]
      },
      "description": "What POST /v1/models/{model}/explain can do with this version (loaded versions only)."
     },
     "reference_rows": {
      "type": "integer",
      "description": "Rows in the version's reference.json (training rows for explanations), when it ships one."
     }
    }
   },
   "Model": {
    "type": "object",
    "required": [
     "name",
     "state",
     "versions",
     "aliases"
    ],
    "properties": {
     "name": {
      "type": "string"
     },
     "state": {
      "type": "string",
      "enum": [
       "READY",
       "UNAVAILABLE"
      ]
     },
     "reason": {
      "type": "string",
      "description": "Why the model is unavailable."
     },
     "platform": {
      "type": "string",
      "enum": [
       "pytorch_libtorch",
       "xgboost"
      ]
     },
     "versions": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ModelVersion"
      }
     },
     "aliases": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     }
    }
   },
   "ModelList": {
    "type": "object",
    "required": [
     "models"
    ],
    "properties": {
     "models": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Model"
      }
     }
    }
   },
   "SetAliasRequest": {
    "type": "object",
    "required": [
     "alias",
     "version"
    ],
    "properties": {
     "alias": {
      "type": "string",
      "pattern": "^[A-Za-z][A-Za-z0-9_-]{0,63}$"
     },
     "version": {
      "type": "integer",
      "minimum": 1,
      "maximum": 2147483647
     }
    }
   },
   "UploadedVersion": {
    "type": "object",
    "required": [
     "name",
     "version",
     "model"
    ],
    "properties": {
     "name": {
      "type": "string"
     },
     "version": {
      "type": "integer"
     },
     "model": {
      "$ref": "#/components/schemas/Model"
     }
    }
   },
   "JobAccepted": {
    "type": "object",
    "required": [
     "job_id",
     "state"
    ],
    "properties": {
     "job_id": {
      "type": "string"
     },
     "state": {
      "type": "string"
     }
    }
   },
   "Job": {
    "type": "object",
    "required": [
     "id",
     "kind",
     "state",
     "progress",
     "result_blobs",
     "attempts",
     "max_attempts",
     "priority",
     "owner",
     "created_at"
    ],
    "properties": {
     "id": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "state": {
      "type": "string",
      "enum": [
       "queued",
       "running",
       "succeeded",
       "failed",
       "cancelled"
      ]
     },
     "progress": {
      "type": "number",
      "minimum": 0,
      "maximum": 1
     },
     "progress_message": {
      "type": "string"
     },
     "result": {},
     "result_blobs": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       }
      }
     },
     "attempts": {
      "type": "integer"
     },
     "max_attempts": {
      "type": "integer"
     },
     "priority": {
      "type": "integer"
     },
     "owner": {
      "type": "string"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "started_at": {
      "type": "string",
      "format": "date-time"
     },
     "finished_at": {
      "type": "string",
      "format": "date-time"
     }
    }
   },
   "JobList": {
    "type": "object",
    "required": [
     "jobs"
    ],
    "properties": {
     "jobs": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Job"
      }
     },
     "next_cursor": {
      "type": "string"
     }
    }
   },
   "JobEvent": {
    "type": "object",
    "required": [
     "type",
     "job_id"
    ],
    "properties": {
     "type": {
      "type": "string",
      "enum": [
       "state",
       "progress",
       "log",
       "result"
      ]
     },
     "job_id": {
      "type": "string"
     },
     "state": {
      "type": "string"
     },
     "progress": {
      "type": "number"
     },
     "message": {
      "type": "string"
     },
     "error_code": {
      "type": "string"
     },
     "result": {}
    }
   },
   "Review": {
    "type": "object",
    "required": [
     "review_id",
     "prediction_id",
     "decision",
     "label"
    ],
    "properties": {
     "review_id": {
      "type": "string"
     },
     "prediction_id": {
      "type": "string"
     },
     "task": {
      "type": "string"
     },
     "model": {
      "type": "object",
      "properties": {
       "name": {
        "type": "string"
       },
       "version": {
        "type": "integer"
       }
      }
     },
     "predicted_label": {
      "type": "string"
     },
     "decision": {
      "type": "string",
      "enum": [
       "confirm",
       "correct",
       "correct_mask",
       "note"
      ]
     },
     "label": {
      "type": "string"
     },
     "notes": {
      "type": [
       "string",
       "null"
      ]
     },
     "reviewer": {
      "type": "string"
     },
     "input_sha256": {
      "type": [
       "string",
       "null"
      ]
     },
     "reviewed_at": {
      "type": "string"
     },
     "mask_sha256": {
      "type": [
       "string",
       "null"
      ],
      "description": "The corrected mask of a correct_mask review (a blob)."
     }
    }
   },
   "FeedbackDataset": {
    "type": "object",
    "required": [
     "name",
     "version",
     "cases",
     "labels",
     "manifest_sha256",
     "manifest_url"
    ],
    "properties": {
     "name": {
      "type": "string"
     },
     "version": {
      "type": "integer"
     },
     "cases": {
      "type": "integer"
     },
     "labels": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     },
     "filter": {
      "type": "object"
     },
     "created_by": {
      "type": "string"
     },
     "created_at": {
      "type": "string"
     },
     "manifest_sha256": {
      "type": "string"
     },
     "manifest_url": {
      "type": "string"
     }
    }
   },
   "ExplainAnswer": {
    "type": "object",
    "required": [
     "model_name",
     "model_version",
     "method",
     "parameters",
     "output",
     "feature_names",
     "explanations"
    ],
    "properties": {
     "model_name": {
      "type": "string"
     },
     "model_version": {
      "type": "string"
     },
     "method": {
      "type": "string",
      "enum": [
       "tree_shap",
       "kernel_shap",
       "lime",
       "permutation",
       "grad_cam"
      ]
     },
     "parameters": {
      "type": "object",
      "description": "Every parameter that shaped the result: samples (coalitions or LIME samples), seed, background (`reference` or `request`), background_summary (`kmeans`, `sample`, `all`), background_rows, num_features, feature_selection, kernel_width.",
      "properties": {
       "samples": {
        "type": "integer"
       },
       "seed": {
        "type": "integer"
       },
       "background": {
        "type": "string"
       },
       "background_summary": {
        "type": "string"
       },
       "background_rows": {
        "type": "integer"
       },
       "num_features": {
        "type": "integer"
       },
       "feature_selection": {
        "type": "string"
       },
       "kernel_width": {
        "type": "number"
       },
       "evaluator": {
        "type": "string",
        "enum": [
         "trees",
         "model"
        ],
        "description": "KernelSHAP: how the coalitions were evaluated."
       }
      }
     },
     "output": {
      "type": "object",
      "required": [
       "name",
       "index",
       "space"
      ],
      "properties": {
       "name": {
        "type": "string"
       },
       "index": {
        "type": "integer",
        "description": "The output column explained."
       },
       "label": {
        "type": "string"
       },
       "space": {
        "type": "string",
        "enum": [
         "output",
         "margin",
         "probability"
        ],
        "description": "`margin`: TreeSHAP explains the raw log-odds; `output`: the model's output as served (a probability for the demo models); `probability`: grad_cam, the class probability (softmax of the scores unless they already are a distribution)."
       }
      }
     },
     "feature_names": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "explanations": {
      "type": "array",
      "description": "One per input row, in order.",
      "items": {
       "type": "object",
       "required": [
        "prediction",
        "top"
       ],
       "properties": {
        "prediction": {
         "type": "number",
         "description": "The model's value for the row, in `output.space`."
        },
        "base_value": {
         "type": "number",
         "description": "SHAP: E[f(background)]; LIME: the surrogate's intercept; permutation: the prediction; absent for grad_cam."
        },
        "values": {
         "type": "array",
         "items": {
          "type": "number"
         },
         "description": "SHAP and permutation: one value per feature, in feature_names order. SHAP: base_value + Σ values = prediction."
        },
        "top": {
         "type": "array",
         "items": {
          "type": "object",
          "required": [
           "feature",
           "index",
           "weight"
          ],
          "properties": {
           "feature": {
            "type": "string"
           },
           "index": {
            "type": "integer"
           },
           "condition": {
            "type": "string",
            "description": "LIME: the instance's bin the weight belongs to, as lime names it (`2.50 < age <= 4.00`)."
           },
           "weight": {
            "type": "number"
           }
          }
         },
         "description": "Features by |weight|, largest first (LIME: the selected features and their surrogate weights)."
        },
        "additivity_error": {
         "type": "number",
         "description": "SHAP: |base_value + Σ values − prediction|."
        },
        "fit_error": {
         "type": "number",
         "description": "KernelSHAP: weighted RMS error of the additive model over the sampled coalitions; LIME: 1 − r2."
        },
        "r2": {
         "type": "number",
         "description": "LIME: the ridge surrogate's weighted R² on its samples."
        },
        "local_prediction": {
         "type": "number",
         "description": "LIME: the surrogate at the instance."
        },
        "heatmap": {
         "type": "object",
         "required": [
          "method",
          "width",
          "height",
          "values"
         ],
         "description": "grad_cam: the map over the image, 0…1 with its peak at 1.",
         "properties": {
          "method": {
           "type": "string",
           "enum": [
            "grad-cam",
            "saliency"
           ],
           "description": "`saliency` (largest |gradient| over the input's channels) when the module has no `(logits, feature_map)` method."
          },
          "width": {
           "type": "integer"
          },
          "height": {
           "type": "integer"
          },
          "values": {
           "type": "array",
           "items": {
            "type": "array",
            "items": {
             "type": "number"
            }
           },
           "description": "Rows, top to bottom: the feature map's resolution for Grad-CAM, the input's for saliency."
          }
         }
        }
       }
      }
     }
    }
   }
  },
  "responses": {
   "Error": {
    "description": "An error in the standard shape.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "InvalidArgument": {
    "description": "invalid_argument: the request is malformed.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Unauthenticated": {
    "description": "unauthenticated: missing, invalid or revoked credentials.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "PermissionDenied": {
    "description": "permission_denied: the caller's role may not do this.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "NotFound": {
    "description": "not_found.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Conflict": {
    "description": "conflict: the resource is not in a state that allows this.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "PayloadTooLarge": {
    "description": "payload_too_large: body over the configured limit.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "UnsupportedMediaType": {
    "description": "unsupported_media_type: wrong Content-Type.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "RateLimited": {
    "description": "rate_limited: too many requests; see the Retry-After header.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "ExplanationUnsupported": {
    "description": "The model cannot be explained with this method (`explanation_unsupported`); `details.supported` lists the methods it can.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  }
 },
 "tags": [
  {
   "name": "Feedback",
   "description": "The platform's feedback store: every app's predictions kept for review, reviews (confirm, correct a label, correct a mask, note) by reviewing roles (admin, reviewer, and roles installed apps mark as reviewing), and labelled datasets made from them."
  }
 ]
}
"""#
}
