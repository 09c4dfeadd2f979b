/* SPDX-License-Identifier: ISC */
/* Error code descriptions. */
#include "util/err.h"

const char *
err_str(int code)
{
    /* One line per code reads as the table it is. */
    /* clang-format off */
    switch (code) {
    case ERR_OK: return "success";
    case ERR_NOMEM: return "out of memory";
    case ERR_INVAL: return "invalid argument";
    case ERR_LIMIT: return "limit exceeded";
    case ERR_INTERNAL: return "internal error";
    case ERR_TRUNC: return "message truncated";
    case ERR_TRAILING: return "trailing data in message";
    case ERR_FORMAT: return "invalid format";
    case ERR_CRYPTO: return "cryptographic operation failed";
    case ERR_MAC: return "message authentication code incorrect";
    case ERR_SIG: return "signature verification failed";
    case ERR_KEY_TYPE: return "unknown or unsupported key type";
    case ERR_KEY_FORMAT: return "invalid key format";
    case ERR_KEY_ENCRYPTED: return "key is encrypted";
    case ERR_PASSPHRASE:
        return "incorrect passphrase supplied to decrypt private key";
    case ERR_PROTO: return "protocol error";
    case ERR_VERSION: return "invalid protocol version";
    case ERR_KEX_NOMATCH: return "no matching algorithm";
    case ERR_HOSTKEY: return "host key verification failed";
    case ERR_DISCONNECTED: return "disconnected by peer";
    case ERR_STRICT_KEX: return "strict KEX violation";
    case ERR_AGAIN: return "need more data";
    case ERR_AUTH: return "authentication failed";
    case ERR_DENIED: return "administratively prohibited";
    case ERR_CHANNEL: return "channel error";
    case ERR_WINDOW: return "channel window exceeded";
    case ERR_IO: return "I/O error";
    case ERR_TIMEOUT: return "timed out";
    case ERR_RESOLVE: return "name resolution failed";
    case ERR_REFUSED: return "connection refused";
    case ERR_CONFIG: return "configuration error";
    case ERR_NOTFOUND: return "not found";
    case ERR_EXISTS: return "already exists";
    }
    /* clang-format on */
    return "unknown error";
}
