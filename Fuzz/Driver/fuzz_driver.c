// The declaration in include/fuzz_driver.h is all there is: LLVMFuzzerRunDriver comes from
// the libFuzzer runtime that `-sanitize=fuzzer` links.
#include "fuzz_driver.h"
