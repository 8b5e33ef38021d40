/// The learning loop's part of `/openapi.json` (retraining, schedules, feedback statistics,
/// Label Studio exchange), merged into the native document like an app's fragment.
enum LearningLoopOpenAPI {
    static let fragment = #"""
{
 "paths": {
  "/v1/retraining": {
   "post": {
    "operationId": "startRetraining",
    "tags": [
     "Retraining"
    ],
    "summary": "Retrain a model from its reviews; promote the candidate only if it beats the serving version.",
    "description": "Admin only. Queues a `retraining` job: the model's reviews are frozen as the next version of the dataset `<model>-retraining` (or the given `dataset` is used); cases are split by a hash of each prediction id into a fixed evaluation part (`evaluation_fraction`, default 0.3; a case held out once is held out in every later retraining) and a training part; the model's registered trainer trains a candidate from the version `alias` (default `production`) points at; both are scored on the held-out reviewed cases and on the trainer's original held-out data, with 95 % paired-bootstrap intervals; the candidate is installed as a new version with the record in `metadata.retraining`, and the alias moves only if the candidate is better by `policy.min_improvement` (default 0.02), its improvement's interval lies above 0 (`require_significant`, default true), at least `min_evaluation_cases` (20) were held out, and it is no worse on the original held-out data than `max_regression` (0.02). Every retraining is a tracking run in experiment `kiln-retraining/<model>` (MLflow API). Promotions and refusals are audited (`model.promoted`, `model.promotion_refused`). The models an installed app registers a trainer for are retrainable (a 404 lists them in `details.retrainable_models`). An `Idempotency-Key` header returns the first job again. Rejects: a model without a trainer or without a version (404), a bad alias, `evaluation_fraction` outside (0, 1), epochs outside 1–200, learning_rate outside (0, 1], a seed above 2^53 − 1, a bad policy, a non-positive dataset version (400); a caller who is not admin (403). The job fails with `no_reviews` when the model has no reviews and `no_training_cases` when none falls in the training split.",
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
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "model"
        ],
        "properties": {
         "model": {
          "type": "string"
         },
         "alias": {
          "type": "string"
         },
         "dataset": {
          "type": "object",
          "required": [
           "name",
           "version"
          ],
          "properties": {
           "name": {
            "type": "string"
           },
           "version": {
            "type": "integer",
            "maximum": 2147483647
           }
          }
         },
         "options": {
          "type": "object",
          "properties": {
           "epochs": {
            "type": "integer",
            "minimum": 1,
            "maximum": 200
           },
           "learning_rate": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1
           },
           "seed": {
            "type": "integer",
            "minimum": 0,
            "maximum": 9007199254740991
           }
          }
         },
         "policy": {
          "type": "object",
          "properties": {
           "min_improvement": {
            "type": "number"
           },
           "max_regression": {
            "type": "number"
           },
           "require_significant": {
            "type": "boolean"
           },
           "min_evaluation_cases": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100000
           }
          }
         },
         "evaluation_fraction": {
          "type": "number",
          "exclusiveMinimum": 0,
          "exclusiveMaximum": 1
         },
         "promote": {
          "type": "boolean"
         }
        }
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "The queued retraining (as GET /v1/retraining/{id} shows it).",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      },
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
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
   },
   "get": {
    "operationId": "listRetrainings",
    "tags": [
     "Retraining"
    ],
    "summary": "Retrainings, newest first, with their decisions.",
    "description": "A reviewing role. `model` filters; `limit` 1–500 (default 50). Rejects: a bad limit (400).",
    "parameters": [
     {
      "name": "model",
      "in": "query",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 500
      }
     }
    ],
    "responses": {
     "200": {
      "description": "`{retrainings: [...]}`",
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
  "/v1/retraining/{id}": {
   "get": {
    "operationId": "getRetraining",
    "tags": [
     "Retraining"
    ],
    "summary": "One retraining: state, progress, and once done its evaluation and decision.",
    "description": "A reviewing role. The result holds `dataset` (name, version, manifest hash), `evaluation.feedback` and `evaluation.original` (metric, cases, serving/candidate/difference with `ci95`, the split's or set's hash), `decision` (`promoted`, `reasons`, `checks`), `candidate_version`, `run_id`. Rejects: an unknown id (404).",
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
      "description": "The retraining.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
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
  "/v1/schedules": {
   "post": {
    "operationId": "createSchedule",
    "tags": [
     "Schedules"
    ],
    "summary": "Schedule a job: cron-like or after N new reviews.",
    "description": "Admin only. `trigger` is `{\"cron\": \"daily@03:00\"}` (also `hourly`, `daily`, `weekly`, `weekly@mon`…, `monthly`, or five cron fields in UTC) or `{\"reviews\": 5, \"model\": \"ct_classifier\"}` (fires each time the model's reviews, notes excluded, have grown by 5 since the last firing; `model` defaults to `parameters.model`). `kind` is a job kind; `retraining` takes a POST /v1/retraining body as `parameters`. Schedules are stored, survive restarts, and fire once per period with several workers or nodes (idempotency key per period, compare-and-set). Rejects: a bad cron or count, an unknown job kind or counter, parameters the kind refuses, a name over 200 characters (400); a caller who is not admin (403); a retraining of a model without a trainer (404).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "name",
         "kind",
         "trigger"
        ],
        "properties": {
         "name": {
          "type": "string"
         },
         "kind": {
          "type": "string"
         },
         "parameters": {
          "type": "object"
         },
         "trigger": {
          "type": "object",
          "properties": {
           "cron": {
            "type": "string"
           },
           "reviews": {
            "type": "integer"
           },
           "model": {
            "type": "string"
           }
          }
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The schedule.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      },
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
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
   },
   "get": {
    "operationId": "listSchedules",
    "tags": [
     "Schedules"
    ],
    "summary": "Every schedule.",
    "description": "Admin only.",
    "responses": {
     "200": {
      "description": "`{schedules: [...]}`",
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
  "/v1/schedules/{id}": {
   "get": {
    "operationId": "getSchedule",
    "tags": [
     "Schedules"
    ],
    "summary": "One schedule: trigger, next firing, times fired, last job.",
    "description": "Admin only. Rejects: an unknown id (404).",
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
      "description": "The schedule.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
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
   },
   "delete": {
    "operationId": "deleteSchedule",
    "tags": [
     "Schedules"
    ],
    "summary": "Delete a schedule (jobs it submitted stay).",
    "description": "Admin only. Rejects: an unknown id (404).",
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
  "/v1/schedules/{id}/pause": {
   "post": {
    "operationId": "pauseSchedule",
    "tags": [
     "Schedules"
    ],
    "summary": "Pause a schedule.",
    "description": "Admin only. Rejects: an unknown id (404).",
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
      "description": "The schedule.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
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
  "/v1/schedules/{id}/resume": {
   "post": {
    "operationId": "resumeSchedule",
    "tags": [
     "Schedules"
    ],
    "summary": "Resume a schedule from now.",
    "description": "Admin only. A cron schedule fires at its next period after now; a reviews schedule counts reviews from now. Rejects: an unknown id (404).",
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
      "description": "The schedule.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
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
  "/v1/models/{model}/feedback-stats": {
   "get": {
    "operationId": "feedbackStats",
    "tags": [
     "Feedback"
    ],
    "summary": "Agreement between the model and its reviewers over time, per class and per version.",
    "description": "A reviewing role. Each reviewed prediction counts once, by its latest verdict (notes excluded); it agrees when confirmed. `by_period` per UTC day or ISO week (`bucket`), `by_class` per predicted label with the reviewers' labels, `by_model_version`. A model without reviews answers zero counts. Rejects: a bucket other than day or week (400).",
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
      "name": "bucket",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "day",
        "week"
       ]
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The statistics.",
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
  "/v1/feedback/label-studio/tasks": {
   "get": {
    "operationId": "labelStudioTasks",
    "tags": [
     "Feedback"
    ],
    "summary": "The model's stored predictions as a Label Studio task import, the prediction as pre-annotation.",
    "description": "A reviewing role. Newest first, up to `limit` (1–5000, default 500); `unreviewed=true` keeps predictions without a review. `data.image` is a data URI of PNG/JPEG inputs (null for DICOM inputs), `data.features_text` the features of tabular ones; `data.kiln_prediction_id` names the prediction; `predictions[0].result` is the model's choice. Rejects: no `model`, a bad limit or `unreviewed` (400).",
    "parameters": [
     {
      "name": "model",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 5000
      }
     },
     {
      "name": "unreviewed",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The tasks.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object"
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
  "/v1/feedback/label-studio/config": {
   "get": {
    "operationId": "labelStudioConfig",
    "tags": [
     "Feedback"
    ],
    "summary": "The Label Studio labeling config for the model's tasks.",
    "description": "A reviewing role. Single choices named `label` over `image` (or `features`), one per model label. Rejects: no `model` (400); a model without stored predictions (404).",
    "parameters": [
     {
      "name": "model",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The config.",
      "content": {
       "application/xml": {
        "schema": {
         "type": "string"
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
  "/v1/feedback/label-studio/import": {
   "post": {
    "operationId": "labelStudioImport",
    "tags": [
     "Feedback"
    ],
    "summary": "Read Label Studio's JSON export back as reviews.",
    "description": "A reviewing role. For each task with `data.kiln_prediction_id`, its newest annotation that was not cancelled decides: the predicted label → confirm, another of the model's labels → correct; the reviewer is `label-studio:<annotator email or user id>`. An unchanged verdict by the same annotator is skipped (re-importing adds nothing). Tasks without a prediction id, annotation or valid label are listed in `skipped`. Rejects: a body that is not a JSON array of objects, more than 20000 tasks (400); another media type (415).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "array",
        "items": {
         "type": "object"
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "`{imported, unchanged, skipped, reviews}`",
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
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
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
 "tags": [
  {
   "name": "Retraining",
   "description": "The closed learning loop: reviews → candidate → evaluated on the same held-out data → promoted only if better."
  },
  {
   "name": "Schedules",
   "description": "Cron and after-N-reviews triggers for retraining or any job kind."
  }
 ],
 "components": {}
}
"""#
}
