/* fuzz_entry.h: the entry points libFuzzer calls, declared once so each
 * target's definitions have a prototype (-Wmissing-prototypes). */
#ifndef MOCKKIT_FUZZ_ENTRY_H
#define MOCKKIT_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* MOCKKIT_FUZZ_ENTRY_H */
