/* SPDX-License-Identifier: ISC */
/* Aligned text tables with peer text escaped. */
#include "ctl/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

#define TABLE_CELL_MAX 1024u

void
table_init(struct table *t, size_t n_cols, const char *const *titles)
{
    size_t i;

    memset(t, 0, sizeof(*t));
    if (n_cols == 0 || n_cols > TABLE_MAX_COLS) {
        t->err = ERR_INVAL;
        return;
    }
    t->n_cols = n_cols;
    for (i = 0; i < n_cols; i++) {
        table_cell(t, titles[i]);
    }
}

void
table_cleanup(struct table *t)
{
    size_t i;

    for (i = 0; i < t->n_cells; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

void
table_cell(struct table *t, const char *text)
{
    char esc[TABLE_CELL_MAX], **grown;
    size_t cap;

    if (t->err != 0) {
        return;
    }
    if (t->n_cells == t->cap_cells) {
        cap = t->cap_cells == 0 ? 64 : t->cap_cells * 2;
        if (cap / t->n_cols > TABLE_MAX_ROWS) {
            t->err = ERR_LIMIT;
            return;
        }
        if ((grown = realloc(t->cells, cap * sizeof(*grown))) == NULL) {
            t->err = ERR_NOMEM;
            return;
        }
        t->cells = grown;
        t->cap_cells = cap;
    }
    /* One line per row: newlines and tabs are escaped too. */
    log_escape(text != NULL && text[0] != '\0' ? text : "-", true, esc,
               sizeof(esc));
    if ((t->cells[t->n_cells] = strdup(esc)) == NULL) {
        t->err = ERR_NOMEM;
        return;
    }
    t->n_cells++;
}

void
table_cellf(struct table *t, const char *fmt, ...)
{
    char text[TABLE_CELL_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    table_cell(t, text);
}

/* Characters, not bytes: UTF-8 continuation bytes take no column. */
static size_t
table_width(const char *s)
{
    size_t w = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80) {
            w++;
        }
    }
    return w;
}

static int
table_pad(struct buf *out, size_t n)
{
    static const char spaces[] = "                ";
    size_t k;
    int r = 0;

    while (n > 0 && r == 0) {
        k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        r = buf_put(out, spaces, k);
        n -= k;
    }
    return r;
}

static int
table_row(const struct table *t, size_t row, const size_t *width,
          struct buf *out)
{
    size_t c, w;
    const char *s;
    int r = 0;

    for (c = 0; c < t->n_cols && r == 0; c++) {
        s = t->cells[row * t->n_cols + c];
        r = buf_put(out, s, strlen(s));
        /* The last column is not padded: no trailing spaces. */
        if (r == 0 && c + 1 < t->n_cols) {
            w = table_width(s);
            r = table_pad(out, width[c] - w + 2);
        }
    }
    return r != 0 ? r : buf_put(out, "\n", 1);
}

int
table_render(struct table *t, struct buf *out)
{
    size_t width[TABLE_MAX_COLS] = {0}, i, w, rows;
    int r = 0;

    while (t->err == 0 && t->n_cells % t->n_cols != 0) {
        table_cell(t, NULL);
    }
    if (t->err != 0) {
        return t->err;
    }
    for (i = 0; i < t->n_cells; i++) {
        w = table_width(t->cells[i]);
        if (w > width[i % t->n_cols]) {
            width[i % t->n_cols] = w;
        }
    }
    rows = t->n_cells / t->n_cols;
    for (i = 0; i < rows && r == 0; i++) {
        r = table_row(t, i, width, out);
    }
    return r;
}
