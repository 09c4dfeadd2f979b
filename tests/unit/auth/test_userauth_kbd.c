/* SPDX-License-Identifier: ISC */
/*
 * The client's password and keyboard-interactive methods: the INFO_REQUEST
 * decoder (valid, every truncation, each length off by one, a trailing
 * byte, the limits), and the client driven message by message as a server
 * would: method order, ssh's prompts and tries, answers, the password
 * change request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "../conn/capsink.h"
#include "auth/userauth.h"
#include "auth/userauth_client_kbd.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

static const uint8_t sid[32] = {9, 8, 7};

/* ---- the decoder ---- */

static void
put_info_request(struct buf *b, uint32_t n, const char *prompt,
                 const char *name)
{
    uint32_t i;

    assert_int_equal(buf_put_cstring(b, name), 0);
    assert_int_equal(buf_put_cstring(b, "Answer the questions."), 0);
    assert_int_equal(buf_put_cstring(b, ""), 0);
    assert_int_equal(buf_put_u32(b, n), 0);
    for (i = 0; i < n; i++) {
        assert_int_equal(buf_put_cstring(b, prompt), 0);
        assert_int_equal(buf_put_bool(b, i % 2 == 1), 0);
    }
}

static int
decode(const uint8_t *p, size_t n, struct userauth_info_request *q)
{
    struct rd rd;

    rd_init(&rd, p, n);
    return userauth_info_request_decode(&rd, q);
}

static void
test_decode_valid(void **state)
{
    struct userauth_info_request q;
    struct buf b;

    (void)state;
    buf_init(&b);
    put_info_request(&b, 2, "Pass\x1b[2Jword: ", "na\rme\n");
    assert_int_equal(decode(buf_ptr(&b), buf_len(&b), &q), 0);
    assert_string_equal(q.name, "name\n"); /* CR and ESC removed */
    assert_string_equal(q.instruction, "Answer the questions.");
    assert_int_equal(q.n, 2);
    assert_string_equal(q.prompt[0], "Pass[2Jword: ");
    assert_false(q.echo[0]);
    assert_true(q.echo[1]);
    userauth_info_request_cleanup(&q);
    buf_cleanup(&b);
}

static void
test_decode_truncated_and_trailing(void **state)
{
    struct userauth_info_request q;
    uint8_t *p;
    struct buf b;
    size_t n, cut;

    (void)state;
    buf_init(&b);
    put_info_request(&b, 3, "Token: ", "n");
    n = buf_len(&b);
    for (cut = 0; cut < n; cut++) {
        assert_int_not_equal(decode(buf_ptr(&b), cut, &q), 0);
        assert_null(q.name);
        assert_int_equal(q.n, 0);
    }
    assert_int_equal(buf_put_u8(&b, 0), 0);
    assert_int_not_equal(decode(buf_ptr(&b), n + 1, &q), 0);
    /* Each length field (name, instruction, language, first prompt) one
     * more or one less than its string. */
    p = buf_ptr(&b);
    {
        const size_t offs[] = {0, 5, 30, 38};
        size_t i;

        for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
            p[offs[i] + 3]++;
            assert_int_not_equal(decode(p, n, &q), 0);
            p[offs[i] + 3] -= 2;
            assert_int_not_equal(decode(p, n, &q), 0);
            p[offs[i] + 3]++;
        }
    }
    assert_int_equal(decode(p, n, &q), 0);
    userauth_info_request_cleanup(&q);
    buf_cleanup(&b);
}

static void
test_decode_limits(void **state)
{
    struct userauth_info_request q;
    char *big = malloc(LIM_KBDINT_TEXT + 2);
    struct buf b;

    (void)state;
    buf_init(&b);
    put_info_request(&b, LIM_KBDINT_PROMPTS, "p", "");
    assert_int_equal(decode(buf_ptr(&b), buf_len(&b), &q), 0);
    assert_int_equal(q.n, LIM_KBDINT_PROMPTS);
    userauth_info_request_cleanup(&q);
    buf_reset(&b);
    put_info_request(&b, LIM_KBDINT_PROMPTS + 1, "p", "");
    assert_int_equal(decode(buf_ptr(&b), buf_len(&b), &q), ERR_LIMIT);
    buf_reset(&b);
    memset(big, 'x', LIM_KBDINT_TEXT + 1);
    big[LIM_KBDINT_TEXT + 1] = '\0';
    put_info_request(&b, 1, big, "");
    assert_int_equal(decode(buf_ptr(&b), buf_len(&b), &q), ERR_LIMIT);
    free(big);
    buf_cleanup(&b);
}

/* ---- the client, driven as a server would ---- */

struct asked {
    unsigned calls;
    int refuse; /* the asker's answer */
    char notice[128], name[128], instruction[128];
    char prompt[4][128];
    bool echo[4];
    size_t n;
};

static int
ask(void *ctx, const struct userauth_questions *q)
{
    struct asked *a = ctx;
    size_t i;

    a->calls++;
    snprintf(a->notice, sizeof(a->notice), "%s",
             q->notice != NULL ? q->notice : "");
    snprintf(a->name, sizeof(a->name), "%s", q->name != NULL ? q->name : "");
    snprintf(a->instruction, sizeof(a->instruction), "%s",
             q->instruction != NULL ? q->instruction : "");
    a->n = q->n;
    for (i = 0; i < q->n && i < 4; i++) {
        snprintf(a->prompt[i], sizeof(a->prompt[i]), "%s", q->prompts[i].text);
        a->echo[i] = q->prompts[i].echo;
    }
    return a->refuse;
}

struct cli {
    struct capsink cap;
    struct pkt_sink sink;
    struct userauth_client *u;
    struct userauth_session s;
    struct asked asked;
    enum userauth_result res;
};

static struct cli *
cli_new(const char *preferred, unsigned max_prompts)
{
    struct cli *c = calloc(1, sizeof(*c));
    struct userauth_client_config cfg = {.user = "alice",
                                         .host = "srv",
                                         .preferred = preferred,
                                         .password = true,
                                         .kbdint = true,
                                         .max_prompts = max_prompts,
                                         .ask = ask};

    assert_non_null(c);
    cfg.ask_ctx = &c->asked;
    cap_init(&c->cap, &c->sink);
    c->s.session_id = sid;
    c->s.session_id_len = sizeof(sid);
    assert_int_equal(userauth_client_new(&c->u, &cfg, &c->sink), 0);
    assert_int_equal(userauth_client_start(c->u), 0);
    return c;
}

static void
cli_free(struct cli *c)
{
    userauth_client_free(c->u);
    cap_cleanup(&c->cap);
    free(c);
}

/* The server sends b; 0 or the client's error. */
static int
feed(struct cli *c, struct buf *b)
{
    int r =
        userauth_client_handle(c->u, buf_ptr(b), buf_len(b), &c->s, &c->res);

    buf_reset(b);
    return r;
}

/* The last message the client sent since the last look: the method of
 * a USERAUTH_REQUEST (rd past it), else "msg N". */
static const char *
last_request(struct cli *c, struct rd *rd)
{
    static char method[64];
    const struct cap_msg *m = NULL, *t;
    char *user = NULL, *svc = NULL, *meth = NULL;
    uint8_t type;

    while ((t = cap_take(&c->cap)) != NULL) {
        m = t;
    }
    assert_non_null(m);
    rd_init(rd, m->p, m->len);
    assert_int_equal(rd_u8(rd, &type), 0);
    if (type != SSH_MSG_USERAUTH_REQUEST) {
        snprintf(method, sizeof(method), "msg %u", type);
        return method;
    }
    assert_int_equal(rd_cstring(rd, &user, 64), 0);
    assert_int_equal(rd_cstring(rd, &svc, 64), 0);
    assert_int_equal(rd_cstring(rd, &meth, 64), 0);
    snprintf(method, sizeof(method), "%s", meth);
    free(user);
    free(svc);
    free(meth);
    return method;
}

static void
to_methods(struct cli *c, const char *methods)
{
    struct buf b;

    buf_init(&b);
    assert_int_equal(buf_put_u8(&b, SSH_MSG_SERVICE_ACCEPT), 0);
    assert_int_equal(buf_put_cstring(&b, "ssh-userauth"), 0);
    assert_int_equal(feed(c, &b), 0);
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE), 0);
    assert_int_equal(buf_put_cstring(&b, methods), 0);
    assert_int_equal(buf_put_bool(&b, false), 0);
    assert_int_equal(feed(c, &b), 0);
    buf_cleanup(&b);
}

static void
failure(struct cli *c, const char *methods)
{
    struct buf b;

    buf_init(&b);
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE), 0);
    assert_int_equal(buf_put_cstring(&b, methods), 0);
    assert_int_equal(buf_put_bool(&b, false), 0);
    assert_int_equal(feed(c, &b), 0);
    buf_cleanup(&b);
}

static int
answer(struct cli *c, const char *a0, const char *a1, const char *a2)
{
    char *a[3] = {(char *)a0, (char *)a1, (char *)a2};

    return userauth_client_answered(c->u, a, c->asked.n, &c->s, &c->res);
}

static void
test_kbdint_two_prompts(void **state)
{
    struct cli *c = cli_new(NULL, 3);
    char *r1 = NULL, *r2 = NULL;
    uint32_t n;
    uint8_t type;
    struct rd rd;
    struct buf b;

    (void)state;
    buf_init(&b);
    /* ssh's default order: keyboard-interactive before password; no key,
     * so publickey is skipped. */
    to_methods(c, "publickey,password,keyboard-interactive");
    assert_string_equal(last_request(c, &rd), "keyboard-interactive");
    assert_int_equal(c->asked.calls, 0);
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_INFO_REQUEST), 0);
    put_info_request(&b, 2, "Token: ", "Login");
    assert_int_equal(feed(c, &b), 0);
    assert_int_equal(c->asked.calls, 1);
    assert_int_equal(c->asked.n, 2);
    assert_string_equal(c->asked.prompt[0], "(alice@srv) Token: ");
    assert_false(c->asked.echo[0]);
    assert_true(c->asked.echo[1]);
    assert_string_equal(c->asked.name, "Login");
    assert_string_equal(c->asked.instruction, "Answer the questions.");
    /* Wrong count, then the answers. */
    {
        char *one[1] = {"x"};

        assert_int_equal(userauth_client_answered(c->u, one, 1, &c->s, &c->res),
                         ERR_INVAL);
    }
    assert_int_equal(answer(c, "secret", "4242", NULL), 0);
    rd_init(&rd, c->cap.msgs[c->cap.n - 1].p, c->cap.msgs[c->cap.n - 1].len);
    assert_int_equal(rd_u8(&rd, &type), 0);
    assert_int_equal(type, SSH_MSG_USERAUTH_INFO_RESPONSE);
    assert_int_equal(rd_u32(&rd, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rd_cstring(&rd, &r1, 64), 0);
    assert_int_equal(rd_cstring(&rd, &r2, 64), 0);
    assert_int_equal(rd_end(&rd), 0);
    assert_string_equal(r1, "secret");
    assert_string_equal(r2, "4242");
    /* A round with no prompts is answered at once, without asking. */
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_INFO_REQUEST), 0);
    put_info_request(&b, 0, "", "");
    assert_int_equal(feed(c, &b), 0);
    assert_int_equal(c->asked.calls, 1);
    assert_string_equal(last_request(c, &rd), "msg 61");
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_SUCCESS), 0);
    assert_int_equal(feed(c, &b), 0);
    assert_int_equal(c->res, USERAUTH_SUCCESS);
    /* An answer after the outcome is ignored. */
    assert_int_equal(answer(c, "late", "late", NULL), 0);
    free(r1);
    free(r2);
    buf_cleanup(&b);
    cli_free(c);
}

static void
test_password_tries(void **state)
{
    struct cli *c = cli_new(NULL, 2);
    char *pw = NULL;
    bool change = true;
    struct rd rd;

    (void)state;
    to_methods(c, "password");
    assert_int_equal(c->asked.calls, 1);
    assert_string_equal(c->asked.prompt[0], "alice@srv's password: ");
    assert_false(c->asked.echo[0]);
    assert_string_equal(c->asked.notice, "");
    assert_int_equal(answer(c, "wrong", NULL, NULL), 0);
    assert_string_equal(last_request(c, &rd), "password");
    assert_int_equal(rd_bool(&rd, &change), 0);
    assert_false(change);
    assert_int_equal(rd_cstring(&rd, &pw, 64), 0);
    assert_string_equal(pw, "wrong");
    assert_int_equal(rd_end(&rd), 0);
    failure(c, "password");
    assert_int_equal(c->asked.calls, 2);
    assert_string_equal(c->asked.notice,
                        "Permission denied, please try again.");
    assert_int_equal(answer(c, "wrong", NULL, NULL), 0);
    /* NumberOfPasswordPrompts 2: no third prompt, denied. */
    failure(c, "password");
    assert_int_equal(c->asked.calls, 2);
    assert_int_equal(c->res, USERAUTH_DENIED);
    assert_string_equal(userauth_client_methods(c->u), "password");
    free(pw);
    cli_free(c);
}

static void
test_preferred_and_give_up(void **state)
{
    struct cli *c = cli_new("password,keyboard-interactive", 3);
    struct rd rd;

    (void)state;
    to_methods(c, "keyboard-interactive,password");
    assert_int_equal(c->asked.calls, 1);
    assert_string_equal(c->asked.prompt[0], "alice@srv's password: ");
    /* No answer could be had: password is given up, kbd-int is next. */
    assert_int_equal(userauth_client_answered(c->u, NULL, 0, &c->s, &c->res),
                     0);
    assert_string_equal(last_request(c, &rd), "keyboard-interactive");
    /* No INFO_REQUEST came for it: not asked again (ssh's info_req_seen);
     * nothing left. */
    failure(c, "keyboard-interactive,password");
    assert_int_equal(c->res, USERAUTH_DENIED);
    cli_free(c);
    /* An asker that refuses at once: the method is skipped. */
    c = cli_new("password", 3);
    c->asked.refuse = -1;
    to_methods(c, "password");
    assert_int_equal(c->res, USERAUTH_DENIED);
    cli_free(c);
    /* Only publickey allowed: nothing is asked. */
    c = cli_new(NULL, 3);
    to_methods(c, "publickey");
    assert_int_equal(c->asked.calls, 0);
    assert_int_equal(c->res, USERAUTH_DENIED);
    cli_free(c);
}

static void
test_password_change(void **state)
{
    struct cli *c = cli_new(NULL, 3);
    char *oldpw = NULL, *newpw = NULL;
    bool change = false;
    struct rd rd;
    struct buf b;

    (void)state;
    buf_init(&b);
    to_methods(c, "password");
    assert_int_equal(answer(c, "old", NULL, NULL), 0);
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_PASSWD_CHANGEREQ), 0);
    assert_int_equal(buf_put_cstring(&b, "Expired."), 0);
    assert_int_equal(buf_put_cstring(&b, ""), 0);
    assert_int_equal(feed(c, &b), 0);
    assert_int_equal(c->asked.n, 3);
    assert_string_equal(c->asked.instruction, "Expired.");
    assert_string_equal(c->asked.prompt[0], "Enter alice@srv's old password: ");
    assert_string_equal(c->asked.prompt[1], "Enter alice@srv's new password: ");
    assert_string_equal(c->asked.prompt[2],
                        "Retype alice@srv's new password: ");
    /* A mismatch asks the new one again, with ssh's line. */
    assert_int_equal(answer(c, "old", "new1", "new2"), 0);
    assert_int_equal(c->asked.n, 2);
    assert_string_equal(c->asked.notice, "Mismatch; try again, EOF to quit.");
    assert_int_equal(answer(c, "new1", "new1", NULL), 0);
    assert_string_equal(last_request(c, &rd), "password");
    assert_int_equal(rd_bool(&rd, &change), 0);
    assert_true(change);
    assert_int_equal(rd_cstring(&rd, &oldpw, 64), 0);
    assert_int_equal(rd_cstring(&rd, &newpw, 64), 0);
    assert_int_equal(rd_end(&rd), 0);
    assert_string_equal(oldpw, "old");
    assert_string_equal(newpw, "new1");
    free(oldpw);
    free(newpw);
    buf_cleanup(&b);
    cli_free(c);
}

static void
test_out_of_place(void **state)
{
    struct cli *c = cli_new(NULL, 3);
    char *one[1] = {"a"};
    struct buf b;

    (void)state;
    buf_init(&b);
    /* Answers nobody asked for. */
    assert_int_equal(userauth_client_answered(c->u, one, 1, &c->s, &c->res),
                     ERR_INVAL);
    /* An INFO_REQUEST while the password is asked (no keyboard-interactive
     * request out) reads as a PK_OK nobody asked for. */
    to_methods(c, "password");
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_INFO_REQUEST), 0);
    put_info_request(&b, 1, "x", "");
    assert_int_equal(feed(c, &b), ERR_PROTO);
    buf_cleanup(&b);
    cli_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_truncated_and_trailing),
        cmocka_unit_test(test_decode_limits),
        cmocka_unit_test(test_kbdint_two_prompts),
        cmocka_unit_test(test_password_tries),
        cmocka_unit_test(test_preferred_and_give_up),
        cmocka_unit_test(test_password_change),
        cmocka_unit_test(test_out_of_place),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
