/* SPDX-License-Identifier: ISC */
/* Error codes: every fallible function returns 0 or one of these. */
#ifndef ADIT_UTIL_ERR_H
#define ADIT_UTIL_ERR_H

enum err {
    ERR_OK = 0,
    /* generic */
    ERR_NOMEM = -1,    /* allocation failed */
    ERR_INVAL = -2,    /* bad argument from our own code or config */
    ERR_LIMIT = -3,    /* a named limit (adit_limits.h) was exceeded */
    ERR_INTERNAL = -4, /* a library call failed unexpectedly */
    /* wire */
    ERR_TRUNC = -10,    /* input ended before a field did */
    ERR_TRAILING = -11, /* bytes left over after the last field */
    ERR_FORMAT = -12,   /* a field holds a value that is not allowed */
    /* crypto and keys */
    ERR_CRYPTO = -20,        /* libcrypto refused an operation */
    ERR_MAC = -21,           /* message authentication failed */
    ERR_SIG = -22,           /* signature did not verify */
    ERR_KEY_TYPE = -23,      /* unknown or unsupported key type */
    ERR_KEY_FORMAT = -24,    /* malformed key file or blob */
    ERR_KEY_ENCRYPTED = -25, /* key file is passphrase-protected */
    ERR_PASSPHRASE = -26,    /* wrong passphrase for an encrypted key */
    /* transport */
    ERR_PROTO = -30,        /* peer broke the protocol */
    ERR_VERSION = -31,      /* bad or unsupported version line */
    ERR_KEX_NOMATCH = -32,  /* no common algorithm */
    ERR_HOSTKEY = -33,      /* host key rejected */
    ERR_DISCONNECTED = -34, /* peer sent SSH_MSG_DISCONNECT */
    ERR_STRICT_KEX = -35,   /* strict-kex violation */
    ERR_AGAIN = -36,        /* need more input; not an error for callers */
    /* auth and connection */
    ERR_AUTH = -40,    /* authentication failed */
    ERR_DENIED = -41,  /* refused by policy */
    ERR_CHANNEL = -42, /* unknown channel or bad channel state */
    ERR_WINDOW = -43,  /* peer sent more than the window allows */
    /* io and config */
    ERR_IO = -50,       /* system call failed (see errno / uv status) */
    ERR_TIMEOUT = -51,  /* an operation took too long */
    ERR_RESOLVE = -52,  /* name resolution failed */
    ERR_REFUSED = -53,  /* connection refused */
    ERR_CONFIG = -54,   /* bad configuration */
    ERR_NOTFOUND = -55, /* no such file, entry or item */
    ERR_EXISTS = -56,   /* already exists / in use */
};

/* A short English description of an err code; never NULL. */
const char *err_str(int code);

#endif
