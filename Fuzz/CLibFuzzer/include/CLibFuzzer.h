#ifndef C_LIBFUZZER_H
#define C_LIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer): parses libFuzzer's
/// options from argc/argv and runs `callback` on every input. filter-fuzz calls it from its
/// own main, since SwiftPM gives every executable target a main of its own.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
