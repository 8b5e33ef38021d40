/// The OpenAPI 3.1 description of Kiln's native endpoints, served at `/openapi.json`.
/// Kept true by the schemathesis run in `tests/system/test_openapi.py`: update it with every endpoint.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Kiln native API",
  "version": "0.1.0",
  "description": "Kiln's own endpoints. Every endpoint except /health, /ready and /metrics requires `Authorization: Bearer <API key or JWT>`. Errors share one shape (components.schemas.Error). The Open Inference Protocol surface (/v2) follows KServe V2 and Triton's extensions and is documented in the README; it uses the error shape {\"error\": \"message\"}. The CTR app's routes (/api/upload, /api/train, …, tag 'CTR app') use the native error shape. The MLflow-compatible surface (/api/2.0/mlflow, /api/2.0/mlflow-artifacts) follows MLflow's REST API and is documented in the README. WebSockets (not modelled here): /ws/jobs/{id} (job events), /ws/training/{run_id} (CTR training: state, epoch_update, log, training_complete|training_failed), /ws/performance?run_id= (CTR: metrics_update, system_health, performance_alert)."
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
    "summary": "Store reachable and migrations applied.",
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
       "minimum": 1
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
    "description": "Rejects: a body larger than max_upload (413). Identical content is stored once (200 instead of 201).",
    "requestBody": {
     "required": true,
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
    "description": "multipart/form-data with `artifact` (a .pt TorchScript file, or .json/.ubj XGBoost model) and, optionally, `config` (JSON; required for a new model, otherwise an override for this version). Rejects: another media type (415); a missing or unknown artifact type, an invalid config, or an artifact that does not load (400); a body over max_upload (413).",
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
       "minimum": 0
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
  "/api/upload": {
   "post": {
    "operationId": "ctrUpload",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app (seed 003): upload a CSV table for training.",
    "description": "multipart/form-data with the CSV in `file` (UTF-8, comma-separated, a header row; the target column is `clicked`). The file is streamed to the blob store and parsed once. A table with problems is still stored: `validation.errors` lists them (missing target, non-binary target, non-numeric columns, duplicate or empty headers, ragged rows, missing target values), each with its line (`row`, 1-based, the header is line 1) and `column`; empty feature values are `warnings`. `columns` is the list of column names (the seed names it twice; as JSON the list wins), `column_count` their number. Rejects: another media type (415); no `file` part, an empty file, a file that is not UTF-8 or has an unterminated quote (400); a body over max_upload (413).",
    "requestBody": {
     "required": true,
     "content": {
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "required": [
         "file"
        ],
        "properties": {
         "file": {
          "type": "string",
          "format": "binary"
         },
         "mapping": {
          "type": "string",
          "format": "binary",
          "description": "Optional CSV with the header feature,description (UTF-8), e.g. Korean feature names; used as each feature's description in the reports."
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Stored and parsed.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CTRUpload"
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
     }
    }
   }
  },
  "/api/train": {
   "post": {
    "operationId": "ctrTrain",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: start training on an uploaded file (a durable `ctr.train` job and a tracking run).",
    "description": "The answer's `run_id` is an MLflow-compatible run in the experiment `ctr`. Training: stratified 80/20 split (seed 42), clicks weighted by negatives/positives, per-epoch metrics train_loss, val_loss, train_accuracy, val_accuracy, val_auc. The trained model is registered as `config.model_name` (default `ctr_<model>`) and served. Rejects: unknown `file_id` (404); a file that did not pass validation, `config.model` other than `lstm` (default) or `xgboost`, epochs outside 1–2000, learning_rate outside (0, 1], max_depth outside 1–16 (400); another media type (415).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CTRTrainRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Queued.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CTRTrainStarted"
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
     }
    }
   }
  },
  "/api/train/status/{run_id}": {
   "get": {
    "operationId": "ctrTrainStatus",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: a training run's state, epoch and latest metrics.",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The run.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CTRTrainStatus"
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
  "/api/train/runs": {
   "get": {
    "operationId": "ctrTrainRuns",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: every training run, newest first.",
    "responses": {
     "200": {
      "description": "The runs.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CTRRunList"
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
  "/api/report/feature-importance/{run_id}": {
   "get": {
    "operationId": "ctrFeatureImportance",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: feature importance of a finished run, most important first.",
    "description": "importance: the feature's share of the model's total split gain (sums to 1); ci: 95% percentile bootstrap interval of that share, resampling the model's trees (1000 resamples, fixed seed); pValue: two-sided Mann-Whitney U test of the feature between clicked and not-clicked rows (normal approximation, tie-corrected); test names the test. Rejects: unknown run (404); a run that has not finished (409).",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The features.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CTRFeatureImportance"
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
  "/api/report/correlation/{run_id}": {
   "get": {
    "operationId": "ctrCorrelation",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: Pearson correlation among the k most important features of a finished run.",
    "description": "Pearson's r over rows where both features are present; 0 for a constant feature. Rejects: k not an integer or below 2 (400); unknown run (404); a run that has not finished (409).",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "k",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 2,
       "default": 10
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The matrix.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CTRCorrelation"
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
  "/api/report/ai/{run_id}": {
   "get": {
    "operationId": "ctrAIReport",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: the AI report of a finished run.",
    "description": "Numbers computed from the run by the formulas in the README (accuracy, lift of the top decile by predicted CTR, roiIncrease = (lift−1)×100, additionalClicks = monthly impressions × CTR × (lift−1), additionalRevenue = additionalClicks × click value). summary/aiInsights/actionPlan are written by the configured LLM (narrativeSource llm:MODEL) or by templates (template:ko|en). Rejects: lang other than ko/en (400); unknown run (404); unfinished run (409).",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "lang",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "ko",
        "en"
       ],
       "default": "ko"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The report.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "summary",
          "accuracy",
          "roiIncrease",
          "additionalRevenue",
          "topFeatures",
          "aiInsights",
          "actionPlan",
          "narrativeSource"
         ],
         "properties": {
          "summary": {
           "type": "string"
          },
          "accuracy": {
           "type": "number"
          },
          "roiIncrease": {
           "type": "number"
          },
          "additionalRevenue": {
           "type": "number"
          },
          "topFeatures": {
           "type": "array"
          },
          "aiInsights": {
           "type": "array",
           "items": {
            "type": "string"
           }
          },
          "actionPlan": {
           "type": "array",
           "items": {
            "type": "string"
           }
          },
          "narrativeSource": {
           "type": "string"
          }
         }
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
  "/api/performance/{run_id}": {
   "get": {
    "operationId": "ctrPerformance",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: validation quality of a finished run and its served model's latency.",
    "description": "accuracy, precision, recall, f1_score, auc and log_loss on the validation rows; response_time is the p50 (ms) of the served model version's last ≤1024 requests (queue + compute), null until it has served one. Rejects: unknown run (404); unfinished run (409).",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The figures.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "accuracy",
          "precision",
          "recall",
          "f1_score",
          "auc",
          "response_time"
         ],
         "properties": {
          "accuracy": {
           "type": "number"
          },
          "precision": {
           "type": "number"
          },
          "recall": {
           "type": "number"
          },
          "f1_score": {
           "type": "number"
          },
          "auc": {
           "type": "number"
          },
          "response_time": {
           "type": [
            "number",
            "null"
           ]
          }
         }
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
  "/api/dashboard/si": {
   "get": {
    "operationId": "ctrOperatorDashboard",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: operator view — runs, jobs, models, latency, error rate, CPU, memory.",
    "responses": {
     "200": {
      "description": "The dashboard.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "runs",
          "jobs",
          "models",
          "latency",
          "system"
         ]
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
  "/api/dashboard/client": {
   "get": {
    "operationId": "ctrClientDashboard",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: business view of the newest finished run — CTR, lift by decile, ROI.",
    "description": "run_id is null (with a message) before any training has finished.",
    "responses": {
     "200": {
      "description": "The dashboard.",
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
  "/api/health": {
   "get": {
    "operationId": "ctrHealth",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: alive (the seed's health path; authenticated like every /api route).",
    "responses": {
     "200": {
      "description": "Alive.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "status": {
           "type": "string"
          }
         }
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
  "/api/report/generate-pdf/{run_id}": {
   "post": {
    "operationId": "ctrGeneratePDF",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: render the report as PDF (a job).",
    "description": "Starts a ctr.report_pdf job (cairo + pango, Noto Sans CJK). Body optional. Rejects: lang other than ko/en or a malformed body (400); unknown run (404); unfinished run (409); a body that is not application/json (415).",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "includeCharts": {
          "type": "boolean",
          "default": true
         },
         "includeInsights": {
          "type": "boolean",
          "default": true
         },
         "includeActionPlan": {
          "type": "boolean",
          "default": true
         },
         "lang": {
          "type": "string",
          "enum": [
           "ko",
           "en"
          ],
          "default": "ko"
         }
        }
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "The job was queued.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "pdf_url",
          "status",
          "job_id"
         ],
         "properties": {
          "pdf_url": {
           "type": "string"
          },
          "status": {
           "type": "string"
          },
          "job_id": {
           "type": "string"
          },
          "status_url": {
           "type": "string"
          }
         }
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
     "409": {
      "$ref": "#/components/responses/Conflict"
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
     }
    }
   }
  },
  "/api/report/pdf/{run_id}": {
   "get": {
    "operationId": "ctrPDF",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: the newest rendered PDF of a run.",
    "description": "Rejects: unknown run or no PDF generated yet (404); the first PDF still rendering, or its job failed (409).",
    "parameters": [
     {
      "name": "run_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The PDF.",
      "content": {
       "application/pdf": {
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
  "/predict/biomarker_prediction": {
   "post": {
    "operationId": "imagingBiomarkerPrediction",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: biomarker prediction with TreeSHAP contributions (seed 000 path).",
    "description": "Predicts with an XGBoost binary classifier (default `biomarker_classifier@production`, the demo model trained by `kiln train imaging-demo`; DEMO, not for clinical use) and explains it with TreeSHAP: `base_value` + Σ `contribution` = `margin` (log-odds of the second label). The answer is kept under `prediction_id` (input: the features as a JSON blob) for clinician review and feedback datasets. Rejects: missing or unknown features (400, `details.missing`/`details.unknown`), values that are not finite numbers (400), a model that is not XGBoost or lists no `metadata.features` (400), an unknown model or alias (404), another media type (415).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "features"
        ],
        "properties": {
         "features": {
          "type": "object",
          "additionalProperties": {
           "type": "number"
          },
          "description": "Every feature the model lists, by name (the demo: the 30 Wisconsin breast-cancer features as scikit-learn names them)."
         },
         "model": {
          "type": "string",
          "description": "`name` or `name@alias`."
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The prediction and its explanation.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "prediction_id",
          "model",
          "prediction",
          "probability",
          "shap"
         ],
         "properties": {
          "prediction_id": {
           "type": "string",
           "description": "The kept prediction (its features as a JSON blob and the model version); review it at `POST /predict/{prediction_id}/review`."
          },
          "model": {
           "type": "object",
           "properties": {
            "name": {
             "type": "string"
            },
            "version": {
             "type": "integer"
            },
            "demo": {
             "type": "boolean"
            },
            "notice": {
             "type": "string"
            }
           }
          },
          "prediction": {
           "type": "string"
          },
          "probability": {
           "type": "number"
          },
          "probabilities": {
           "type": "object",
           "additionalProperties": {
            "type": "number"
           }
          },
          "shap": {
           "type": "object",
           "properties": {
            "base_value": {
             "type": "number"
            },
            "margin": {
             "type": "number"
            },
            "output": {
             "type": "string"
            },
            "contributions": {
             "type": "array",
             "items": {
              "type": "object",
              "properties": {
               "feature": {
                "type": "string"
               },
               "value": {
                "type": "number"
               },
               "contribution": {
                "type": "number"
               }
              }
             }
            }
           }
          },
          "processing_time_ms": {
           "type": "number"
          }
         }
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
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
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
  "/predict/ct_classification": {
   "post": {
    "operationId": "imagingCTClassification",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: classify one CT slice and explain it with Grad-CAM (seed 000 path).",
    "description": "Multipart upload of a DICOM file (uncompressed, RLE, JPEG baseline/lossless, JPEG-LS; multi-frame files use the middle frame unless `frame` is given) or a PNG/JPEG slice. DICOM values are rescaled to modality units (HU for CT), windowed (default: the model's window, abdomen 40/400 for the demo), MONOCHROME1 inverted, resized to the model's input and classified by a TorchScript model (default `ct_classifier@production`, the DEMO model trained by `kiln train imaging-demo`; not for clinical use). The heatmap is Grad-CAM through the model's `(logits, feature_map)` method (config `metadata.gradcam_method`, default `logits_and_features`), or a gradient saliency map when the model has none. The prediction is stored with its model version and the de-identified input (DICOM PS3.15 basic profile) for review. Rejects: no `file` part, an unexpected file field, a bad `window`, `frame` or `return_heatmap`, a model that is not TorchScript or whose labels do not match its output (400); a file that is not DICOM/PNG/JPEG (422 `not_dicom`), a truncated DICOM file (422 `dicom_truncated`), a transfer syntax Kiln cannot decode such as JPEG 2000 (422 `unsupported_transfer_syntax`), a file without a decodable image (422 `undecodable_image`); an unknown model or alias (404); a body over `max_upload` (413).",
    "requestBody": {
     "required": true,
     "content": {
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "required": [
         "file"
        ],
        "properties": {
         "file": {
          "type": "string",
          "format": "binary",
          "description": "DICOM file, PNG or JPEG."
         },
         "window": {
          "type": "string",
          "description": "`brain`, `lung`, `abdomen`, `bone`, or `center,width` in HU."
         },
         "return_heatmap": {
          "type": "string",
          "enum": [
           "true",
           "false"
          ],
          "default": "true"
         },
         "model": {
          "type": "string",
          "description": "`name` or `name@alias`."
         },
         "frame": {
          "type": "string",
          "description": "0-based frame of a multi-frame file."
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The classification, its Grad-CAM heatmap and the input's facts.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "prediction_id",
          "model",
          "prediction",
          "confidence",
          "probabilities",
          "input",
          "processing_time_ms"
         ],
         "properties": {
          "prediction_id": {
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
            },
            "demo": {
             "type": "boolean"
            },
            "notice": {
             "type": "string"
            }
           }
          },
          "prediction": {
           "type": "string"
          },
          "confidence": {
           "type": "number"
          },
          "probabilities": {
           "type": "object",
           "additionalProperties": {
            "type": "number"
           }
          },
          "input": {
           "type": "object",
           "description": "kind (dicom/png/jpeg), modality, rows, columns, pixel_spacing_mm, frames, frame, window, photometric_interpretation, inverted, transfer_syntax, model_input."
          },
          "heatmap": {
           "type": "object",
           "properties": {
            "method": {
             "type": "string",
             "enum": [
              "grad-cam",
              "saliency"
             ]
            },
            "class": {
             "type": "string"
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
             }
            },
            "peak": {
             "type": [
              "object",
              "null"
             ],
             "description": "Where the map, upsampled to the model input, is highest; null when the map is empty (nothing in the image raises the explained class's score, e.g. the demo model's `no_lesion`, whose logit is constant)."
            },
            "overlay_png_base64": {
             "type": "string"
            },
            "note": {
             "type": "string"
            }
           }
          },
          "processing_time_ms": {
           "type": "object",
           "additionalProperties": {
            "type": "number"
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
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "422": {
      "$ref": "#/components/responses/UnprocessableImage"
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
  "/predict/{prediction_id}/review": {
   "post": {
    "operationId": "imagingReview",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: a clinician confirms or corrects a stored prediction (role clinician or admin).",
    "description": "Stores the verdict against the prediction (which keeps its model version and de-identified input). `confirm` keeps the predicted label; `correct` needs `label`, one of the model's labels. Rejects: a decision other than confirm/correct, a correction without a label or with a label the model does not have, a confirmation with a different label, notes over 4000 characters (400); a caller without role clinician or admin (403); an unknown prediction (404).",
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
           "correct"
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
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
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
  "/v1/feedback": {
   "get": {
    "operationId": "listFeedback",
    "tags": [
     "Imaging app"
    ],
    "summary": "Clinician reviews, newest first (role clinician or admin).",
    "description": "Rejects: a `decision` other than confirm/correct, a `limit` outside 1…1000 (400); a caller without role clinician or admin (403).",
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
        "correct"
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
  "/predict/mri_segmentation": {
   "post": {
    "operationId": "imagingMRISegmentation",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: segment an MR volume as an asynchronous job (seed 000 path).",
    "description": "Multipart upload of a NIfTI-1 volume (`.nii` or `.nii.gz`, either byte order; uint8/int8/int16/uint16/int32/uint32/float32/float64; a 4-D file uses its first volume) or a zip of one DICOM series (single-frame images, stored or deflated; stacked along the slice normal by `ImagePositionPatient`, with rescale applied; the mask then has the series' geometry, LPS converted to RAS; non-DICOM files and DICOM files without an image, such as a DICOMDIR, are skipped). The file is checked and the model resolved before anything is queued; the job (kind `imaging.mri_segmentation`) then normalises intensities (1st–99.5th percentile), resamples to the model's grid (demo: 64³), runs the TorchScript segmenter (default `mri_segmenter@production`, the DEMO 3-D U-Net trained by `kiln train imaging-demo`; not for clinical use), resamples the tumour probability back to the input's grid, thresholds it and drops specks. Poll `status_url`, or stream `/v1/jobs/{id}/events`. An `Idempotency-Key` header makes a resubmission return the first task (200). Rejects: no `file` part or an unexpected file field, a model that is not TorchScript or has an invalid `metadata.preprocessing.grid` (400); a file that is not NIfTI-1 or is truncated (422 `not_nifti`), NIfTI-2, a .hdr/.img pair or complex/RGB data (422 `unsupported_nifti`); a zip that cannot be read — cut short, corrupt, CRC mismatch, encrypted, ZIP64, another compression method (422 `invalid_zip`); a zip without exactly one usable series — no images, one image, several series, multi-frame images, mixed sizes or orientations, missing plane attributes, duplicate positions or uneven slice gaps (422 `invalid_dicom_series`); an undecodable DICOM image in it (422 with the DICOM code and the file's name); an unknown model or alias (404); a body over `max_upload` or a volume over 512³ voxels or a zip that unpacks to more than 1 GiB (413).",
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 200
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
         "file"
        ],
        "properties": {
         "file": {
          "type": "string",
          "format": "binary",
          "description": "NIfTI-1 volume (.nii or .nii.gz), or a zip of one DICOM series."
         },
         "model": {
          "type": "string",
          "description": "`name` or `name@alias`."
         }
        }
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "Queued.",
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
        }
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SegmentationTaskAccepted"
        }
       }
      }
     },
     "200": {
      "description": "The task an earlier request with the same Idempotency-Key created.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SegmentationTaskAccepted"
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
     "422": {
      "$ref": "#/components/responses/UnprocessableVolume"
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
  "/predict/task_status/{task_id}": {
   "get": {
    "operationId": "imagingTaskStatus",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: state, progress and result of a segmentation task (seed 000 path).",
    "description": "Visible to the task's submitter and to admins. Rejects: an unknown task, or one of another caller (404).",
    "parameters": [
     {
      "name": "task_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The task.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SegmentationTask"
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
  "/predict/task_status/{task_id}/mask": {
   "get": {
    "operationId": "imagingTaskMask",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: download a finished segmentation's mask.",
    "description": "The label mask as NIfTI-1 (.nii.gz, uint8, intent LABEL) with the input's header geometry: dimensions, pixdim, qform, sform. Rejects: an unknown or foreign task (404); a task that has not succeeded (409).",
    "parameters": [
     {
      "name": "task_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The label mask as NIfTI-1 (.nii.gz, uint8, intent LABEL) with the input's header geometry: dimensions, pixdim, qform, sform.",
      "content": {
       "application/gzip": {
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
  "/predict/task_status/{task_id}/preview": {
   "get": {
    "operationId": "imagingTaskPreview",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: download a finished segmentation's preview.",
    "description": "The preview: one axial slice with the lesion outlined in red. Rejects: an unknown or foreign task (404); a task that has not succeeded (409).",
    "parameters": [
     {
      "name": "task_id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The preview: one axial slice with the lesion outlined in red.",
      "content": {
       "image/png": {
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
  "/v1/datasets/from-feedback": {
   "post": {
    "operationId": "exportFeedbackDataset",
    "tags": [
     "Imaging app"
    ],
    "summary": "Export reviewed predictions as the next version of a labelled dataset.",
    "description": "Role `clinician` or `admin`. Every reviewed prediction (optionally of one `model` and/or `task`) becomes a case labelled by its latest review: the predicted label when confirmed, the clinician's when corrected. The case list (prediction, task, model and version, de-identified input blob, label, decision, reviewer, notes) is stored as a JSON manifest; the dataset keeps the manifest and the input blobs referenced. Each export of a name adds a version. Rejects: a bad name (1–100 of letters, digits, `.`, `_`, `-`), no reviewed predictions matching, more than 100000 matching reviews (400); a role other than clinician/admin (403); a concurrent export that took the same version (409).",
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
     "Imaging app"
    ],
    "summary": "The manifest of one dataset version: the summary fields plus `items`, one per case.",
    "description": "Role `clinician` or `admin`. Rejects: a version that is not a positive integer (400); an unknown name or version (404).",
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
       "type": "string"
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
         "not_dicom",
         "dicom_truncated",
         "unsupported_transfer_syntax",
         "undecodable_image",
         "not_nifti",
         "unsupported_nifti",
         "internal",
         "invalid_zip",
         "invalid_dicom_series"
        ]
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
      "type": "string",
      "minLength": 1,
      "maxLength": 100
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
     "last_used": {
      "type": "string",
      "format": "date-time"
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
      "minimum": 1
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
   "CTRProblem": {
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
     },
     "row": {
      "type": "integer"
     },
     "column": {
      "type": "string"
     },
     "count": {
      "type": "integer"
     }
    }
   },
   "CTRUpload": {
    "type": "object",
    "required": [
     "file_id",
     "filename",
     "rows",
     "column_count",
     "columns",
     "validation",
     "info",
     "preview"
    ],
    "properties": {
     "file_id": {
      "type": "string"
     },
     "filename": {
      "type": "string"
     },
     "rows": {
      "type": "integer"
     },
     "column_count": {
      "type": "integer"
     },
     "columns": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "validation": {
      "type": "object",
      "required": [
       "isValid",
       "errors",
       "warnings"
      ],
      "properties": {
       "isValid": {
        "type": "boolean"
       },
       "errors": {
        "type": "array",
        "items": {
         "$ref": "#/components/schemas/CTRProblem"
        }
       },
       "warnings": {
        "type": "array",
        "items": {
         "$ref": "#/components/schemas/CTRProblem"
        }
       }
      }
     },
     "info": {
      "type": "object",
      "required": [
       "totalRows",
       "clickedOne",
       "ctr"
      ],
      "properties": {
       "totalRows": {
        "type": "integer"
       },
       "clickedOne": {
        "type": "integer"
       },
       "ctr": {
        "type": "number",
        "description": "percent of rows with clicked = 1"
       }
      }
     },
     "preview": {
      "type": "array",
      "maxItems": 10,
      "items": {
       "type": "object"
      }
     }
    }
   },
   "CTRTrainRequest": {
    "type": "object",
    "required": [
     "file_id"
    ],
    "properties": {
     "file_id": {
      "type": "string"
     },
     "config": {
      "type": "object",
      "properties": {
       "epochs": {
        "type": "integer"
       },
       "batch_size": {
        "type": "integer"
       },
       "learning_rate": {
        "type": "number"
       },
       "lstm_hidden": {
        "type": "integer"
       },
       "mlp_hidden": {
        "type": "array",
        "items": {
         "type": "integer"
        }
       },
       "dropout": {
        "type": "number"
       },
       "model": {
        "type": "string",
        "enum": [
         "xgboost",
         "lstm"
        ],
        "description": "lstm (default: the seed's TabularSeqModel, trained in libtorch) or xgboost."
       },
       "max_depth": {
        "type": "integer"
       },
       "early_stopping_rounds": {
        "type": "integer"
       },
       "model_name": {
        "type": "string"
       },
       "seed": {
        "type": "integer",
        "minimum": 0,
        "description": "Seed for initial weights, batch order and dropout (default 42)."
       }
      }
     }
    }
   },
   "CTRTrainStarted": {
    "type": "object",
    "required": [
     "run_id",
     "status"
    ],
    "properties": {
     "run_id": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "training"
      ]
     }
    }
   },
   "CTRTrainStatus": {
    "type": "object",
    "required": [
     "run_id",
     "status",
     "current_epoch",
     "total_epochs",
     "metrics"
    ],
    "properties": {
     "run_id": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "training",
       "completed",
       "failed"
      ]
     },
     "current_epoch": {
      "type": "integer"
     },
     "total_epochs": {
      "type": "integer"
     },
     "metrics": {
      "type": "object",
      "additionalProperties": {
       "type": "number"
      }
     },
     "model_name": {
      "type": "string"
     },
     "model_version": {
      "type": "string"
     },
     "error": {
      "type": "string"
     }
    }
   },
   "CTRRunList": {
    "type": "array",
    "items": {
     "type": "object",
     "required": [
      "run_id",
      "created_at",
      "status",
      "accuracy",
      "file_id"
     ],
     "properties": {
      "run_id": {
       "type": "string"
      },
      "created_at": {
       "type": "string",
       "format": "date-time"
      },
      "status": {
       "type": "string",
       "enum": [
        "training",
        "completed",
        "failed"
       ]
      },
      "accuracy": {
       "type": [
        "number",
        "null"
       ]
      },
      "file_id": {
       "type": "string"
      },
      "model": {
       "type": "string"
      }
     }
    }
   },
   "CTRFeatureImportance": {
    "type": "array",
    "items": {
     "type": "object",
     "required": [
      "feature",
      "importance",
      "pValue",
      "ci",
      "description"
     ],
     "properties": {
      "feature": {
       "type": "string"
      },
      "importance": {
       "type": "number"
      },
      "pValue": {
       "type": "number"
      },
      "ci": {
       "type": "array",
       "items": {
        "type": "number"
       },
       "minItems": 2,
       "maxItems": 2
      },
      "description": {
       "type": "string"
      },
      "test": {
       "type": "string"
      }
     }
    }
   },
   "CTRCorrelation": {
    "type": "object",
    "required": [
     "features",
     "matrix"
    ],
    "properties": {
     "features": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "matrix": {
      "type": "array",
      "items": {
       "type": "array",
       "items": {
        "type": "number"
       }
      }
     }
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
       "correct"
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
     }
    }
   },
   "SegmentationTaskAccepted": {
    "type": "object",
    "required": [
     "task_id",
     "status",
     "status_url",
     "events_url"
    ],
    "properties": {
     "task_id": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "queued",
       "running",
       "succeeded",
       "failed",
       "cancelled"
      ]
     },
     "status_url": {
      "type": "string"
     },
     "events_url": {
      "type": "string"
     }
    }
   },
   "SegmentationTask": {
    "type": "object",
    "required": [
     "task_id",
     "status",
     "progress",
     "result",
     "error"
    ],
    "properties": {
     "task_id": {
      "type": "string"
     },
     "status": {
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
      "type": "number"
     },
     "progress_message": {
      "type": [
       "string",
       "null"
      ]
     },
     "created_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "started_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "result": {
      "type": [
       "object",
       "null"
      ],
      "description": "Once succeeded: model {name, version, demo, notice}, input {filename, dimensions, spacing_mm, orientation (nibabel axis codes), datatype, volumes}, labels [{label, name, voxels, volume_ml}], lesion_bounding_box {min_voxel, max_voxel, size_mm} or null, preview_slice (the axial slice with the most lesion voxels, else the middle one), processing_time_ms, mask_url, preview_url, mask_blob, preview_blob."
     },
     "error": {
      "type": [
       "object",
       "null"
      ],
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       }
      }
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
   "UnprocessableImage": {
    "description": "not_dicom, dicom_truncated, unsupported_transfer_syntax or undecodable_image: the uploaded image cannot be used.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "UnprocessableVolume": {
    "description": "not_nifti or unsupported_nifti: the uploaded volume cannot be used.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  }
 }
}
"""#
}
