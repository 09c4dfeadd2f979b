/* SPDX-License-Identifier: ISC */
/*
 * A text table for status output: a header row and rows of cells, each
 * column as wide as its widest cell, two spaces between columns. Cells may
 * hold a peer's text, so control bytes are shown as \ooo (as ssh's log
 * does) and never reach the terminal; widths count UTF-8 characters.
 */
#ifndef ADIT_CTL_TABLE_H
#define ADIT_CTL_TABLE_H

#include <stddef.h>

#include "wire/buf.h"

#define TABLE_MAX_COLS 16u
#define TABLE_MAX_ROWS 1000000u

struct table {
    size_t n_cols;
    size_t n_cells, cap_cells; /* row-major, header row first */
    char **cells;
    int err; /* first error, sticky */
};

/* n_cols column titles (at most TABLE_MAX_COLS). */
void table_init(struct table *t, size_t n_cols, const char *const *titles);
void table_cleanup(struct table *t);

/* Append one cell; rows fill left to right. NULL shows as "-". */
void table_cell(struct table *t, const char *text);
/* printf-style cell. */
void table_cellf(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The whole table (an unfinished last row padded with "-") appended to
 * out. 0, or the first error (ERR_NOMEM, ERR_LIMIT). */
int table_render(struct table *t, struct buf *out);

#endif
