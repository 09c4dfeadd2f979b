/* SPDX-License-Identifier: ISC */
/* The one entry point every fuzz harness defines (libFuzzer's). */
#ifndef ADIT_FUZZ_H
#define ADIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
