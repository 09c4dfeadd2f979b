/* SPDX-License-Identifier: ISC */
/*
 * Corpus replay: runs a fuzz harness over every file in the directories
 * given, so the corpora are exercised by every normal test run (as
 * Dropbear's fuzzstandalone). Exits 0 when every input ran.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (1024 * 1024)

static int
replay_file(const char *path)
{
    static unsigned char data[REPLAY_MAX_INPUT];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    n = fread(data, 1, sizeof(data), f);
    fclose(f);
    LLVMFuzzerTestOneInput(data, n);
    return 0;
}

static int
replay_dir(const char *dir, unsigned *count)
{
    char path[4096];
    struct dirent *e;
    struct stat st;
    DIR *d = opendir(dir);

    if (d == NULL) {
        perror(dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (replay_file(path) != 0) {
            closedir(d);
            return -1;
        }
        (*count)++;
    }
    closedir(d);
    return 0;
}

int
main(int argc, char **argv)
{
    unsigned count = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (replay_dir(argv[i], &count) != 0) {
            return 1;
        }
    }
    printf("replayed %u inputs\n", count);
    return count > 0 ? 0 : 1;
}
