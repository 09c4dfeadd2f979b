/* SPDX-License-Identifier: ISC */
/* Helpers shared by the unit tests. */
#ifndef ADIT_TESTUTIL_H
#define ADIT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first. */
#include <cmocka.h>

/* Decode a hex string (no spaces) into a malloc'd buffer; aborts on bad
 * input, as test vectors are ours. *len receives the byte count. */
uint8_t *hex_decode(const char *hex, size_t *len);

/* Path of a fresh temporary directory (removed by the OS, not the test). */
const char *test_tmpdir(void);

#endif
