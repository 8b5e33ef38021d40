#ifndef KILN_FUZZ_DRIVER_H
#define KILN_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry for programs with a main of their own (LLVM >= 11). SwiftPM gives every
// executable target a main, and each fuzz target's main calls this with its
// LLVMFuzzerTestOneInput, which it also exports for the case where the linker keeps
// libFuzzer's own main instead: either way the same function is fuzzed with argv's flags.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
