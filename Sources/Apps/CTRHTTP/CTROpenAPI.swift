/// The CTR app's fragment of the OpenAPI document: its /api/... paths, its tag ("CTR app")
/// and the components only those paths use. Merged into the native document
/// (`NativeOpenAPI`) at server start by `OpenAPIMerge`; `$ref`s to shared components
/// (`Error`, the standard error responses) resolve there.
/// Kept true by the schemathesis run in `system-tests/test_openapi.py`: update it with every endpoint.
enum CTROpenAPI {
    static let fragment = #"""
{
 "paths": {
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
    "description": "The answer's `run_id` is an MLflow-compatible run in the experiment `ctr`. Training: stratified 80/20 split (seed 42), clicks weighted by negatives/positives, per-epoch metrics train_loss, val_loss, train_accuracy, val_accuracy, val_auc. The trained model is registered as `config.model_name` (default `ctr_<model>`) and served. Rejects: unknown `file_id` (404); a file that did not pass validation, `config.model` other than `lstm` (default) or `xgboost`, epochs outside 1–2000, learning_rate outside (0, 1], max_depth outside 1–16, early_stopping_rounds outside 1–2000, batch_size outside 1–65536, lstm_hidden outside 1–1024, more than 8 mlp_hidden widths or one outside 1–4096, dropout outside [0, 1), a seed above 2^53 − 1 (400); another media type (415).",
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
    "description": "`importance` depends on `method` (each entry's `measure` says which, `method` describes it): `gain` (XGBoost runs, the default for them): the feature's share of the model's total split gain — non-negative, sums to 1 — with ci a 95% percentile bootstrap over the ensemble's trees (1000 resamples); `permutation` (LSTM runs, the default for them): the rise in validation log loss when the feature is shuffled — it does not sum to 1 and can be ≤ 0 for a feature the model ignores — with ci a percentile bootstrap over rows; `shap` (every run): mean |SHAP value| over validation rows — exact TreeSHAP in log-odds for XGBoost runs (up to 2000 rows), KernelSHAP in click probability for LSTM runs (16 rows, 256 coalitions, 10 sampled background rows) — with ci a percentile bootstrap over rows. pValue: two-sided Mann-Whitney U test of the feature between clicked and not-clicked rows (normal approximation, tie-corrected; `test`); welchPValue: Welch's t-test on the same groups; is_significant: pValue < 0.05 / number of features (Bonferroni; `significance` states the rule); these three are null for runs analysed before they existed. Rejects: a method the run does not have (400); unknown run (404); a run that has not finished (409).",
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
      "name": "method",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "gain",
        "permutation",
        "shap"
       ]
      },
      "description": "The importance measure; default the trainer's own (gain for XGBoost, permutation for the LSTM)."
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
  "/api/report/correlation/{run_id}": {
   "get": {
    "operationId": "ctrCorrelation",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: Pearson correlation among the k most important features of a finished run.",
    "description": "Pearson's r over rows where both features are present; 0 for a constant feature. Rejects: k not an integer between 2 and 1000 (400); unknown run (404); a run that has not finished (409).",
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
       "default": 10,
       "maximum": 1000
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
    "summary": "CTR app: alive (the seed's health path; answers without credentials, as the seed's frontend polls it before logging in).",
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
     "default": {
      "$ref": "#/components/responses/Error"
     }
    },
    "security": []
   }
  },
  "/api/report/generate-pdf/{run_id}": {
   "post": {
    "operationId": "ctrGeneratePDF",
    "tags": [
     "CTR app"
    ],
    "summary": "CTR app: render the report as PDF (a job).",
    "description": "Starts a ctr.report_pdf job (cairo + pango, Noto Sans CJK) and waits for it up to ctr_pdf_wait seconds (default 15; rendering takes about a second here): 200 with status `generated` once the PDF exists, so that an immediate GET /api/report/pdf/{run_id} returns it (the seed's contract), else 202 with status `generating` and the job to poll. Body optional. Rejects: lang other than ko/en or a malformed body (400); unknown run (404); unfinished run, or a PDF job that failed (409); a body that is not application/json (415).",
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
          "type": [
           "boolean",
           "null"
          ],
          "default": true,
          "description": "null: the default"
         },
         "includeInsights": {
          "type": [
           "boolean",
           "null"
          ],
          "default": true,
          "description": "null: the default"
         },
         "includeActionPlan": {
          "type": [
           "boolean",
           "null"
          ],
          "default": true,
          "description": "null: the default"
         },
         "lang": {
          "type": [
           "string",
           "null"
          ],
          "enum": [
           "ko",
           "en",
           null
          ],
          "default": "ko",
          "description": "null: the default"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The PDF is ready (status `generated`).",
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
           "type": "string",
           "enum": [
            "generated"
           ]
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
     "202": {
      "description": "Not ready within ctr_pdf_wait: the job is still running (status `generating`).",
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
           "type": "string",
           "enum": [
            "generating"
           ]
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
  }
 },
 "tags": [
  {
   "name": "CTR app",
   "description": "The CTR app's routes (/api/upload, /api/train, …). They require credentials like every native endpoint (a bearer token, or a browser session cookie from POST /v1/sessions), except /api/health, and use the native error shape (components.schemas.Error). WebSockets (not modelled here; authenticated by the header, the session cookie, or a single-use ?ticket= from POST /v1/ws-tickets): /ws/training/{run_id}?lang=ko|en&since=N (CTR training: state, epoch_update, log, training_complete|training_failed; each event carries `seq`, and a client reconnecting with since=<last seq> gets only what it missed, never the state or the end again; `log` messages are Korean by default, English with lang=en), /ws/performance?run_id= (CTR: metrics_update, system_health, performance_alert with severity high|medium, message and metrics)."
  }
 ],
 "components": {
  "schemas": {
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
        "type": "integer",
        "minimum": 1,
        "maximum": 2000
       },
       "batch_size": {
        "type": "integer",
        "minimum": 1,
        "maximum": 65536
       },
       "learning_rate": {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 1
       },
       "lstm_hidden": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1024
       },
       "mlp_hidden": {
        "type": "array",
        "items": {
         "type": "integer",
         "minimum": 1,
         "maximum": 4096
        },
        "maxItems": 8
       },
       "dropout": {
        "type": "number",
        "minimum": 0,
        "exclusiveMaximum": 1
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
        "type": "integer",
        "minimum": 1,
        "maximum": 16
       },
       "early_stopping_rounds": {
        "type": "integer",
        "minimum": 1,
        "maximum": 2000
       },
       "model_name": {
        "type": "string"
       },
       "seed": {
        "type": "integer",
        "minimum": 0,
        "description": "Seed for initial weights, batch order and dropout (default 42).",
        "maximum": 9007199254740991
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
      "description",
      "measure",
      "method"
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
      },
      "welchPValue": {
       "type": [
        "number",
        "null"
       ],
       "description": "Welch's t-test p-value (null for runs analysed before it existed)."
      },
      "is_significant": {
       "type": [
        "boolean",
        "null"
       ],
       "description": "pValue below the Bonferroni-corrected level in `significance`."
      },
      "significance": {
       "type": [
        "string",
        "null"
       ]
      },
      "measure": {
       "type": "string",
       "enum": [
        "gain",
        "permutation",
        "shap"
       ]
      },
      "method": {
       "type": "string",
       "description": "How `importance` and `ci` were computed."
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
   }
  }
 }
}
"""#
}
