/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the userauth client with what a server sends: the input is a
 * sequence of server messages (fuzz_split.h) fed to a client that does
 * password and keyboard-interactive, whose every question is answered
 * (after the call, as the real asker does) with one answer per prompt.
 * The first message is also given to the INFO_REQUEST decoder alone.
 */
#include <string.h>

#include "auth/userauth.h"
#include "auth/userauth_client_kbd.h"
#include "fuzz.h"
#include "fuzz_split.h"

struct fuzz_asker {
    size_t n;   /* prompts of the last question set */
    bool asked; /* one is waiting for its answers */
};

static int
fuzz_ask(void *ctx, const struct userauth_questions *q)
{
    struct fuzz_asker *a = ctx;
    size_t i;

    /* Touch every byte the core handed over. */
    for (i = 0; i < q->n; i++) {
        if (strlen(q->prompts[i].text) > LIM_PACKET_RECV) {
            return -1;
        }
    }
    a->n = q->n;
    a->asked = true;
    return 0;
}

/* Answer what was asked; the answers alternate between the methods'
 * shapes (a password, a matching or mismatched new password). */
static int
fuzz_answer(struct userauth_client *u, struct fuzz_asker *a,
            const struct userauth_session *us, enum userauth_result *res,
            uint8_t variant)
{
    char *answers[LIM_KBDINT_PROMPTS];
    char mismatch[] = "other";
    size_t i;

    a->asked = false;
    if (a->n > LIM_KBDINT_PROMPTS) {
        return -1;
    }
    if ((variant & 3) == 3) {
        return userauth_client_answered(u, NULL, 0, us, res);
    }
    for (i = 0; i < a->n; i++) {
        answers[i] =
            (variant & 1) && i + 1 == a->n && a->n > 1 ? mismatch : "answer";
    }
    return userauth_client_answered(u, answers, a->n, us, res);
}

static void
fuzz_decoder(const uint8_t *data, size_t size)
{
    struct userauth_info_request q;
    struct rd rd;

    rd_init(&rd, data, size);
    if (userauth_info_request_decode(&rd, &q) == 0) {
        userauth_info_request_cleanup(&q);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t sid[32] = {7};
    struct fuzz_asker asker = {0};
    struct userauth_client_config cfg = {.user = "fuzz",
                                         .host = "example",
                                         .password = true,
                                         .kbdint = true,
                                         .max_prompts = 3,
                                         .ask = fuzz_ask,
                                         .ask_ctx = &asker};
    struct userauth_session us = {.session_id = sid,
                                  .session_id_len = sizeof(sid)};
    enum userauth_result res = USERAUTH_CONTINUE;
    struct userauth_client *u = NULL;
    struct fuzz_sink fs;
    struct pkt_sink sink;
    const uint8_t *msg;
    size_t len;
    uint8_t variant = 0;

    fuzz_decoder(data, size);
    if (fuzz_sink_init(&fs, &sink) != 0 ||
        userauth_client_new(&u, &cfg, &sink) != 0 ||
        userauth_client_start(u) != 0) {
        userauth_client_free(u);
        free(fs.room);
        return 0;
    }
    while (res == USERAUTH_CONTINUE &&
           fuzz_next_msg(&data, &size, &msg, &len)) {
        if (userauth_client_handle(u, msg, len, &us, &res) != 0) {
            break;
        }
        variant = len > 0 ? msg[len - 1] : 0;
        if (asker.asked && res == USERAUTH_CONTINUE &&
            fuzz_answer(u, &asker, &us, &res, variant) != 0) {
            break;
        }
    }
    userauth_client_free(u);
    free(fs.room);
    return 0;
}
