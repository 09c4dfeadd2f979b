/* SPDX-License-Identifier: ISC */
/* Every limit on what a peer or a file may make us hold, in one place. */
#ifndef ADIT_UTIL_LIMITS_H
#define ADIT_UTIL_LIMITS_H

/* Version exchange (RFC 4253 4.2): a line is at most 255 bytes with CR LF. */
#define LIM_VERSION_LINE 255
/* Lines a server may send before its banner (OpenSSH allows 1024). */
#define LIM_VERSION_PRELINES 1024

/*
 * Binary packet protocol. OpenSSH accepts packets up to 256 KiB; RFC 4253
 * 6.1 only promises 35000, so we never send more than LIM_PACKET_SEND.
 */
#define LIM_PACKET_RECV (256u * 1024u)
#define LIM_PACKET_SEND 35000u
#define LIM_PACKET_MIN 16u /* smallest legal packet incl. length */
#define LIM_PADDING_MIN 4u
#define LIM_PADDING_MAX 255u
/* A compressed payload may inflate to no more than this (decompression
 * bombs end the connection; Dropbear caps it the same way). */
#define LIM_PAYLOAD_INFLATED LIM_PACKET_RECV
/* Payload room: room for CHANNEL_DATA with a 32 KiB chunk plus headers. */
#define LIM_CHAN_PACKET (32u * 1024u)
/*
 * The maximum packet a channel advertises when the peer is adit too: a
 * whole LIM_PACKET_RECV packet less room for the CHANNEL_DATA header,
 * padding and length fields, so a bulk transfer costs one local read, one
 * cipher call and one packet per 255 KiB instead of per 32 KiB.
 */
#define LIM_CHAN_PACKET_ADIT (LIM_PACKET_RECV - 1024u)

/* Name-lists and strings inside messages. */
#define LIM_NAMELIST 4096u     /* one name-list in KEXINIT etc. */
#define LIM_NAME 64u           /* one algorithm name */
#define LIM_STRING_SMALL 1024u /* user names, service names, hosts */
#define LIM_HOSTNAME 255u      /* a DNS name (RFC 1035) */
#define LIM_UNIX_PATH 107u     /* a Unix socket path (sun_path less NUL) */
#define LIM_JUMP_HOPS 16u      /* ProxyJump hosts in one chain */
/* Files in UserKnownHostsFile, and in GlobalKnownHostsFile (ssh's
 * SSH_MAX_HOSTS_FILES). */
#define LIM_KNOWN_HOSTS_FILES 32u
/* Addresses a -L/-D bind name is listened on (ssh binds them all). */
#define LIM_BIND_IPS 16u
#define LIM_KEY_BLOB 16384u /* public key / signature blobs */
#define LIM_MPINT 2048u     /* a DH / RSA integer in bytes */
/* Certificates (PROTOCOL.certkeys); OpenSSH allows 256 principals. */
#define LIM_CERT_PRINCIPALS 256u
#define LIM_CERT_OPTIONS 64u /* critical options, and extensions, each */

/* Key exchange. */
#define LIM_KEX_MESSAGES 64u         /* packets during one key exchange */
#define LIM_REKEY_BYTES (1ull << 30) /* default rekey after 1 GiB */
#define LIM_REKEY_SECONDS 3600u      /* default rekey after one hour */
/*
 * Finite-field DH groups (RFC 4419 3, RFC 8270): smaller primes are
 * refused from a server, larger ones are never asked for or offered.
 */
#define LIM_DH_GROUP_MIN_BITS 2048u
#define LIM_DH_GROUP_MAX_BITS 8192u

/* Authentication. */
#define LIM_AUTH_TRIES 6u       /* OpenSSH MaxAuthTries default */
#define LIM_UNAUTH_PACKETS 256u /* packets before authentication */
#define LIM_LOGIN_GRACE_MS 120000u

/* Connection protocol. */
/* Open channels per connection: OpenSSH's CHANNELS_MAX_CHANNELS, so one
 * tunnel holds 10,000 forwarded connections (an idle one costs about 1 KB
 * on each side: its socket handle and channel state, no buffer). */
#define LIM_CHANNELS 16384u
#define LIM_RFWDS 256u /* aditd: reverse forwards per connection */
/* aditd: a direct-tcpip target's name lookup and connect, together
 * (AditdConnectTimeout: default, and the largest allowed). */
#define LIM_CONNECT_TIMEOUT_S 10u
#define LIM_CONNECT_TIMEOUT_MAX_S 600u
#define LIM_WINDOW_INITIAL (2u * 1024u * 1024u) /* our receive window */
/*
 * All the receive windows of one connection together: each is data the
 * peer may make us hold (a target that does not read keeps it queued).
 * Past this, a new channel gets LIM_CHAN_PACKET, one packet, and grows
 * back as the others give their share back, so a connection holds at most
 * LIM_CONN_WINDOWS + LIM_CHANNELS * LIM_CHAN_PACKET (576 MiB with every
 * channel open into targets that never read; OpenSSH's bound there is
 * its 16384 channels of 2 MiB windows each).
 */
#define LIM_CONN_WINDOWS (64u * 1024u * 1024u)
/*
 * Peer data queued for local sockets, all channels of one connection
 * together: past this the connection is not read until it is down to
 * half (so one slow target, holding at most its window, never stops the
 * others). The windows above allow far more when thousands of channels
 * go into targets that never read; this bounds what they cost, to about
 * this plus one read (IO_READ_SIZE).
 */
#define LIM_CONN_QUEUED (2u * LIM_WINDOW_MAX)
#define LIM_WINDOW_MAX (16u * 1024u * 1024u)
#define LIM_CHAN_HIGHWATER (4u * 1024u * 1024u) /* queued per channel */
#define LIM_OUTQ_HIGHWATER (8u * 1024u * 1024u) /* queued per connection */
/*
 * Past the high-water mark channels stop reading, so channel data can
 * overshoot it by at most one packet per channel. Replies to the peer's
 * own requests are not bounded that way: a peer that stops reading while
 * sending requests would grow our output forever. Beyond this hard cap the
 * connection is ended instead.
 */
#define LIM_OUTQ_MAX (64u * 1024u * 1024u)

/*
 * -D dynamic forwarding: one SOCKS4/4a/5 or HTTP CONNECT request, HTTP
 * headers included, is all a client may send before its tunnel exists
 * (SOCKS requests are at most about 600 bytes; 8 KiB of headers is what
 * common HTTP proxies accept). SOCKS4 user ids are not used but bounded.
 */
#define LIM_PROXY_REQUEST 8192u
#define LIM_SOCKS4_USERID 255u
/* A -D client that has not sent a whole request by then is dropped. */
#define LIM_PROXY_REQUEST_MS 30000u
/* -D clients in their handshake at once, per listener; more are closed. */
#define LIM_PROXY_PENDING 256u

/* The user name of a "~user/path" in a file name (ssh_tokens_tilde);
 * a longer one is no user (login names are far shorter: LOGIN_NAME_MAX
 * is 256 with its NUL on Linux). */
#define LIM_TILDE_USER 255u

/* ssh-agent: one message on the agent socket (OpenSSH's agent takes
 * 256 KiB), and identities taken from one answer. */
#define LIM_AGENT_MSG (256u * 1024u)
#define LIM_AGENT_KEYS 1024u
/* An agent that has not answered by then is given up (ssh waits forever;
 * this leaves time to confirm an `ssh-add -c` key). */
#define LIM_AGENT_REPLY_MS 30000u

/* X11 forwarding: xauth is run at start-up (ssh waits for it without a
 * bound; an X server that hangs must not hang us), and what it prints is
 * read up to this much. */
#define LIM_XAUTH_MS 10000u
#define LIM_XAUTH_OUTPUT 4096u

/* Files we read. */
#define LIM_FILE_SIZE (4u * 1024u * 1024u) /* key files, authorized_keys */
#define LIM_LINE 8192u                     /* one line of a text file */
#define LIM_AUTHKEYS 100000u               /* entries in authorized_keys */
#define LIM_PERMIT_ENTRIES 4096u           /* permitopen/permitlisten */
/* aditd_config lines kept (and Match blocks), to apply per login. */
#define LIM_CONFIG_LINES 100000u

/* Control socket (adit status, aditd status) and metrics endpoint. */
#define LIM_CTL_REQUEST 4096u /* one request line, newline included */
#define LIM_CTL_ARGS 16u      /* words after the command */
#define LIM_CTL_RESPONSE (32u * 1024u * 1024u) /* one response body */
#define LIM_CTL_CLIENTS 16u                    /* control connections at once */
#define LIM_CTL_IDLE_MS 10000u /* a control connection with nothing asked */
#define LIM_CTL_FDS 3u         /* descriptors passed with one request */
#define LIM_MUX_FWDS 64u       /* forwards added at runtime (-O forward) */
#define LIM_MUX_CLIENTS 64u    /* control connections of a master at once */
#define LIM_HTTP_REQUEST 8192u /* a metrics request, headers included */
#define LIM_HTTP_CLIENTS 16u
#define LIM_HTTP_MS 10000u /* a scrape from accept to the last byte */
#define LIM_JSON_DEPTH 16u

/*
 * Encrypted key files (bcrypt_pbkdf): ssh-keygen writes 16 rounds (-a);
 * each round costs a few milliseconds, so a file cannot make us spin for
 * hours. A fuzzing build keeps it small so mutated files stay fast.
 */
#ifdef ADIT_FUZZING
#define LIM_KDF_ROUNDS 64u
#else
#define LIM_KDF_ROUNDS 10000u
#endif
#define LIM_KDF_SALT 1024u /* ssh-keygen writes 16 bytes */
#define LIM_KDF_OUT 1024u  /* key plus IV: 64 bytes at most today */
/* A passphrase or password typed or given by SSH_ASKPASS (ssh reads at
 * most 1023 bytes). */
#define LIM_PASSPHRASE 1024u
/* Prompts in one keyboard-interactive INFO_REQUEST (sshd takes at most 100
 * responses), and the bytes of one prompt, name or instruction. */
#define LIM_KBDINT_PROMPTS 100u
#define LIM_KBDINT_TEXT 4096u

/* Buffers never grow beyond this. */
#define LIM_BUF_MAX (64u * 1024u * 1024u)

#endif
