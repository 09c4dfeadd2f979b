/* SPDX-License-Identifier: ISC */
/*
 * User authentication, client side: password (RFC 4252 8, with its change
 * request) and keyboard-interactive (RFC 4256), with ssh's prompts and its
 * limits (NumberOfPasswordPrompts requests of each). The user is asked
 * through the config's ask callback, which answers later
 * (userauth_client_answered), so the core never waits for a person.
 */
#include "auth/userauth_client_kbd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/userauth_client_int.h"
#include "auth/userauth_common.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define UAC_RETRY_NOTICE "Permission denied, please try again."
#define UAC_MISMATCH_NOTICE "Mismatch; try again, EOF to quit."

/* ---- INFO_REQUEST ---- */

static int
read_text(struct rd *rd, char **out)
{
    const uint8_t *p;
    size_t n;
    int r;

    *out = NULL;
    if ((r = rd_string(rd, &p, &n, LIM_KBDINT_TEXT)) != 0) {
        return r;
    }
    return userauth_text_clean(p, n, out);
}

/*
 * INFO_REQUEST (RFC 4256 3.2), after its message number:
 *   string  name
 *   string  instruction
 *   string  language tag (deprecated, ignored)
 *   int     num-prompts
 *   string  prompt[1]
 *   boolean echo[1]
 *   ...     (num-prompts pairs)
 */
int
userauth_info_request_decode(struct rd *rd, struct userauth_info_request *q)
{
    const uint8_t *lang;
    size_t lang_len;
    uint32_t n, i;
    int r;

    memset(q, 0, sizeof(*q));
    if ((r = read_text(rd, &q->name)) != 0 ||
        (r = read_text(rd, &q->instruction)) != 0 ||
        (r = rd_string(rd, &lang, &lang_len, LIM_STRING_SMALL)) != 0 ||
        (r = rd_u32(rd, &n)) != 0) {
        goto out;
    }
    if (n > LIM_KBDINT_PROMPTS) {
        r = ERR_LIMIT;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((r = read_text(rd, &q->prompt[i])) != 0) {
            goto out;
        }
        q->n = i + 1;
        if ((r = rd_bool(rd, &q->echo[i])) != 0) {
            goto out;
        }
    }
    r = rd_end(rd);
out:
    if (r != 0) {
        userauth_info_request_cleanup(q);
    }
    return r;
}

void
userauth_info_request_cleanup(struct userauth_info_request *q)
{
    size_t i;

    free(q->name);
    free(q->instruction);
    for (i = 0; i < q->n; i++) {
        free(q->prompt[i]);
    }
    memset(q, 0, sizeof(*q));
}

/* ---- asking ---- */

/* Ask the user; *sent false (nothing under way) when the asker refused. */
static int
uac_ask(struct userauth_client *u, enum uac_ask kind,
        const struct userauth_questions *q, bool *sent)
{
    enum uac_state was = u->state;

    u->ask_kind = kind;
    u->ask_n = q->n;
    u->state = UAC_WAIT_ANSWER;
    *sent = u->ask(u->ask_ctx, q) == 0;
    if (!*sent) {
        log_debug("could not ask the user");
        u->state = was;
    }
    return 0;
}

/* A method the user could not be asked for, or gave up on: the next. */
static int
uac_give_up(struct userauth_client *u, enum uac_method m,
            const struct userauth_session *s, enum userauth_result *res)
{
    u->disabled[m] = true;
    return uac_next(u, s, res);
}

/* ---- password ---- */

/* "user@host's password: ", as ssh words it. */
int
uac_password_try(struct userauth_client *u, bool *sent)
{
    struct userauth_questions q;
    struct userauth_prompt pr;
    char prompt[200];

    *sent = false;
    if (u->passwd_tries++ >= u->max_prompts) {
        return 0;
    }
    snprintf(prompt, sizeof(prompt), "%.30s@%.128s's password: ", u->user,
             u->host);
    memset(&q, 0, sizeof(q));
    q.notice = u->passwd_tries != 1 ? UAC_RETRY_NOTICE : NULL;
    pr.text = prompt;
    pr.echo = false;
    q.prompts = &pr;
    q.n = 1;
    return uac_ask(u, UAC_ASK_PASSWORD, &q, sent);
}

/*
 * USERAUTH_REQUEST for password (RFC 4252 8):
 *   byte    SSH_MSG_USERAUTH_REQUEST
 *   string  user name, string "ssh-connection", string "password"
 *   boolean FALSE, string password
 *   (or TRUE, string old password, string new password)
 */
static int
send_password(struct userauth_client *u, const char *pw, const char *newpw)
{
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = userauth_request_head(&b, u->user, "password")) != 0 ||
        (r = buf_put_bool(&b, newpw != NULL)) != 0 ||
        (r = buf_put_cstring(&b, pw)) != 0 ||
        (newpw != NULL && (r = buf_put_cstring(&b, newpw)) != 0) ||
        (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) != 0) {
        goto out;
    }
    u->state = UAC_WAIT_PASSWD;
out:
    buf_cleanup(&b); /* wipes */
    return r;
}

/* Ask for the new password and its retyping; with old, the old first. */
static int
ask_new_password(struct userauth_client *u, const char *info, bool old,
                 bool *sent)
{
    struct userauth_questions q;
    struct userauth_prompt pr[3];
    char p[3][200];
    size_t n = 0;

    memset(&q, 0, sizeof(q));
    if (old) {
        snprintf(p[n], sizeof(p[n]),
                 "Enter %.30s@%.128s's old password: ", u->user, u->host);
        n++;
    }
    snprintf(p[n], sizeof(p[n]), "Enter %.30s@%.128s's new password: ", u->user,
             u->host);
    n++;
    snprintf(p[n], sizeof(p[n]),
             "Retype %.30s@%.128s's new password: ", u->user, u->host);
    n++;
    for (size_t i = 0; i < n; i++) {
        pr[i].text = p[i];
        pr[i].echo = false;
    }
    q.notice = old ? NULL : UAC_MISMATCH_NOTICE;
    q.instruction = info;
    q.prompts = pr;
    q.n = n;
    return uac_ask(u, old ? UAC_ASK_CHANGEREQ : UAC_ASK_NEWPASS, &q, sent);
}

/*
 * PASSWD_CHANGEREQ (RFC 4252 8):
 *   byte   SSH_MSG_USERAUTH_PASSWD_CHANGEREQ
 *   string prompt
 *   string language tag
 * As ssh: the prompt is shown, then the old password and the new one
 * twice are asked.
 */
int
uac_recv_changereq(struct userauth_client *u, struct rd *rd,
                   const struct userauth_session *s, enum userauth_result *res)
{
    char *info = NULL;
    const uint8_t *lang;
    size_t lang_len;
    bool sent = false;
    int r;

    if ((r = read_text(rd, &info)) != 0 ||
        (r = rd_string(rd, &lang, &lang_len, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0 ||
        (r = ask_new_password(u, info, true, &sent)) != 0) {
        free(info);
        return r;
    }
    free(info);
    return sent ? 0 : uac_give_up(u, UAC_M_PASSWORD, s, res);
}

/* The change request's answers: old (kept from the first round), new and
 * retyped. An empty new password gives up; a mismatch asks again. */
static int
password_changed(struct userauth_client *u, char *const *a, size_t n,
                 const struct userauth_session *s, enum userauth_result *res)
{
    const char *newpw = a[n - 2], *retyped = a[n - 1];
    bool sent = false;
    int r;

    if (u->ask_kind == UAC_ASK_CHANGEREQ) {
        str_free_wiped(u->old_password);
        if ((u->old_password = str_ndup(a[0], strlen(a[0]))) == NULL) {
            return ERR_NOMEM;
        }
    }
    if (newpw[0] == '\0') {
        return uac_give_up(u, UAC_M_PASSWORD, s, res);
    }
    if (strcmp(newpw, retyped) != 0) {
        if ((r = ask_new_password(u, NULL, false, &sent)) != 0) {
            return r;
        }
        return sent ? 0 : uac_give_up(u, UAC_M_PASSWORD, s, res);
    }
    r = send_password(u, u->old_password, newpw);
    str_free_wiped(u->old_password);
    u->old_password = NULL;
    return r;
}

/* ---- keyboard-interactive ---- */

/*
 * USERAUTH_REQUEST for keyboard-interactive (RFC 4256 3.1):
 *   byte   SSH_MSG_USERAUTH_REQUEST
 *   string user name, string "ssh-connection", string
 *          "keyboard-interactive"
 *   string language tag (empty), string submethods (empty)
 * As ssh: at most NumberOfPasswordPrompts requests, and no second one if
 * the server never sent an INFO_REQUEST for the first.
 */
int
uac_kbdint_try(struct userauth_client *u, bool *sent)
{
    struct buf b;
    int r;

    *sent = false;
    if (u->kbdint_tries++ >= u->max_prompts ||
        (u->kbdint_tries > 1 && !u->info_req_seen)) {
        return 0;
    }
    buf_init(&b);
    if ((r = userauth_request_head(&b, u->user, "keyboard-interactive")) != 0 ||
        (r = buf_put_cstring(&b, "")) != 0 ||
        (r = buf_put_cstring(&b, "")) != 0 ||
        (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) != 0) {
        goto out;
    }
    u->state = UAC_WAIT_KBDINT;
    *sent = true;
out:
    buf_cleanup(&b);
    return r;
}

/*
 * INFO_RESPONSE (RFC 4256 3.4):
 *   byte   SSH_MSG_USERAUTH_INFO_RESPONSE
 *   int    num-responses
 *   string response[1] ... (num-responses of them)
 */
static int
send_info_response(struct userauth_client *u, char *const *a, size_t n)
{
    struct buf b;
    size_t i;
    int r;

    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_USERAUTH_INFO_RESPONSE)) != 0 ||
        (r = buf_put_u32(&b, (uint32_t)n)) != 0) {
        goto out;
    }
    for (i = 0; i < n && r == 0; i++) {
        r = buf_put_cstring(&b, a[i]);
    }
    if (r == 0 && (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) == 0) {
        u->state = UAC_WAIT_KBDINT;
    }
out:
    buf_cleanup(&b); /* wipes */
    return r;
}

/* The questions of q, each prompt as ssh shows it: "(user@host) text". */
static int
ask_info(struct userauth_client *u, const struct userauth_info_request *q,
         bool *sent)
{
    struct userauth_prompt pr[LIM_KBDINT_PROMPTS];
    char *text[LIM_KBDINT_PROMPTS];
    struct userauth_questions qs;
    size_t i, len;
    int r = 0;

    memset(&qs, 0, sizeof(qs));
    for (i = 0; i < q->n; i++) {
        len = strlen(u->user) + strlen(u->host) + strlen(q->prompt[i]) + 5;
        if ((text[i] = malloc(len)) == NULL) {
            r = ERR_NOMEM;
            break;
        }
        snprintf(text[i], len, "(%s@%s) %s", u->user, u->host, q->prompt[i]);
        pr[i].text = text[i];
        pr[i].echo = q->echo[i];
    }
    if (r == 0) {
        qs.name = q->name;
        qs.instruction = q->instruction;
        qs.prompts = pr;
        qs.n = q->n;
        r = uac_ask(u, UAC_ASK_KBDINT, &qs, sent);
    }
    while (i > 0) {
        free(text[--i]);
    }
    return r;
}

int
uac_recv_info_request(struct userauth_client *u, struct rd *rd,
                      const struct userauth_session *s,
                      enum userauth_result *res)
{
    struct userauth_info_request q;
    bool sent = false;
    int r;

    if ((r = userauth_info_request_decode(rd, &q)) != 0) {
        return r;
    }
    u->info_req_seen = true;
    log_debug("keyboard-interactive: %zu prompts", q.n);
    if (q.n == 0) {
        /* Nothing to ask, but the name and instruction are shown, as
         * the asker shows them. */
        if (q.name[0] != '\0' && log_get_level() >= LOG_INFO) {
            log_plain("%s\r\n", q.name);
        }
        if (q.instruction[0] != '\0' && log_get_level() >= LOG_INFO) {
            log_plain("%s\r\n", q.instruction);
        }
        r = send_info_response(u, NULL, 0);
    } else if ((r = ask_info(u, &q, &sent)) == 0 && !sent) {
        r = uac_give_up(u, UAC_M_KBDINT, s, res);
    }
    userauth_info_request_cleanup(&q);
    return r;
}

/* ---- answers ---- */

int
uac_answered(struct userauth_client *u, char *const *answers, size_t n,
             const struct userauth_session *s, enum userauth_result *res)
{
    enum uac_method m =
        u->ask_kind == UAC_ASK_KBDINT ? UAC_M_KBDINT : UAC_M_PASSWORD;

    if (answers == NULL) {
        str_free_wiped(u->old_password);
        u->old_password = NULL;
        return uac_give_up(u, m, s, res);
    }
    switch (u->ask_kind) {
    case UAC_ASK_PASSWORD:
        return send_password(u, answers[0], NULL);
    case UAC_ASK_KBDINT:
        return send_info_response(u, answers, n);
    default:
        return password_changed(u, answers, n, s, res);
    }
}
