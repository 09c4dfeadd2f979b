/* SPDX-License-Identifier: ISC */
/* Public keys as text: "type base64 [comment]" lines and .pub files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshkey.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

/* Longest base64 text of a blob of LIM_KEY_BLOB bytes. */
#define SSHKEY_B64_MAX ((LIM_KEY_BLOB + 2) / 3 * 4)

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool
is_token_end(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A public key line: type name, blanks, base64 of the blob, and anything
 * after that (the comment) is left to the caller. The name must agree with
 * the name inside the blob.
 */
int
sshkey_parse_public(const char *line, struct sshkey **out, size_t *consumed)
{
    struct sshkey *k = NULL;
    size_t i = 0, t0, tn, b0, bn;
    struct buf blob;
    int r;

    *out = NULL;
    if (consumed != NULL) {
        *consumed = 0;
    }
    buf_init(&blob);
    while (is_blank(line[i])) {
        i++;
    }
    for (t0 = i; !is_token_end(line[i]) && i - t0 <= LIM_NAME; i++) {
    }
    tn = i - t0;
    while (is_blank(line[i])) {
        i++;
    }
    for (b0 = i; !is_token_end(line[i]) && i - b0 <= SSHKEY_B64_MAX; i++) {
    }
    bn = i - b0;
    if (tn == 0 || tn > LIM_NAME || bn == 0 || bn > SSHKEY_B64_MAX) {
        r = ERR_KEY_FORMAT;
        goto out;
    }
    if ((r = base64_decode(line + b0, bn, &blob)) != 0 ||
        (r = sshkey_from_blob(buf_ptr(&blob), buf_len(&blob), &k)) != 0) {
        goto out;
    }
    if (!sshkey_name_eq((const uint8_t *)line + t0, tn, sshkey_wire_name(k))) {
        r = ERR_KEY_FORMAT;
        goto out;
    }
    if (consumed != NULL) {
        *consumed = i;
    }
    *out = k;
    k = NULL;
out:
    sshkey_free(k);
    buf_cleanup(&blob);
    return r;
}

int
sshkey_format_public(const struct sshkey *k, char **out)
{
    const char *name = sshkey_wire_name(k);
    char *b64 = NULL, *s;
    struct buf blob;
    size_t n;
    int r;

    *out = NULL;
    buf_init(&blob);
    if ((r = sshkey_to_blob(k, &blob)) != 0 ||
        (r = base64_encode(buf_ptr(&blob), buf_len(&blob), &b64, true)) != 0) {
        buf_cleanup(&blob);
        return r;
    }
    buf_cleanup(&blob);
    n = strlen(name) + 1 + strlen(b64) + 1;
    if ((s = malloc(n)) == NULL) {
        free(b64);
        return ERR_NOMEM;
    }
    snprintf(s, n, "%s %s", name, b64);
    free(b64);
    *out = s;
    return 0;
}

/* The first line that is neither blank nor a comment holds the key. */
int
sshkey_load_public(const char *path, struct sshkey **out)
{
    struct buf file;
    char *text = NULL, *line, *save = NULL;
    int r;

    *out = NULL;
    buf_init(&file);
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) != 0) {
        goto out;
    }
    if ((text = str_ndup((const char *)buf_ptr(&file), buf_len(&file))) ==
        NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    r = ERR_KEY_FORMAT;
    for (line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        line += strspn(line, " \t\r");
        if (*line != '\0' && *line != '#') {
            r = sshkey_parse_public(line, out, NULL);
            break;
        }
    }
out:
    free(text);
    buf_cleanup(&file);
    return r;
}
