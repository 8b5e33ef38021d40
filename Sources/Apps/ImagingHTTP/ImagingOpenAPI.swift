/// The imaging app's fragment of the OpenAPI document: its /predict/... paths, its tag
/// ("Imaging app") and the components only those paths use. Merged into the native
/// document (`NativeOpenAPI`) at server start by `OpenAPIMerge`; `$ref`s to shared components
/// (`Error`, `Review`, the standard error responses) resolve there.
/// Kept true by the schemathesis run in `system-tests/test_openapi.py`: update it with every endpoint.
enum ImagingOpenAPI {
    static let fragment = #"""
{
 "paths": {
  "/predict/biomarker_prediction": {
   "post": {
    "operationId": "imagingBiomarkerPrediction",
    "tags": [
     "Imaging app"
    ],
    "summary": "Imaging app: biomarker prediction with its explanation — TreeSHAP, KernelSHAP or LIME (seed 000 path).",
    "description": "Predicts with a tabular binary classifier (default `biomarker_classifier@production`, the XGBoost demo model trained by `kiln train imaging-demo`, which ships its training rows as reference.json; DEMO, not for clinical use) and explains the prediction with `method`: `tree_shap` (XGBoost models, their default): `shap.base_value` + Σ `contribution` = `shap.margin` (log-odds of the second label); `kernel_shap` (any tabular model, the default for non-XGBoost ones): KernelSHAP on the probability of the second label over 100 k-means rows of the version's reference.json, 2·M + 2048 coalitions, seed 0: `shap.base_value` + Σ `contribution` = `shap.prediction`; `lime` (any tabular model): the `lime` block holds the top 10 `weights` (each with the instance's bin as `condition`), the intercept as `base_value`, the surrogate's `r2` and `local_prediction`. The answer, explanation included (also as `explanation`), is kept under `prediction_id` (input: the features as a JSON blob) for clinician review; GET /v1/feedback shows the explanation with each review. Rejects: missing or unknown features (400, `details.missing`/`details.unknown`), values that are not finite numbers (400), an unknown method (400), a model that lists no `metadata.features` (400), a method the model cannot do — tree_shap on a non-XGBoost model, a non-tabular model, kernel_shap/lime without a reference.json (422 `explanation_unsupported` or 400) —, an unknown model or alias (404), another media type (415).",
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
         },
         "method": {
          "type": "string",
          "enum": [
           "tree_shap",
           "kernel_shap",
           "lime"
          ],
          "description": "The explanation; default tree_shap for XGBoost models, kernel_shap otherwise."
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
          "probability"
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
           },
           "description": "tree_shap and kernel_shap: the SHAP block (`method` says which)."
          },
          "processing_time_ms": {
           "type": "number"
          },
          "lime": {
           "type": "object",
           "description": "lime: the LIME block."
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
     },
     "422": {
      "description": "explanation_unsupported: the model cannot be explained with this method.",
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
          "description": "0-based frame of a multi-frame file.",
          "pattern": "^[0-9]{1,9}$"
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
    "summary": "Imaging app: a reviewer confirms, corrects or annotates a stored prediction, or uploads a corrected segmentation mask (a reviewing role: clinician, reviewer or admin).",
    "description": "Stores the verdict against the prediction (which keeps its model version and de-identified input). JSON: `confirm` keeps the predicted label; `correct` needs `label`, one of the model's labels; `note` needs `notes`. Multipart (`file` = the corrected mask, a NIfTI label volume of the segmented volume's dimensions; optional `notes`) stores a `correct_mask` review of an MRI segmentation (the prediction_id in its task result). Rejects: an unknown decision, a correction without a label or with a label the model does not have, a confirmation with a different label, notes over 4000 characters, a mask for a prediction that is not a segmentation, a mask of other dimensions or with values that are not whole numbers 0–255 (400); a caller without a reviewing role (403); an unknown prediction (404); a mask that is not NIfTI (422).",
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
      },
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
     },
     "422": {
      "$ref": "#/components/responses/UnprocessableVolume"
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
  }
 },
 "tags": [
  {
   "name": "Imaging app",
   "description": "The imaging app's routes (/predict/...: CT classification, biomarker prediction, MRI segmentation and clinician review). They require the bearer token like every native endpoint and use the native error shape (components.schemas.Error)."
  }
 ],
 "components": {
  "schemas": {
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
      "description": "Once succeeded: model {name, version, demo, notice}, input {filename, dimensions, spacing_mm, orientation (nibabel axis codes), datatype, volumes}, labels [{label, name, voxels, volume_ml}], lesion_bounding_box {min_voxel, max_voxel, size_mm} or null, preview_slice (the axial slice with the most lesion voxels, else the middle one), processing_time_ms, mask_url, preview_url, mask_blob, preview_blob, prediction_id (the segmentation kept for review)."
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
   }
  },
  "responses": {
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
