// The C interface of Kiln's libtorch plugin (libKilnTorch.so).
//
// Linking libtorch into the server costs ~150 MiB of RSS and ~0.5 s of start-up (its static
// initialisers), so the plugin is loaded with dlopen only when the first TorchScript model is.
// The plugin exports one symbol, `ctorch_get_api`, returning this table. No C++ exception
// crosses it: every fallible call fills a `ctorch_error`.
#ifndef CTORCH_API_H
#define CTORCH_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTORCH_MAX_DIMS 8
#define CTORCH_MESSAGE_SIZE 1024

typedef enum {
  CTORCH_OK = 0,
  CTORCH_INVALID_ARGUMENT = 1,  // bad input: dtype, shape, arity
  CTORCH_LOAD_FAILED = 2,       // the file is not a loadable TorchScript module
  CTORCH_RUNTIME_ERROR = 3,     // forward threw
  CTORCH_UNSUPPORTED = 4        // an output type Kiln cannot return
} ctorch_status;

typedef struct {
  int32_t code;  // a ctorch_status
  char message[CTORCH_MESSAGE_SIZE];
} ctorch_error;

// Scalar types, matching the Open Inference Protocol's numeric datatypes that libtorch has.
typedef enum {
  CTORCH_BOOL = 0,
  CTORCH_UINT8 = 1,
  CTORCH_INT8 = 2,
  CTORCH_INT16 = 3,
  CTORCH_INT32 = 4,
  CTORCH_INT64 = 5,
  CTORCH_FP16 = 6,
  CTORCH_FP32 = 7,
  CTORCH_FP64 = 8
} ctorch_dtype;

// A dense, contiguous, little-endian tensor. For inputs `data` is borrowed from the caller for
// the duration of the call (no copy); for outputs it points into memory owned by the
// `ctorch_outputs` it came from.
typedef struct {
  int32_t dtype;  // a ctorch_dtype
  int32_t ndim;
  int64_t shape[CTORCH_MAX_DIMS];
  const void *data;
  int64_t nbytes;
} ctorch_tensor;

typedef struct ctorch_module ctorch_module;
typedef struct ctorch_outputs ctorch_outputs;
typedef struct ctorch_optimizer ctorch_optimizer;

// How `run_method` runs: without autograd (serving), or with it (a method that calls
// torch.autograd.grad itself, e.g. Grad-CAM). Results are detached either way.
typedef enum {
  CTORCH_MODE_INFERENCE = 0,
  CTORCH_MODE_AUTOGRAD = 1
} ctorch_run_mode;

typedef struct {
  const char *(*version)(void);
  // at::show_config(): build flags, BLAS, OpenMP. The string lives as long as the plugin.
  const char *(*build_config)(void);
  void (*set_num_threads)(int32_t threads);
  int32_t (*get_num_threads)(void);

  ctorch_module *(*load)(const char *path, ctorch_error *error);
  void (*free_module)(ctorch_module *module);
  // Number of arguments of `forward`, not counting `self`; -1 on error.
  int32_t (*forward_arity)(ctorch_module *module, ctorch_error *error);
  // Runs forward in inference mode. Tensor, tuple and list results become outputs in order.
  ctorch_outputs *(*forward)(ctorch_module *module, const ctorch_tensor *inputs, int32_t count, ctorch_error *error);
  int32_t (*outputs_count)(const ctorch_outputs *outputs);
  int32_t (*outputs_get)(const ctorch_outputs *outputs, int32_t index, ctorch_tensor *tensor);
  void (*free_outputs)(ctorch_outputs *outputs);

  // GFLOP/s of an n×n FP32 matmul, for `kiln doctor`.
  double (*matmul_gflops)(int32_t n, int32_t iterations);

  // --- Training. Kiln's own models are TorchScript modules built from source text: Swift
  // registers the parameters (initialised with its seeded generator), `define` compiles the
  // methods, Adam trains them through a method that returns the loss, and `save` writes a file
  // that `load` (and Python's torch.jit.load) reads back. The module starts in training mode.
  ctorch_module *(*create_module)(const char *class_name, ctorch_error *error);
  // Copies `value` into the module as a parameter (trainable) or a buffer (e.g. normalisation).
  int32_t (*register_tensor)(ctorch_module *module, const char *name, const ctorch_tensor *value, int32_t trainable, ctorch_error *error);
  int32_t (*define)(ctorch_module *module, const char *source, ctorch_error *error);
  void (*set_training)(ctorch_module *module, int32_t training);
  // Runs any method; outputs as for `forward`.
  ctorch_outputs *(*run_method)(ctorch_module *module, const char *method, const ctorch_tensor *inputs, int32_t count, int32_t mode, ctorch_error *error);
  ctorch_optimizer *(*create_adam)(ctorch_module *module, double learning_rate, double weight_decay, ctorch_error *error);
  void (*free_optimizer)(ctorch_optimizer *optimizer);
  // One optimisation step: zero the gradients, run `method` (which returns a scalar loss),
  // back-propagate, step. Returns the loss; NaN with `error` set on failure.
  double (*train_step)(ctorch_module *module, ctorch_optimizer *optimizer, const char *method, const ctorch_tensor *inputs, int32_t count, ctorch_error *error);
  int32_t (*save)(ctorch_module *module, const char *path, ctorch_error *error);
  // Seeds libtorch's generator (dropout masks).
  void (*manual_seed)(uint64_t seed);

  // --- Explanations. 1 when the module has a method of that name.
  int32_t (*has_method)(ctorch_module *module, const char *method);
  // Grad-CAM and saliency: runs `method` on one input (batch of 1) with autograd, takes its
  // first output as logits [1, C] and differentiates logits[0, class_index] (the arg-max when
  // class_index < 0) with respect to its second output, a feature map [1, K, h, w] — or, when the
  // method returns only logits, with respect to the input. Outputs, detached: the logits, the
  // differentiated tensor and its gradient.
  ctorch_outputs *(*class_gradient)(ctorch_module *module, const char *method, const ctorch_tensor *input, int32_t class_index, ctorch_error *error);
} ctorch_api;

typedef const ctorch_api *(*ctorch_get_api_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
