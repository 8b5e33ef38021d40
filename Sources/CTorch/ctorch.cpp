// Kiln's libtorch plugin: the C table declared in ctorch_api.h over torch::jit.
// Built as the dynamic library product KilnTorch; the only C++ in the project.
#include "ctorch_api.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/optim/adam.h>
#include <torch/script.h>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <memory>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

struct ctorch_module {
  torch::jit::Module module;
};

struct ctorch_outputs {
  std::vector<at::Tensor> tensors;
};

struct ctorch_optimizer {
  std::unique_ptr<torch::optim::Adam> adam;
};

namespace {

void set_error(ctorch_error *error, int32_t code, const char *message) {
  if (!error) return;
  error->code = code;
  std::snprintf(error->message, CTORCH_MESSAGE_SIZE, "%s", message);
}

void clear_error(ctorch_error *error) {
  if (error) {
    error->code = CTORCH_OK;
    error->message[0] = '\0';
  }
}

// What a client may read of a libtorch error. c10::Error messages carry a C++ backtrace after
// the first lines, and an error inside a scripted module comes wrapped in the TorchScript
// interpreter's traceback (the model's source and the paths it was exported from) with the
// error itself on the last line ("RuntimeError: mat1 and mat2 shapes cannot be multiplied ...").
std::string short_message(const std::exception &exception) {
  std::string text = exception.what();
  auto cut = text.find("\nException raised from");
  if (cut != std::string::npos) text.resize(cut);
  if (text.find("\nTraceback of TorchScript") != std::string::npos) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    auto last = text.rfind('\n');
    text = text.substr(last == std::string::npos ? 0 : last + 1);
    auto colon = text.find("Error: ");
    if (colon != std::string::npos && text.find(' ') > colon) text = text.substr(colon + 7);
  }
  return text;
}

bool to_scalar_type(int32_t dtype, at::ScalarType *out) {
  switch (dtype) {
    case CTORCH_BOOL: *out = at::kBool; return true;
    case CTORCH_UINT8: *out = at::kByte; return true;
    case CTORCH_INT8: *out = at::kChar; return true;
    case CTORCH_INT16: *out = at::kShort; return true;
    case CTORCH_INT32: *out = at::kInt; return true;
    case CTORCH_INT64: *out = at::kLong; return true;
    case CTORCH_FP16: *out = at::kHalf; return true;
    case CTORCH_FP32: *out = at::kFloat; return true;
    case CTORCH_FP64: *out = at::kDouble; return true;
    default: return false;
  }
}

bool from_scalar_type(at::ScalarType type, int32_t *out) {
  switch (type) {
    case at::kBool: *out = CTORCH_BOOL; return true;
    case at::kByte: *out = CTORCH_UINT8; return true;
    case at::kChar: *out = CTORCH_INT8; return true;
    case at::kShort: *out = CTORCH_INT16; return true;
    case at::kInt: *out = CTORCH_INT32; return true;
    case at::kLong: *out = CTORCH_INT64; return true;
    case at::kHalf: *out = CTORCH_FP16; return true;
    case at::kFloat: *out = CTORCH_FP32; return true;
    case at::kDouble: *out = CTORCH_FP64; return true;
    default: return false;
  }
}

// Flattens a forward() result into tensors: a tensor, or a tuple/list of tensors.
bool collect(const c10::IValue &value, std::vector<at::Tensor> &tensors) {
  if (value.isTensor()) {
    tensors.push_back(value.toTensor().detach().cpu().contiguous());
    return true;
  }
  if (value.isTuple()) {
    for (const auto &element : value.toTupleRef().elements()) {
      if (!collect(element, tensors)) return false;
    }
    return true;
  }
  if (value.isTensorList()) {
    for (const at::Tensor &tensor : value.toTensorVector()) {
      tensors.push_back(tensor.detach().cpu().contiguous());
    }
    return true;
  }
  if (value.isList()) {
    for (const auto &element : value.toListRef()) {
      if (!collect(element, tensors)) return false;
    }
    return true;
  }
  return false;
}

const char *version() { return TORCH_VERSION; }

const char *build_config() {
  static const std::string config = at::show_config();
  return config.c_str();
}

void set_num_threads(int32_t threads) {
  if (threads > 0) at::set_num_threads(threads);
}

int32_t get_num_threads() { return at::get_num_threads(); }

ctorch_module *load(const char *path, ctorch_error *error) {
  clear_error(error);
  try {
    auto *handle = new ctorch_module{torch::jit::load(path, torch::kCPU)};
    handle->module.eval();
    return handle;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_LOAD_FAILED, short_message(exception).c_str());
  } catch (...) {
    set_error(error, CTORCH_LOAD_FAILED, "unknown error while loading the module");
  }
  return nullptr;
}

void free_module(ctorch_module *module) { delete module; }

int32_t forward_arity(ctorch_module *module, ctorch_error *error) {
  clear_error(error);
  try {
    auto method = module->module.get_method("forward");
    return static_cast<int32_t>(method.function().getSchema().arguments().size()) - 1;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_LOAD_FAILED, short_message(exception).c_str());
    return -1;
  }
}

// Wraps the caller's tensors without copying. False (error set) on a bad dtype or rank.
bool borrow_inputs(const ctorch_tensor *inputs, int32_t count, std::vector<c10::IValue> &arguments, ctorch_error *error) {
  arguments.reserve(count);
  for (int32_t i = 0; i < count; ++i) {
    const ctorch_tensor &input = inputs[i];
    at::ScalarType type;
    if (!to_scalar_type(input.dtype, &type) || input.ndim < 0 || input.ndim > CTORCH_MAX_DIMS) {
      set_error(error, CTORCH_INVALID_ARGUMENT, "unsupported input dtype or rank");
      return false;
    }
    std::vector<int64_t> shape(input.shape, input.shape + input.ndim);
    arguments.emplace_back(torch::from_blob(const_cast<void *>(input.data), shape, at::TensorOptions().dtype(type)));
  }
  return true;
}

ctorch_outputs *to_outputs(const c10::IValue &result, ctorch_error *error) {
  auto *outputs = new ctorch_outputs();
  if (!collect(result, outputs->tensors)) {
    delete outputs;
    set_error(error, CTORCH_UNSUPPORTED, "the method must return a tensor or a tuple/list of tensors");
    return nullptr;
  }
  return outputs;
}

ctorch_outputs *run_method(ctorch_module *module, const char *method, const ctorch_tensor *inputs, int32_t count, int32_t mode, ctorch_error *error) {
  clear_error(error);
  try {
    std::vector<c10::IValue> arguments;
    if (!borrow_inputs(inputs, count, arguments, error)) return nullptr;
    if (mode == CTORCH_MODE_AUTOGRAD) {
      torch::AutoGradMode enabled(true);
      return to_outputs(module->module.get_method(method)(std::move(arguments)), error);
    }
    c10::InferenceMode guard(true);
    return to_outputs(module->module.get_method(method)(std::move(arguments)), error);
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_RUNTIME_ERROR, short_message(exception).c_str());
  } catch (...) {
    set_error(error, CTORCH_RUNTIME_ERROR, "unknown error in the method");
  }
  return nullptr;
}

ctorch_outputs *forward(ctorch_module *module, const ctorch_tensor *inputs, int32_t count, ctorch_error *error) {
  return run_method(module, "forward", inputs, count, CTORCH_MODE_INFERENCE, error);
}

int32_t outputs_count(const ctorch_outputs *outputs) { return static_cast<int32_t>(outputs->tensors.size()); }

int32_t outputs_get(const ctorch_outputs *outputs, int32_t index, ctorch_tensor *tensor) {
  if (index < 0 || index >= static_cast<int32_t>(outputs->tensors.size())) return CTORCH_INVALID_ARGUMENT;
  const at::Tensor &value = outputs->tensors[index];
  if (!from_scalar_type(value.scalar_type(), &tensor->dtype) || value.dim() > CTORCH_MAX_DIMS) return CTORCH_UNSUPPORTED;
  tensor->ndim = static_cast<int32_t>(value.dim());
  for (int64_t d = 0; d < value.dim(); ++d) tensor->shape[d] = value.size(d);
  tensor->data = value.data_ptr();
  tensor->nbytes = static_cast<int64_t>(value.nbytes());
  return CTORCH_OK;
}

void free_outputs(ctorch_outputs *outputs) { delete outputs; }

double matmul_gflops(int32_t n, int32_t iterations) {
  try {
    c10::InferenceMode guard(true);
    at::Tensor a = torch::rand({n, n});
    at::Tensor b = torch::rand({n, n});
    at::Tensor c = at::mm(a, b);  // warm-up
    auto start = std::chrono::steady_clock::now();
    for (int32_t i = 0; i < iterations; ++i) c = at::mm(a, b);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return 2.0 * n * n * static_cast<double>(n) * iterations / seconds / 1e9;
  } catch (...) {
    return -1;
  }
}

ctorch_module *create_module(const char *class_name, ctorch_error *error) {
  clear_error(error);
  try {
    auto *handle = new ctorch_module{torch::jit::Module(c10::QualifiedName("__torch__", class_name))};
    // `train()`/`eval()` and `self.training` in methods need the attribute nn.Module has.
    handle->module.register_attribute("training", c10::BoolType::get(), true);
    return handle;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_INVALID_ARGUMENT, short_message(exception).c_str());
  }
  return nullptr;
}

int32_t register_tensor(ctorch_module *module, const char *name, const ctorch_tensor *value, int32_t trainable, ctorch_error *error) {
  clear_error(error);
  try {
    std::vector<c10::IValue> wrapped;
    if (!borrow_inputs(value, 1, wrapped, error)) return error->code;
    at::Tensor tensor = wrapped[0].toTensor().clone();  // the caller's bytes are only borrowed
    if (trainable) {
      module->module.register_parameter(name, tensor.set_requires_grad(true), false);
    } else {
      module->module.register_buffer(name, tensor);
    }
    return CTORCH_OK;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_INVALID_ARGUMENT, short_message(exception).c_str());
  }
  return error->code;
}

int32_t define(ctorch_module *module, const char *source, ctorch_error *error) {
  clear_error(error);
  try {
    module->module.define(source);
    return CTORCH_OK;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_INVALID_ARGUMENT, short_message(exception).c_str());
  }
  return error->code;
}

void set_training(ctorch_module *module, int32_t training) {
  if (training) {
    module->module.train(true);
  } else {
    module->module.eval();
  }
}

ctorch_optimizer *create_adam(ctorch_module *module, double learning_rate, double weight_decay, ctorch_error *error) {
  clear_error(error);
  try {
    std::vector<at::Tensor> parameters;
    for (const at::Tensor &parameter : module->module.parameters()) parameters.push_back(parameter);
    auto options = torch::optim::AdamOptions(learning_rate).weight_decay(weight_decay);
    return new ctorch_optimizer{std::make_unique<torch::optim::Adam>(parameters, options)};
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_INVALID_ARGUMENT, short_message(exception).c_str());
  }
  return nullptr;
}

void free_optimizer(ctorch_optimizer *optimizer) { delete optimizer; }

double train_step(ctorch_module *module, ctorch_optimizer *optimizer, const char *method, const ctorch_tensor *inputs, int32_t count, ctorch_error *error) {
  clear_error(error);
  try {
    std::vector<c10::IValue> arguments;
    if (!borrow_inputs(inputs, count, arguments, error)) return std::numeric_limits<double>::quiet_NaN();
    torch::AutoGradMode enabled(true);
    optimizer->adam->zero_grad();
    at::Tensor loss = module->module.get_method(method)(std::move(arguments)).toTensor();
    if (loss.numel() != 1) {
      set_error(error, CTORCH_INVALID_ARGUMENT, "the loss method must return a scalar");
      return std::numeric_limits<double>::quiet_NaN();
    }
    loss.backward();
    optimizer->adam->step();
    return loss.item<double>();
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_RUNTIME_ERROR, short_message(exception).c_str());
  } catch (...) {
    set_error(error, CTORCH_RUNTIME_ERROR, "unknown error in the training step");
  }
  return std::numeric_limits<double>::quiet_NaN();
}

int32_t save(ctorch_module *module, const char *path, ctorch_error *error) {
  clear_error(error);
  try {
    module->module.save(path);
    return CTORCH_OK;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_RUNTIME_ERROR, short_message(exception).c_str());
  }
  return error->code;
}

void manual_seed(uint64_t seed) { torch::manual_seed(seed); }

int32_t has_method(ctorch_module *module, const char *method) {
  try {
    return module->module.find_method(method).has_value() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

ctorch_outputs *class_gradient(ctorch_module *module, const char *method, const ctorch_tensor *input, int32_t class_index, ctorch_error *error) {
  clear_error(error);
  try {
    std::vector<c10::IValue> arguments;
    if (!borrow_inputs(input, 1, arguments, error)) return nullptr;
    torch::AutoGradMode enabled(true);
    // The optimising executor fuses the method into one autodiff node whose outputs are
    // siblings, so the logits would not depend on the returned feature map; run this call
    // unoptimised (the setting is thread-local).
    torch::jit::GraphOptimizerEnabledGuard unoptimised(false);
    at::Tensor x = arguments[0].toTensor();
    // The caller's bytes are borrowed; a saliency map needs a leaf that records gradients.
    if (x.is_floating_point()) x = x.clone().requires_grad_(true);
    c10::IValue result = module->module.get_method(method)({x});
    at::Tensor logits, target;
    if (result.isTensor()) {
      logits = result.toTensor();
      target = x;
    } else if (result.isTuple() && result.toTupleRef().elements().size() >= 2 &&
               result.toTupleRef().elements()[0].isTensor() && result.toTupleRef().elements()[1].isTensor()) {
      logits = result.toTupleRef().elements()[0].toTensor();
      target = result.toTupleRef().elements()[1].toTensor();
    } else {
      set_error(error, CTORCH_UNSUPPORTED, "the method must return logits, or (logits, feature_map)");
      return nullptr;
    }
    if (logits.dim() != 2 || logits.size(0) != 1) {
      set_error(error, CTORCH_INVALID_ARGUMENT, "logits must have shape [1, classes]");
      return nullptr;
    }
    const int64_t chosen = class_index >= 0 ? class_index : logits.argmax(1).item<int64_t>();
    if (chosen >= logits.size(1)) {
      set_error(error, CTORCH_INVALID_ARGUMENT, "class index out of range");
      return nullptr;
    }
    if (!target.requires_grad()) {
      set_error(error, CTORCH_UNSUPPORTED, "the tensor to explain does not record gradients");
      return nullptr;
    }
    auto gradients = torch::autograd::grad({logits[0][chosen]}, {target}, {}, false, false, true);
    if (gradients.empty() || !gradients[0].defined()) {
      set_error(error, CTORCH_UNSUPPORTED, "the logits do not depend on the tensor to explain (no gradient)");
      return nullptr;
    }
    auto *outputs = new ctorch_outputs();
    outputs->tensors = {logits.detach().contiguous(), target.detach().contiguous(), gradients[0].detach().contiguous()};
    return outputs;
  } catch (const std::exception &exception) {
    set_error(error, CTORCH_RUNTIME_ERROR, short_message(exception).c_str());
  } catch (...) {
    set_error(error, CTORCH_RUNTIME_ERROR, "unknown error while computing the gradient");
  }
  return nullptr;
}

const ctorch_api api_table = {
    version, build_config, set_num_threads, get_num_threads, load, free_module, forward_arity,
    forward, outputs_count, outputs_get, free_outputs, matmul_gflops,
    create_module, register_tensor, define, set_training, run_method, create_adam, free_optimizer,
    train_step, save, manual_seed, has_method, class_gradient,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const ctorch_api *ctorch_get_api(void) { return &api_table; }
