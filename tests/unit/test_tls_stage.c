/* test_tls_stage.c
 * Unit tests of the TLS stage machine (docs/spec.md sections 4 and 5): each test
 * builds real-looking TLS byte streams in memory, feeds them through
 * tls_conv_on_segment packet by packet and checks the stages of every
 * packet ("a b | c | -", `|` between packets, `-` for a packet without a
 * completed record), the TLS phase of every packet and the conversation
 * summary.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tls_stage.h"

#define C true  /* sent by the client */
#define S false /* sent by the server */

#define MS 1000000 /* tls_time_t is in nanoseconds */

/* ---- an allocator that keeps track of what the machine holds ---- */

#define HEAP_MAX 8192

static struct {
    void  *live[HEAP_MAX];
    size_t live_count;
    long   allocs;
    long   releases;
    long   bad_releases; /* release of a pointer never handed out */
    long   bad_ctx;      /* called with a ctx that is not ours */
} heap;

static void *
heap_alloc(void *ctx, size_t size)
{
    void *p;

    if (ctx != &heap)
        heap.bad_ctx++;
    p = malloc(size ? size : 1);
    if (p == NULL)
        abort();
    if (heap.live_count < HEAP_MAX)
        heap.live[heap.live_count++] = p;
    heap.allocs++;
    return p;
}

static void
heap_release(void *ctx, void *ptr)
{
    size_t i;

    if (ctx != &heap)
        heap.bad_ctx++;
    for (i = 0; i < heap.live_count; i++) {
        if (heap.live[i] == ptr) {
            heap.live[i] = heap.live[--heap.live_count];
            heap.releases++;
            free(ptr);
            return;
        }
    }
    heap.bad_releases++;
}

static const tls_allocator_t test_allocator = { heap_alloc, heap_release, &heap };

static bool
heap_owns(const void *p)
{
    size_t i;

    for (i = 0; i < heap.live_count; i++)
        if (heap.live[i] == p)
            return true;
    return false;
}

/* Every allocation still live must be one the conversation references (an
 * out-of-order segment or a hello body being kept), and nothing else. */
static void
check_heap(const tls_conv_t *conv, const char *what)
{
    size_t referenced = 0;
    bool   all_owned = true;
    int    d;

    for (d = 0; d < 2; d++) {
        const tls_flow_t    *f = &conv->flow[d];
        const tls_pending_t *seg;
        uint32_t             bytes = 0;

        for (seg = f->pending; seg != NULL; seg = seg->next) {
            referenced++;
            bytes += seg->len;
            all_owned = all_owned && heap_owns(seg);
        }
        if (bytes != f->pending_bytes) {
            check_failed++;
            printf("FAIL %s: pending_bytes %u, pending list holds %u\n", what,
                   (unsigned)f->pending_bytes, (unsigned)bytes);
        }
        if (f->plain.capture != NULL) {
            referenced++;
            all_owned = all_owned && heap_owns(f->plain.capture);
        }
        if (f->decrypted.capture != NULL) {
            referenced++;
            all_owned = all_owned && heap_owns(f->decrypted.capture);
        }
    }
    if (all_owned && referenced == heap.live_count && heap.bad_releases == 0 && heap.bad_ctx == 0) {
        check_passed++;
    } else {
        check_failed++;
        printf("FAIL %s: %zu allocations live, %zu referenced by the conversation, "
               "%ld bad releases, %ld bad ctx\n",
               what, heap.live_count, referenced, heap.bad_releases, heap.bad_ctx);
    }
}

/* There is no tls_conv_free(): the plugin's file-scope wmem frees
 * everything. Release what the conversation still references so that the
 * next test starts with an empty heap (and LeakSanitizer stays quiet). */
static void
drop_conv(tls_conv_t *conv)
{
    int d;

    for (d = 0; d < 2; d++) {
        tls_flow_t *f = &conv->flow[d];

        while (f->pending != NULL) {
            tls_pending_t *seg = f->pending;
            f->pending = seg->next;
            heap_release(&heap, seg);
        }
        f->pending_bytes = 0;
        if (f->plain.capture != NULL)
            heap_release(&heap, f->plain.capture);
        if (f->decrypted.capture != NULL)
            heap_release(&heap, f->decrypted.capture);
        f->plain.capture = NULL;
        f->decrypted.capture = NULL;
    }
    /* Anything left was not referenced: a leak. Free it anyway. */
    while (heap.live_count > 0)
        free(heap.live[--heap.live_count]);
    heap.bad_releases = 0;
    heap.bad_ctx = 0;
}

/* ---- byte buffers ---- */

typedef struct {
    uint8_t *p;
    size_t   n;
    size_t   cap;
} buf_t;

static void
put(buf_t *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        b->p = (uint8_t *)realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void
put8(buf_t *b, unsigned v)
{
    uint8_t x = (uint8_t)v;

    put(b, &x, 1);
}

static void
put16(buf_t *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}

static void
put24(buf_t *b, unsigned v)
{
    put8(b, v >> 16);
    put8(b, v >> 8);
    put8(b, v);
}

/* n bytes of a counting pattern starting at seed: looks like ciphertext,
 * never all zero. */
static void
put_fill(buf_t *b, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++)
        put8(b, (seed + i * 37u) & 0xFF);
}

static void
put_buf(buf_t *b, const buf_t *src)
{
    put(b, src->p, src->n);
}

static void
buf_free(buf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* Patches a 16-bit length at offset off to cover up to the end. */
static void
patch16(buf_t *b, size_t off)
{
    size_t len = b->n - off - 2;

    b->p[off] = (uint8_t)(len >> 8);
    b->p[off + 1] = (uint8_t)len;
}

/* ---- handshake messages (type, uint24 length, body) ---- */

enum {
    HT_CLIENT_HELLO = 1,
    HT_SERVER_HELLO = 2,
    HT_NEW_SESSION_TICKET = 4,
    HT_ENCRYPTED_EXTENSIONS = 8,
    HT_CERTIFICATE = 11,
    HT_SERVER_KEY_EXCHANGE = 12,
    HT_CERTIFICATE_REQUEST = 13,
    HT_SERVER_HELLO_DONE = 14,
    HT_CERTIFICATE_VERIFY = 15,
    HT_CLIENT_KEY_EXCHANGE = 16,
    HT_FINISHED = 20,
    HT_KEY_UPDATE = 24
};

static const uint8_t hrr_random[32] = { 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
                                        0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
                                        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
                                        0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C };

/* A message with a body of body_len pattern bytes. */
static void
msg_fill(buf_t *out, uint8_t type, size_t body_len)
{
    put8(out, type);
    put24(out, (unsigned)body_len);
    put_fill(out, body_len, type * 11u);
}

static void
msg_wrap(buf_t *out, uint8_t type, const buf_t *body)
{
    put8(out, type);
    put24(out, (unsigned)body->n);
    put_buf(out, body);
}

typedef struct {
    const uint8_t *sni; /* NULL: no server_name extension */
    size_t         sni_len;
    bool           tls13;   /* supported_versions, key_share, psk modes */
    bool           psk;     /* pre_shared_key (last extension) */
    size_t         padding; /* a padding extension of that many bytes */
    int            overrun; /* 1: SNI extension length past the message;
                               2: extensions block length past it;
                               3: host_name length past the extension */
} ch_opts_t;

static void
msg_client_hello_opts(buf_t *out, const ch_opts_t *o)
{
    buf_t  b = { 0 };
    size_t ext_off, sni_off;

    put16(&b, 0x0303);      /* legacy_version */
    put_fill(&b, 32, 0x51); /* random */
    put8(&b, 32);           /* legacy_session_id */
    put_fill(&b, 32, 0x77);
    put16(&b, 8); /* cipher suites */
    put16(&b, 0x1301);
    put16(&b, 0x1302);
    put16(&b, 0xC02F);
    put16(&b, 0xC030);
    put8(&b, 1); /* compression methods */
    put8(&b, 0);
    ext_off = b.n;
    put16(&b, 0); /* extensions length */
    /* supported_groups first, so the SNI is not the first extension */
    put16(&b, 10);
    put16(&b, 6);
    put16(&b, 4);
    put16(&b, 0x001D);
    put16(&b, 0x0017);
    if (o->sni != NULL) {
        put16(&b, 0); /* server_name */
        sni_off = b.n;
        put16(&b, 0);
        put16(&b, (unsigned)(o->sni_len + 3)); /* server_name_list */
        put8(&b, 0);                           /* host_name */
        put16(&b, o->overrun == 3 ? (unsigned)(o->sni_len + 100) : (unsigned)o->sni_len);
        put(&b, o->sni, o->sni_len);
        patch16(&b, sni_off);
        if (o->overrun == 1) {
            b.p[sni_off] = 0x7F; /* far past the message */
            b.p[sni_off + 1] = 0xF0;
        }
    }
    if (o->tls13) {
        put16(&b, 43); /* supported_versions */
        put16(&b, 5);
        put8(&b, 4);
        put16(&b, 0x0304);
        put16(&b, 0x0303);
        put16(&b, 51); /* key_share */
        put16(&b, 38);
        put16(&b, 36);
        put16(&b, 0x001D);
        put16(&b, 32);
        put_fill(&b, 32, 0x99);
        put16(&b, 45); /* psk_key_exchange_modes */
        put16(&b, 2);
        put8(&b, 1);
        put8(&b, 1);
    }
    if (o->padding > 0) {
        put16(&b, 21);
        put16(&b, (unsigned)o->padding);
        put_fill(&b, o->padding, 0);
    }
    if (o->psk) {
        put16(&b, 41); /* pre_shared_key */
        put16(&b, 2 + 2 + 32 + 4 + 2 + 1 + 32);
        put16(&b, 2 + 32 + 4); /* identities */
        put16(&b, 32);
        put_fill(&b, 32, 0x42);
        put16(&b, 0);
        put16(&b, 0x1234);
        put16(&b, 33); /* binders */
        put8(&b, 32);
        put_fill(&b, 32, 0x43);
    }
    patch16(&b, ext_off);
    if (o->overrun == 2) {
        b.p[ext_off] = 0xFF;
        b.p[ext_off + 1] = 0xFF;
    }
    msg_wrap(out, HT_CLIENT_HELLO, &b);
    buf_free(&b);
}

static void
msg_client_hello(buf_t *out, const char *sni, bool tls13)
{
    ch_opts_t o;

    memset(&o, 0, sizeof(o));
    o.sni = (const uint8_t *)sni;
    o.sni_len = sni ? strlen(sni) : 0;
    o.tls13 = tls13;
    msg_client_hello_opts(out, &o);
}

/* supported_version 0: no supported_versions extension (TLS <= 1.2). */
static void
msg_server_hello_ex(buf_t *out, uint16_t legacy, uint16_t supported_version, bool hrr, bool psk)
{
    buf_t  b = { 0 };
    size_t ext_off;

    put16(&b, legacy);
    if (hrr)
        put(&b, hrr_random, sizeof(hrr_random));
    else
        put_fill(&b, 32, 0x33);
    put8(&b, 32); /* session id echo */
    put_fill(&b, 32, 0x77);
    put16(&b, supported_version == 0x0304 ? 0x1301 : 0xC02F);
    put8(&b, 0); /* compression */
    ext_off = b.n;
    put16(&b, 0);
    put16(&b, 0xFF01); /* renegotiation_info */
    put16(&b, 1);
    put8(&b, 0);
    if (supported_version != 0) {
        put16(&b, 43);
        put16(&b, 2);
        put16(&b, supported_version);
    }
    if (hrr) {
        put16(&b, 51); /* key_share: selected_group */
        put16(&b, 2);
        put16(&b, 0x0017);
    } else if (supported_version == 0x0304) {
        put16(&b, 51);
        put16(&b, 36);
        put16(&b, 0x001D);
        put16(&b, 32);
        put_fill(&b, 32, 0x98);
    }
    if (psk) {
        put16(&b, 41);
        put16(&b, 2);
        put16(&b, 0); /* selected_identity */
    }
    patch16(&b, ext_off);
    msg_wrap(out, HT_SERVER_HELLO, &b);
    buf_free(&b);
}

static void
msg_server_hello(buf_t *out, uint16_t supported_version, bool psk)
{
    msg_server_hello_ex(out, 0x0303, supported_version, false, psk);
}

static void
msg_hello_retry_request(buf_t *out)
{
    msg_server_hello_ex(out, 0x0303, 0x0304, true, false);
}

/* TLS 1.2 Certificate: certificate_list of one certificate. */
static void
msg_certificate12(buf_t *out, size_t cert_len)
{
    put8(out, HT_CERTIFICATE);
    put24(out, (unsigned)(3 + 3 + cert_len));
    put24(out, (unsigned)(3 + cert_len));
    put24(out, (unsigned)cert_len);
    put8(out, 0x30); /* looks like DER */
    put8(out, 0x82);
    put_fill(out, cert_len - 2, 0x30);
}

/* TLS 1.3 Certificate: context, list of (cert, extensions). */
static void
msg_certificate13(buf_t *out, size_t cert_len)
{
    put8(out, HT_CERTIFICATE);
    put24(out, (unsigned)(1 + 3 + 3 + cert_len + 2));
    put8(out, 0);
    put24(out, (unsigned)(3 + cert_len + 2));
    put24(out, (unsigned)cert_len);
    put_fill(out, cert_len, 0x30);
    put16(out, 0);
}

static void
msg_server_key_exchange(buf_t *out)
{
    put8(out, HT_SERVER_KEY_EXCHANGE);
    put24(out, 1 + 2 + 1 + 65 + 2 + 2 + 256);
    put8(out, 3); /* named_curve */
    put16(out, 0x0017);
    put8(out, 65);
    put_fill(out, 65, 0x04);
    put16(out, 0x0401); /* rsa_pkcs1_sha256 */
    put16(out, 256);
    put_fill(out, 256, 0x5A);
}

static void
msg_client_key_exchange(buf_t *out)
{
    put8(out, HT_CLIENT_KEY_EXCHANGE);
    put24(out, 1 + 65);
    put8(out, 65);
    put_fill(out, 65, 0x04);
}

static void
msg_empty(buf_t *out, uint8_t type)
{
    put8(out, type);
    put24(out, 0);
}

/* ---- records ---- */

static void
rec(buf_t *out, uint8_t type, const uint8_t *body, size_t len)
{
    put8(out, type);
    put16(out, type == TLS_CT_HANDSHAKE && len > 0 && body[0] == HT_CLIENT_HELLO ? 0x0301 : 0x0303);
    put16(out, (unsigned)len);
    put(out, body, len);
}

static void
rec_buf(buf_t *out, uint8_t type, const buf_t *body)
{
    rec(out, type, body->p, body->n);
}

/* A ciphertext record of len bytes. */
static void
rec_enc(buf_t *out, uint8_t type, size_t len)
{
    put8(out, type);
    put16(out, 0x0303);
    put16(out, (unsigned)len);
    put_fill(out, len, (unsigned)len);
}

static void
rec_ccs(buf_t *out)
{
    static const uint8_t one = 1;

    rec(out, TLS_CT_CHANGE_CIPHER_SPEC, &one, 1);
}

static void
rec_alert(buf_t *out, uint8_t level, uint8_t description)
{
    uint8_t a[2];

    a[0] = level;
    a[1] = description;
    rec(out, TLS_CT_ALERT, a, 2);
}

/* One handshake message in a record of its own. */
static void
rec_msg(buf_t *out, void (*build)(buf_t *))
{
    buf_t m = { 0 };

    build(&m);
    rec_buf(out, TLS_CT_HANDSHAKE, &m);
    buf_free(&m);
}

static void
build_cert1200(buf_t *b)
{
    msg_certificate12(b, 1200);
}
static void
build_ske(buf_t *b)
{
    msg_server_key_exchange(b);
}
static void
build_shd(buf_t *b)
{
    msg_empty(b, HT_SERVER_HELLO_DONE);
}
static void
build_cke(buf_t *b)
{
    msg_client_key_exchange(b);
}
static void
build_sh12(buf_t *b)
{
    msg_server_hello(b, 0, false);
}
static void
build_sh13(buf_t *b)
{
    msg_server_hello(b, 0x0304, false);
}
static void
build_nst12(buf_t *b)
{
    msg_fill(b, HT_NEW_SESSION_TICKET, 4 + 2 + 160);
}

static void
rec_client_hello(buf_t *out, const char *sni, bool tls13)
{
    buf_t m = { 0 };

    msg_client_hello(&m, sni, tls13);
    rec_buf(out, TLS_CT_HANDSHAKE, &m);
    buf_free(&m);
}

/* TLS 1.2 server's first flight, one record per message. */
static void
flight12_server(buf_t *out)
{
    rec_msg(out, build_sh12);
    rec_msg(out, build_cert1200);
    rec_msg(out, build_ske);
    rec_msg(out, build_shd);
}

/* The same flight in one record, as SChannel sends it. */
static void
flight12_server_one_record(buf_t *out)
{
    buf_t m = { 0 };

    msg_server_hello(&m, 0, false);
    msg_certificate12(&m, 1200);
    msg_server_key_exchange(&m);
    msg_empty(&m, HT_SERVER_HELLO_DONE);
    rec_buf(out, TLS_CT_HANDSHAKE, &m);
    buf_free(&m);
}

/* Client's second flight: CKE, CCS, encrypted Finished (AES-GCM: 8 bytes
 * explicit nonce + 16 plaintext + 16 tag). */
static void
flight12_client_finish(buf_t *out)
{
    rec_msg(out, build_cke);
    rec_ccs(out);
    rec_enc(out, TLS_CT_HANDSHAKE, 40);
}

static void
flight12_server_finish(buf_t *out)
{
    rec_ccs(out);
    rec_enc(out, TLS_CT_HANDSHAKE, 40);
}

/* TLS 1.3 server flight without keys: SH, CCS, then EE, Certificate,
 * CertificateVerify, Finished as four application_data records. */
static void
flight13_server(buf_t *out)
{
    rec_msg(out, build_sh13);
    rec_ccs(out);
    rec_enc(out, TLS_CT_APPLICATION_DATA, 6 + 1 + 16);
    rec_enc(out, TLS_CT_APPLICATION_DATA, 1800);
    rec_enc(out, TLS_CT_APPLICATION_DATA, 264 + 1 + 16);
    rec_enc(out, TLS_CT_APPLICATION_DATA, 36 + 1 + 16);
}

/* ---- a conversation driven packet by packet ---- */

#define MAX_PKTS 64

typedef struct {
    tls_conv_t   conv;
    uint32_t     next_seq[2]; /* [0] client, [1] server */
    int          npkts;
    tls_packet_t out[MAX_PKTS];
} sess_t;

static void
sess_init_seq(sess_t *s, uint32_t client_isn, uint32_t server_isn)
{
    memset(s, 0, sizeof(*s));
    heap.allocs = heap.releases = 0;
    tls_conv_init(&s->conv, &test_allocator);
    s->next_seq[0] = client_isn;
    s->next_seq[1] = server_isn;
}

static void
sess_init(sess_t *s)
{
    sess_init_seq(s, 1000001, 3000000001u);
}

static tls_time_t
pkt_time(int index)
{
    return (tls_time_t)(index + 1) * MS; /* packet i at (i + 1) ms */
}

/* The general form: any seq, captured/wire lengths, decrypted records. */
static const tls_packet_t *
send_at(sess_t *s, bool from_client, uint32_t seq, const uint8_t *data, uint32_t captured,
        uint32_t len, const tls_plaintext_t *plain, size_t plain_count)
{
    tls_packet_t *out;
    uint32_t     *next = &s->next_seq[from_client ? 0 : 1];

    if (s->npkts >= MAX_PKTS) {
        printf("test error: more than %d packets\n", MAX_PKTS);
        abort();
    }
    out = &s->out[s->npkts];
    /* out is filled with garbage first: the machine must clear it */
    memset(out, 0xA5, sizeof(*out));
    tls_conv_on_segment(&s->conv, from_client, seq, data, captured, len, pkt_time(s->npkts), plain,
                        plain_count, out);
    s->npkts++;
    if ((int32_t)(seq + len - *next) > 0)
        *next = seq + len;
    return out;
}

static const tls_packet_t *
send_bytes(sess_t *s, bool from_client, const uint8_t *data, size_t len)
{
    return send_at(s, from_client, s->next_seq[from_client ? 0 : 1], data, (uint32_t)len,
                   (uint32_t)len, NULL, 0);
}

static const tls_packet_t *
send_buf(sess_t *s, bool from_client, const buf_t *b)
{
    return send_bytes(s, from_client, b->p, b->n);
}

static const tls_packet_t *
send_plain(sess_t *s, bool from_client, const buf_t *b, const tls_plaintext_t *plain,
           size_t plain_count)
{
    return send_at(s, from_client, s->next_seq[from_client ? 0 : 1], b->p, (uint32_t)b->n,
                   (uint32_t)b->n, plain, plain_count);
}

/* Sends b in pieces cut at the given offsets (ascending, 0 < cut < n). */
static void
send_split(sess_t *s, bool from_client, const buf_t *b, const size_t *cuts, size_t ncuts)
{
    size_t i, start = 0;

    for (i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : b->n;
        send_bytes(s, from_client, b->p + start, end - start);
        start = end;
    }
}

static void
append(char *dst, size_t size, const char *src)
{
    size_t used = strlen(dst);

    if (used + strlen(src) + 1 <= size)
        strcpy(dst + used, src);
}

/* "client_hello | server_hello certificate | -" */
static void
stages_of(const sess_t *s, char *dst, size_t size)
{
    int i, j;

    dst[0] = '\0';
    for (i = 0; i < s->npkts; i++) {
        const tls_packet_t *p = &s->out[i];

        if (i > 0)
            append(dst, size, " | ");
        if (p->count == 0)
            append(dst, size, "-");
        for (j = 0; j < p->count && j < TLS_MAX_STAGES_PER_PACKET; j++) {
            if (j > 0)
                append(dst, size, " ");
            append(dst, size, tls_stage_name((tls_stage_t)p->stages[j]));
        }
    }
}

/* "handshake | application | -" */
static void
phases_of(const sess_t *s, char *dst, size_t size)
{
    int i;

    dst[0] = '\0';
    for (i = 0; i < s->npkts; i++) {
        tls_phase_t ph = tls_packet_phase(&s->out[i]);

        if (i > 0)
            append(dst, size, " | ");
        append(dst, size, ph == 0 ? "-" : tls_phase_name(ph));
    }
}

/* "..F.." : F on the packets with failed_here */
static void
failed_of(const sess_t *s, char *dst, size_t size)
{
    int i;

    for (i = 0; i < s->npkts && (size_t)i + 1 < size; i++)
        dst[i] = s->out[i].failed_here ? 'F' : '.';
    dst[i] = '\0';
}

#define EXPECT_STAGES(s, expected) \
    do { \
        char got_[8192]; \
        stages_of((s), got_, sizeof(got_)); \
        CHECK_STR(got_, (expected), "stages"); \
    } while (0)

#define EXPECT_PHASES(s, expected) \
    do { \
        char got_[4096]; \
        phases_of((s), got_, sizeof(got_)); \
        CHECK_STR(got_, (expected), "phases"); \
    } while (0)

#define EXPECT_FAILED_HERE(s, expected) \
    do { \
        char got_[MAX_PKTS + 1]; \
        failed_of((s), got_, sizeof(got_)); \
        CHECK_STR(got_, (expected), "failed_here"); \
    } while (0)

#define EXPECT_RESULT(s, expected) \
    CHECK_STR(tls_result_name(tls_conv_result(&(s)->conv)), (expected), "result")

static bool
no_drops(const sess_t *s)
{
    int i;

    for (i = 0; i < s->npkts; i++)
        if (s->out[i].dropped != 0)
            return false;
    return true;
}

static void
finish(sess_t *s, const char *what)
{
    CHECK(no_drops(s));
    check_heap(&s->conv, what);
    drop_conv(&s->conv);
}

/* Most sessions open the same way: a ClientHello (TLS 1.3's when tls13)
 * naming sni, sent whole; b is left empty for the next flight. */
static void
sess_start(sess_t *s, buf_t *b, const char *sni, bool tls13)
{
    sess_init(s);
    rec_client_hello(b, sni, tls13);
    send_buf(s, C, b);
    b->n = 0;
}

static void
sess_end(sess_t *s, buf_t *b, const char *what)
{
    finish(s, what);
    buf_free(b);
}

/* ---- 1. TLS 1.2 full handshake ---- */

static void
run_tls12_full(sess_t *s)
{
    buf_t b = { 0 };

    sess_init(s);
    rec_client_hello(&b, "www.example.com", false);
    send_buf(s, C, &b); /* 1 ms */
    b.n = 0;
    flight12_server(&b);
    send_buf(s, S, &b); /* 2 ms */
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(s, C, &b); /* 3 ms */
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(s, S, &b); /* 4 ms */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 8 + 78 + 16); /* GET */
    send_buf(s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 8 + 612 + 16); /* response */
    send_buf(s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_ALERT, 8 + 2 + 16); /* close_notify */
    send_buf(s, C, &b);
    buf_free(&b);
}

static void
test_tls12_full_handshake(void)
{
    sess_t     s;
    tls_time_t t = -1;

    run_tls12_full(&s);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished"
                  " | application_data"
                  " | application_data"
                  " | encrypted_alert");
    EXPECT_PHASES(
        &s, "handshake | handshake | handshake | handshake | application | application | alert");
    EXPECT_FAILED_HERE(&s, ".......");
    EXPECT_RESULT(&s, "established");
    CHECK(s.conv.version == 0x0303);
    CHECK_STR(tls_version_name(s.conv.version), "TLS 1.2", "version label");
    CHECK_STR(s.conv.sni, "www.example.com", "sni");
    CHECK(!tls_conv_resumed(&s.conv));
    CHECK(tls_conv_handshake_time(&s.conv, &t) && t == 3 * MS); /* 1 ms -> 4 ms */
    CHECK(s.conv.alert_seen);
    /* the close after the alert does not turn it into a failure */
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "established");
    finish(&s, "tls12 full");
}

/* The hello bodies are kept only until the message completes. */
static void
test_hello_memory_released(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cut;

    sess_init(&s);
    rec_client_hello(&b, "a.example", true);
    cut = b.n - 40;
    send_at(&s, C, s.next_seq[0], b.p, (uint32_t)cut, (uint32_t)cut, NULL, 0);
    CHECK(heap.live_count == 1); /* the ClientHello being kept */
    check_heap(&s.conv, "client hello half way");
    send_at(&s, C, s.next_seq[0], b.p + cut, (uint32_t)(b.n - cut), (uint32_t)(b.n - cut), NULL, 0);
    CHECK(heap.live_count == 0);
    CHECK(heap.allocs == heap.releases);
    CHECK_STR(s.conv.sni, "a.example", "sni");
    EXPECT_STAGES(&s, "- | client_hello");
    sess_end(&s, &b, "hello memory");
}

/* ---- 2. TLS 1.3 without keys ---- */

static void
test_tls13_without_keys(void)
{
    sess_t     s;
    buf_t      b = { 0 };
    tls_time_t t = -1;

    sess_start(&s, &b, "tls13.example.org", true);
    flight13_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 32 + 4 + 1 + 16);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 120);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 250); /* NewSessionTicket */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 250); /* NewSessionTicket */
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 1400);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 19); /* close_notify */
    send_buf(&s, C, &b);
    buf_free(&b);

    EXPECT_STAGES(
        &s,
        "client_hello"
        " | server_hello change_cipher_spec encrypted_handshake encrypted_handshake"
        " encrypted_handshake encrypted_handshake"
        " | change_cipher_spec finished"
        " | application_data"
        " | application_data application_data"
        " | application_data"
        " | application_data"); /* docs/spec.md section 4: undecidable, never a handshake stage */
    EXPECT_PHASES(&s,
                  "handshake | handshake | handshake | application | application | application"
                  " | application");
    EXPECT_FAILED_HERE(&s, ".......");
    EXPECT_RESULT(&s, "established");
    CHECK(s.conv.version == 0x0304);
    CHECK_STR(tls_version_name(s.conv.version), "TLS 1.3", "version label");
    CHECK_STR(s.conv.sni, "tls13.example.org", "sni");
    CHECK(!tls_conv_resumed(&s.conv));
    CHECK(tls_conv_handshake_time(&s.conv, &t) && t == 2 * MS);
    finish(&s, "tls13 no keys");
}

/* The server's flight spread over several segments, the client answering
 * after all of it. */
static void
test_tls13_without_keys_segmented_flight(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cuts[2];

    sess_start(&s, &b, "seg.example", true);
    flight13_server(&b);
    cuts[0] = 1000;
    cuts[1] = 2000;
    send_split(&s, S, &b, cuts, 2);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    send_buf(&s, C, &b);
    buf_free(&b);
    /* SH 132 + CCS 6 + EE 28 = 166; the Certificate record ends at 1971 */
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello change_cipher_spec encrypted_handshake"
                  " | encrypted_handshake"
                  " | encrypted_handshake encrypted_handshake"
                  " | change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    finish(&s, "tls13 segmented");
}

/* ---- 3. TLS 1.3 with keys ---- */

static void
test_tls13_with_keys_one_record(void)
{
    sess_t               s;
    buf_t                b = { 0 }, hs = { 0 }, fin = { 0 }, nst = { 0 }, ku = { 0 };
    static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: keys.example\r\n\r\n";
    static const uint8_t close_notify[2] = { 1, 0 };
    tls_plaintext_t      pt[2];
    tls_time_t           t = -1;

    sess_init(&s);
    rec_client_hello(&b, "keys.example", true);
    send_buf(&s, C, &b);

    /* EE + Certificate + CertificateVerify + Finished in one record */
    msg_fill(&hs, HT_ENCRYPTED_EXTENSIONS, 6);
    msg_certificate13(&hs, 900);
    msg_fill(&hs, HT_CERTIFICATE_VERIFY, 4 + 256);
    msg_fill(&hs, HT_FINISHED, 32);
    b.n = 0;
    rec_msg(&b, build_sh13);
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, hs.n + 1 + 16);
    pt[0].content_type = TLS_CT_HANDSHAKE;
    pt[0].data = hs.p;
    pt[0].len = (uint32_t)hs.n;
    send_plain(&s, S, &b, pt, 1);

    msg_fill(&fin, HT_FINISHED, 32);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, fin.n + 1 + 16);
    pt[0].data = fin.p;
    pt[0].len = (uint32_t)fin.n;
    send_plain(&s, C, &b, pt, 1);

    msg_fill(&nst, HT_NEW_SESSION_TICKET, 4 + 4 + 1 + 8 + 2 + 192 + 2);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, nst.n + 1 + 16);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, sizeof(http) + 1 + 16);
    pt[0].data = nst.p;
    pt[0].len = (uint32_t)nst.n;
    pt[1].content_type = TLS_CT_APPLICATION_DATA;
    pt[1].data = http;
    pt[1].len = sizeof(http);
    send_plain(&s, S, &b, pt, 2);

    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, sizeof(http) + 1 + 16);
    send_plain(&s, C, &b, &pt[1], 1);

    put8(&ku, HT_KEY_UPDATE);
    put24(&ku, 1);
    put8(&ku, 1);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, ku.n + 1 + 16);
    pt[0].data = ku.p;
    pt[0].len = (uint32_t)ku.n;
    send_plain(&s, S, &b, pt, 1);

    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 19);
    pt[0].content_type = TLS_CT_ALERT;
    pt[0].data = close_notify;
    pt[0].len = 2;
    send_plain(&s, C, &b, pt, 1);

    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello change_cipher_spec encrypted_extensions certificate"
                  " certificate_verify finished"
                  " | change_cipher_spec finished"
                  " | new_session_ticket application_data"
                  " | application_data"
                  " | key_update"
                  " | alert");
    EXPECT_PHASES(&s,
                  "handshake | handshake | handshake | application | application | application"
                  " | alert");
    EXPECT_FAILED_HERE(&s, ".......");
    CHECK(s.out[6].alert_count == 1 && s.out[6].alerts[0] == 0); /* close_notify */
    EXPECT_RESULT(&s, "established");
    CHECK(s.conv.version == 0x0304);
    CHECK(tls_conv_handshake_time(&s.conv, &t) && t == 2 * MS);
    finish(&s, "tls13 keys one record");
    buf_free(&b);
    buf_free(&hs);
    buf_free(&fin);
    buf_free(&nst);
    buf_free(&ku);
}

/* One decrypted record per message, and an encrypted record split over two
 * segments: the plaintext comes with the segment that completes it. */
static void
test_tls13_with_keys_several_records(void)
{
    sess_t          s;
    buf_t           b = { 0 }, ee = { 0 }, cert = { 0 }, cv = { 0 }, fin = { 0 }, cfin = { 0 };
    tls_plaintext_t pt[3];
    size_t          cut;

    sess_init(&s);
    rec_client_hello(&b, "keys2.example", true);
    send_buf(&s, C, &b);

    msg_fill(&ee, HT_ENCRYPTED_EXTENSIONS, 6);
    msg_certificate13(&cert, 1500);
    msg_fill(&cv, HT_CERTIFICATE_VERIFY, 4 + 256);
    msg_fill(&fin, HT_FINISHED, 32);
    b.n = 0;
    rec_msg(&b, build_sh13);
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, ee.n + 17);
    cut = b.n + 700; /* inside the Certificate record */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, cert.n + 17);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, cv.n + 17);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, fin.n + 17);
    pt[0].content_type = TLS_CT_HANDSHAKE;
    pt[0].data = ee.p;
    pt[0].len = (uint32_t)ee.n;
    send_at(&s, S, s.next_seq[1], b.p, (uint32_t)cut, (uint32_t)cut, pt, 1);
    pt[0].data = cert.p;
    pt[0].len = (uint32_t)cert.n;
    pt[1].content_type = TLS_CT_HANDSHAKE;
    pt[1].data = cv.p;
    pt[1].len = (uint32_t)cv.n;
    pt[2].content_type = TLS_CT_HANDSHAKE;
    pt[2].data = fin.p;
    pt[2].len = (uint32_t)fin.n;
    send_at(&s, S, s.next_seq[1], b.p + cut, (uint32_t)(b.n - cut), (uint32_t)(b.n - cut), pt, 3);

    msg_fill(&cfin, HT_FINISHED, 32);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, cfin.n + 17);
    pt[0].data = cfin.p;
    pt[0].len = (uint32_t)cfin.n;
    send_plain(&s, C, &b, pt, 1);

    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello change_cipher_spec encrypted_extensions"
                  " | certificate certificate_verify finished"
                  " | change_cipher_spec finished");
    EXPECT_PHASES(&s, "handshake | handshake | handshake | handshake");
    EXPECT_RESULT(&s, "established");
    finish(&s, "tls13 keys several records");
    buf_free(&b);
    buf_free(&ee);
    buf_free(&cert);
    buf_free(&cv);
    buf_free(&fin);
    buf_free(&cfin);
}

/* TLS 1.2 with keys: the encrypted Finished and alert decrypted. */
static void
test_tls12_with_keys(void)
{
    sess_t               s;
    buf_t                b = { 0 }, fin = { 0 };
    static const uint8_t unexpected[2] = { 2, 10 };
    tls_plaintext_t      pt[1];

    sess_start(&s, &b, "keys12.example", false);
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    msg_fill(&fin, HT_FINISHED, 12);
    pt[0].content_type = TLS_CT_HANDSHAKE;
    pt[0].data = fin.p;
    pt[0].len = (uint32_t)fin.n;
    send_plain(&s, C, &b, pt, 1);
    b.n = 0;
    flight12_server_finish(&b);
    send_plain(&s, S, &b, pt, 1);
    b.n = 0;
    rec_enc(&b, TLS_CT_ALERT, 26);
    pt[0].content_type = TLS_CT_ALERT;
    pt[0].data = unexpected;
    pt[0].len = 2;
    send_plain(&s, S, &b, pt, 1);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished"
                  " | alert");
    EXPECT_PHASES(&s, "handshake | handshake | handshake | handshake | alert");
    /* decrypted: an alert, and which one */
    CHECK(s.out[4].alert_count == 1 && s.out[4].alerts[0] == 10);
    CHECK(s.out[0].alert_count == 0 && s.out[3].alert_count == 0);
    EXPECT_RESULT(&s, "established");
    finish(&s, "tls12 keys");
    buf_free(&b);
    buf_free(&fin);
}

/* ---- 4. segmentation, retransmission, reordering ---- */

/* A record header split across segments. */
static void
test_record_header_split(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cuts[1];
    size_t sh_len;

    sess_start(&s, &b, "split.example", false);
    rec_msg(&b, build_sh12);
    rec_msg(&b, build_cert1200);
    sh_len = b.n;
    rec_msg(&b, build_ske);
    rec_msg(&b, build_shd);
    cuts[0] = sh_len + 2; /* 2 bytes of the SKE header */
    send_split(&s, S, &b, cuts, 1);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate"
                  " | server_key_exchange server_hello_done");
    sess_end(&s, &b, "header split");
}

/* Record bodies split across segments, one message per record. */
static void
test_record_body_split(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cuts[3];

    sess_start(&s, &b, "split.example", false);
    rec_msg(&b, build_sh12);
    cuts[0] = b.n + 5 + 2; /* 2 bytes into the cert message header */
    cuts[1] = 600;         /* inside the certificate */
    rec_msg(&b, build_cert1200);
    cuts[2] = b.n + 5 + 100; /* inside the SKE body */
    rec_msg(&b, build_ske);
    rec_msg(&b, build_shd);
    send_split(&s, S, &b, cuts, 3);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello"
                  " | -"
                  " | certificate"
                  " | server_key_exchange server_hello_done");
    CHECK(s.conv.server_certificate_seen);
    EXPECT_RESULT(&s, "in_progress");
    sess_end(&s, &b, "body split");
}

/* Every way of cutting the TLS 1.2 server flight (one message per record)
 * into two segments names the same records. */
static void
test_every_two_way_split(void)
{
    buf_t  b = { 0 }, ch = { 0 };
    size_t cut;
    int    bad = 0;
    char   first[1100];

    rec_client_hello(&ch, "every.example", false);
    flight12_server(&b);
    for (cut = 1; cut < b.n; cut++) {
        sess_t s;
        char   got[1024];
        char  *bar;

        sess_init(&s);
        send_buf(&s, C, &ch);
        send_split(&s, S, &b, &cut, 1);
        stages_of(&s, got, sizeof(got));
        /* join the two server packets: "x | y" -> "x y", "- | y" -> "y" */
        bar = strstr(got, " | ");
        if (bar == NULL) {
            bad++;
        } else {
            char        joined[1024];
            const char *p2, *p1 = bar + 3;

            p2 = strstr(p1, " | ");
            joined[0] = '\0';
            if (p2 != NULL) {
                char   a[512];
                size_t la = (size_t)(p2 - p1);

                memcpy(a, p1, la);
                a[la] = '\0';
                if (strcmp(a, "-") != 0)
                    append(joined, sizeof(joined), a);
                if (strcmp(p2 + 3, "-") != 0) {
                    if (joined[0])
                        append(joined, sizeof(joined), " ");
                    append(joined, sizeof(joined), p2 + 3);
                }
            }
            if (strcmp(joined, "server_hello certificate server_key_exchange server_hello_done")) {
                if (bad++ == 0)
                    snprintf(first, sizeof(first), "cut at %zu: %s", cut, got);
            }
        }
        check_heap(&s.conv, "every split");
        drop_conv(&s.conv);
    }
    if (bad)
        printf("  first bad split: %s\n", first);
    CHECK(bad == 0);
    buf_free(&b);
    buf_free(&ch);
}

/* SChannel packs SH, Certificate, SKE and SHD into one handshake record,
 * which then spans several TCP segments: all four messages complete in the
 * segment that completes the record. */
static void
test_multi_message_record_split(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cuts[1];

    sess_start(&s, &b, "schannel.example", false);
    flight12_server_one_record(&b);
    cuts[0] = 700; /* inside the certificate */
    send_split(&s, S, &b, cuts, 1);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | -"
                  " | server_hello certificate server_key_exchange server_hello_done");
    CHECK(s.conv.version == 0x0303);
    sess_end(&s, &b, "multi-message record split");
}

/* The same record in one segment, for comparison. */
static void
test_multi_message_record_whole(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "schannel.example", false);
    flight12_server_one_record(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello | server_hello certificate server_key_exchange server_hello_done");
    sess_end(&s, &b, "multi-message record whole");
}

/* The ClientHello itself split right after its first bytes (as DPI-evasion
 * tools do): it completes in the second segment. */
static void
test_client_hello_header_split(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cuts[1];

    sess_init(&s);
    rec_client_hello(&b, "evade.example", true);
    cuts[0] = 3;
    send_split(&s, C, &b, cuts, 1);
    EXPECT_STAGES(&s, "- | client_hello");
    CHECK_STR(s.conv.sni, "evade.example", "sni");
    EXPECT_RESULT(&s, "in_progress");
    sess_end(&s, &b, "client hello header split");
}

static void
test_client_hello_body_split(void)
{
    sess_t     s;
    buf_t      b = { 0 };
    size_t     cuts[2];
    tls_time_t t = -1;

    sess_init(&s);
    rec_client_hello(&b, "body.example", true);
    cuts[0] = 9; /* after the handshake header */
    cuts[1] = 100;
    send_split(&s, C, &b, cuts, 2);
    EXPECT_STAGES(&s, "- | - | client_hello");
    CHECK_STR(s.conv.sni, "body.example", "sni");
    b.n = 0;
    flight13_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    send_buf(&s, C, &b);
    EXPECT_RESULT(&s, "established");
    /* the client's Finished is at 5 ms; the ClientHello starts at 1 ms and
     * completes at 3 ms (docs/spec.md section 5 does not say which of the two counts) */
    CHECK(tls_conv_handshake_time(&s.conv, &t));
    CHECK(t == 4 * MS || t == 2 * MS);
    sess_end(&s, &b, "client hello body split");
}

/* Several records in one segment: the client's CKE+CCS+Finished with
 * False Start data, the server's CCS+Finished with data after it. */
static void
test_several_records_one_segment(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "many.example", false);
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 100); /* False Start */
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 300);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 300);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished application_data"
                  " | change_cipher_spec finished application_data application_data");
    /* the server's packet holds the second Finished and data after it */
    EXPECT_PHASES(&s, "handshake | handshake | handshake | handshake");
    CHECK(s.out[3].phase_mask == ((1u << TLS_PHASE_HANDSHAKE) | (1u << TLS_PHASE_APPLICATION)));
    EXPECT_RESULT(&s, "established");
    sess_end(&s, &b, "several records");
}

static void
test_retransmission(void)
{
    sess_t     s;
    buf_t      ch = { 0 }, b = { 0 };
    uint32_t   ch_seq, sh_seq;
    tls_time_t t = -1;

    sess_init(&s);
    rec_client_hello(&ch, "retx.example", false);
    ch_seq = s.next_seq[0];
    send_buf(&s, C, &ch);
    send_at(&s, C, ch_seq, ch.p, (uint32_t)ch.n, (uint32_t)ch.n, NULL, 0); /* again */
    flight12_server(&b);
    sh_seq = s.next_seq[1];
    send_buf(&s, S, &b);
    send_at(&s, S, sh_seq, b.p, (uint32_t)b.n, (uint32_t)b.n, NULL, 0); /* again */
    /* a retransmission of only the first 100 bytes */
    send_at(&s, S, sh_seq, b.p, 100, 100, NULL, 0);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello | -"
                  " | server_hello certificate server_key_exchange server_hello_done | - | -"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished");
    EXPECT_PHASES(&s, "handshake | - | handshake | - | - | handshake | handshake");
    EXPECT_RESULT(&s, "established");
    /* the retransmitted ClientHello does not move the start */
    CHECK(tls_conv_handshake_time(&s.conv, &t) && t == 6 * MS);
    finish(&s, "retransmission");
    buf_free(&ch);
    buf_free(&b);
}

/* Three segments of the server's flight, the third before the second: it
 * waits, then both complete with the second. */
static void
test_out_of_order(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t base;
    size_t   a_end = 700, b_end = 1400;

    sess_start(&s, &b, "ooo.example", false);
    flight12_server(&b);
    base = s.next_seq[1];
    send_at(&s, S, base, b.p, (uint32_t)a_end, (uint32_t)a_end, NULL, 0);
    send_at(&s, S, base + (uint32_t)b_end, b.p + b_end, (uint32_t)(b.n - b_end),
            (uint32_t)(b.n - b_end), NULL, 0);
    CHECK(s.conv.flow[1].pending != NULL);
    CHECK(s.conv.flow[1].pending_bytes == b.n - b_end);
    check_heap(&s.conv, "out of order, waiting");
    send_at(&s, S, base + (uint32_t)a_end, b.p + a_end, (uint32_t)(b_end - a_end),
            (uint32_t)(b_end - a_end), NULL, 0);
    CHECK(s.conv.flow[1].pending == NULL && s.conv.flow[1].pending_bytes == 0);
    /* the late copy of the third segment is a retransmission now */
    send_at(&s, S, base + (uint32_t)b_end, b.p + b_end, (uint32_t)(b.n - b_end),
            (uint32_t)(b.n - b_end), NULL, 0);
    EXPECT_STAGES(
        &s,
        "client_hello | server_hello | - | certificate server_key_exchange server_hello_done | -");
    EXPECT_PHASES(&s, "handshake | handshake | - | handshake | -");
    CHECK(heap.live_count == 0);
    sess_end(&s, &b, "out of order");
}

/* Two out-of-order segments waiting at once, the later one arriving first,
 * one of them twice, and a gap filler that overlaps the first waiting one. */
static void
test_out_of_order_several_pending(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t base;

    sess_start(&s, &b, "ooo2.example", false);
    flight12_server(&b);
    base = s.next_seq[1];
    send_at(&s, S, base, b.p, 100, 100, NULL, 0);
    send_at(&s, S, base + 1000, b.p + 1000, (uint32_t)(b.n - 1000), (uint32_t)(b.n - 1000), NULL,
            0);
    send_at(&s, S, base + 500, b.p + 500, 500, 500, NULL, 0);
    send_at(&s, S, base + 500, b.p + 500, 500, 500, NULL, 0); /* twice */
    check_heap(&s.conv, "two waiting");
    /* fills 100..600: overlaps the waiting 500..1000 */
    send_at(&s, S, base + 100, b.p + 100, 500, 500, NULL, 0);
    EXPECT_STAGES(&s,
                  "client_hello | server_hello | - | - | -"
                  " | certificate server_key_exchange server_hello_done");
    CHECK(s.conv.flow[1].pending == NULL && s.conv.flow[1].pending_bytes == 0);
    CHECK(heap.live_count == 0);
    sess_end(&s, &b, "several pending");
}

/* A segment that repeats bytes already seen and carries new ones. */
static void
test_overlapping_segment(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t base;

    sess_start(&s, &b, "overlap.example", false);
    flight12_server(&b);
    base = s.next_seq[1];
    send_at(&s, S, base, b.p, 1000, 1000, NULL, 0);
    send_at(&s, S, base + 400, b.p + 400, (uint32_t)(b.n - 400), (uint32_t)(b.n - 400), NULL, 0);
    EXPECT_STAGES(
        &s, "client_hello | server_hello | certificate server_key_exchange server_hello_done");
    sess_end(&s, &b, "overlap");
}

/* Sequence numbers that wrap around 2^32 in the middle of the flight. */
static void
test_sequence_wrap(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t cuts[2] = { 500, 1000 };

    sess_init_seq(&s, 0xFFFFFF00u, 0xFFFFFE00u);
    rec_client_hello(&b, "wrap.example", false);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server(&b);
    send_split(&s, S, &b, cuts, 2);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(
        &s,
        "client_hello | server_hello | - | certificate server_key_exchange server_hello_done"
        " | client_key_exchange change_cipher_spec finished | change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    sess_end(&s, &b, "wrap");
}

/* ---- 5. HelloRetryRequest ---- */

static void
test_hello_retry_request(void)
{
    sess_t     s;
    buf_t      b = { 0 }, m = { 0 };
    tls_time_t t = -1;

    sess_start(&s, &b, "hrr.example", true);
    msg_hello_retry_request(&m);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b); /* middlebox compatibility */
    rec_client_hello(&b, "hrr.example", true);
    send_buf(&s, C, &b);
    b.n = 0;
    flight13_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53); /* no second CCS */
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 400);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | hello_retry_request"
                  " | change_cipher_spec client_hello"
                  " | server_hello change_cipher_spec encrypted_handshake encrypted_handshake"
                  " encrypted_handshake encrypted_handshake"
                  " | finished"
                  " | application_data");
    EXPECT_PHASES(&s, "handshake | handshake | handshake | handshake | handshake | application");
    EXPECT_RESULT(&s, "established");
    CHECK(s.conv.hrr_seen);
    CHECK(s.conv.version == 0x0304);
    CHECK(!tls_conv_resumed(&s.conv));
    CHECK(tls_conv_handshake_time(&s.conv, &t) && t == 4 * MS);
    finish(&s, "hrr");
    buf_free(&b);
    buf_free(&m);
}

/* The server sends its compatibility CCS right after the HRR. */
static void
test_hello_retry_request_with_server_ccs(void)
{
    sess_t s;
    buf_t  b = { 0 }, m = { 0 };

    sess_start(&s, &b, "hrr2.example", true);
    msg_hello_retry_request(&m);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    rec_ccs(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_client_hello(&b, "hrr2.example", true);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_msg(&b, build_sh13); /* no second CCS from the server */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 23);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 900);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | hello_retry_request change_cipher_spec"
                  " | change_cipher_spec client_hello"
                  " | server_hello encrypted_handshake encrypted_handshake"
                  " | finished");
    EXPECT_RESULT(&s, "established");
    finish(&s, "hrr server ccs");
    buf_free(&b);
    buf_free(&m);
}

/* A HelloRetryRequest whose record spans two segments is still one. */
static void
test_hello_retry_request_split(void)
{
    sess_t s;
    buf_t  b = { 0 }, m = { 0 };
    size_t cuts[1];

    sess_start(&s, &b, "hrr3.example", true);
    msg_hello_retry_request(&m);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    cuts[0] = 30; /* inside the random */
    send_split(&s, S, &b, cuts, 1);
    EXPECT_STAGES(&s, "client_hello | - | hello_retry_request");
    CHECK(s.conv.hrr_seen);
    finish(&s, "hrr split");
    buf_free(&b);
    buf_free(&m);
}

/* ---- 6. resumption ---- */

static void
test_tls12_abbreviated(void)
{
    sess_t     s;
    buf_t      b = { 0 };
    tls_time_t t = -1;

    sess_start(&s, &b, "resume.example", false);
    rec_msg(&b, build_sh12);
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_HANDSHAKE, 40);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 90);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello change_cipher_spec finished"
                  " | change_cipher_spec finished"
                  " | application_data");
    EXPECT_PHASES(&s, "handshake | handshake | handshake | application");
    EXPECT_RESULT(&s, "established");
    CHECK(tls_conv_resumed(&s.conv));
    CHECK(s.conv.version == 0x0303);
    CHECK(tls_conv_handshake_time(&s.conv, &t) && t == 2 * MS);
    sess_end(&s, &b, "tls12 abbreviated");
}

/* A full handshake in which the server issues a ticket: not resumed. */
static void
test_tls12_new_session_ticket_full(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "ticket.example", false);
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_msg(&b, build_nst12);
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | new_session_ticket change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    CHECK(!tls_conv_resumed(&s.conv));
    sess_end(&s, &b, "tls12 ticket full");
}

/* Resumption by ticket: SH, NewSessionTicket, CCS, Finished. */
static void
test_tls12_new_session_ticket_resumed(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "ticket.example", false);
    rec_msg(&b, build_sh12);
    rec_msg(&b, build_nst12);
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_HANDSHAKE, 40);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello new_session_ticket change_cipher_spec finished"
                  " | change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    CHECK(tls_conv_resumed(&s.conv));
    sess_end(&s, &b, "tls12 ticket resumed");
}

static void
test_tls13_psk(void)
{
    sess_t    s;
    buf_t     b = { 0 }, m = { 0 };
    ch_opts_t o;

    sess_init(&s);
    memset(&o, 0, sizeof(o));
    o.sni = (const uint8_t *)"psk.example";
    o.sni_len = strlen("psk.example");
    o.tls13 = true;
    o.psk = true;
    msg_client_hello_opts(&m, &o);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    send_buf(&s, C, &b);
    b.n = 0;
    m.n = 0;
    msg_server_hello(&m, 0x0304, true);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 23); /* EncryptedExtensions */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53); /* Finished */
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello change_cipher_spec encrypted_handshake encrypted_handshake"
                  " | change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    CHECK(s.conv.psk_accepted);
    CHECK(tls_conv_resumed(&s.conv));
    CHECK(s.conv.version == 0x0304);
    finish(&s, "tls13 psk");
    buf_free(&b);
    buf_free(&m);
}

/* ---- 7. failures ---- */

static void
test_tls12_unknown_ca(void)
{
    sess_t     s;
    buf_t      b = { 0 };
    tls_time_t t;

    sess_start(&s, &b, "badcert.example", false);
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_alert(&b, 2, 48); /* fatal unknown_ca */
    send_buf(&s, C, &b);
    EXPECT_STAGES(
        &s,
        "client_hello | server_hello certificate server_key_exchange server_hello_done | alert");
    /* a plaintext alert is readable: its description is reported */
    CHECK(s.out[2].alert_count == 1 && s.out[2].alerts[0] == 48);
    CHECK_STR(tls_alert_name(s.out[2].alerts[0]), "unknown_ca", "alert name");
    EXPECT_PHASES(&s, "handshake | handshake | alert");
    EXPECT_FAILED_HERE(&s, "..F");
    EXPECT_RESULT(&s, "failed");
    CHECK(!tls_conv_handshake_time(&s.conv, &t));
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "failed");
    CHECK(s.conv.version == 0x0303);
    sess_end(&s, &b, "unknown_ca");
}

/* A warning alert that does not end the handshake (unrecognized_name,
 * sent by some servers with the ServerHello) is tagged but is no failure. */
static void
test_tls12_warning_alert_is_not_failure(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "other.example", false);
    rec_alert(&b, 1, 112); /* warning unrecognized_name */
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s, "client_hello | alert");
    EXPECT_PHASES(&s, "handshake | alert");
    EXPECT_FAILED_HERE(&s, "..");
    EXPECT_RESULT(&s, "in_progress");
    b.n = 0;
    rec_alert(&b, 1, 0); /* close_notify before completion */
    send_buf(&s, S, &b);
    EXPECT_FAILED_HERE(&s, "..F");
    EXPECT_RESULT(&s, "failed");
    sess_end(&s, &b, "warning alert");
}

/* The server refuses the ClientHello with a plaintext alert. */
static void
test_server_handshake_failure(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "refuse.example", true);
    rec_alert(&b, 2, 40);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s, "client_hello | alert");
    EXPECT_PHASES(&s, "handshake | alert");
    EXPECT_FAILED_HERE(&s, ".F");
    EXPECT_RESULT(&s, "failed");
    CHECK(s.conv.version == 0);
    sess_end(&s, &b, "handshake_failure");
}

/* TLS 1.3: the client's first encrypted record has the size of an alert
 * (bad_certificate instead of its Finished). */
static void
test_tls13_client_refuses(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "refuse13.example", true);
    flight13_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 19);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello change_cipher_spec encrypted_handshake encrypted_handshake"
                  " encrypted_handshake encrypted_handshake"
                  " | change_cipher_spec encrypted_alert");
    EXPECT_PHASES(&s, "handshake | handshake | alert");
    EXPECT_FAILED_HERE(&s, "..F");
    EXPECT_RESULT(&s, "failed");
    sess_end(&s, &b, "tls13 client refuses");
}

static void
test_close_before_completion(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init(&s);
    EXPECT_RESULT(&s, "none");
    tls_conv_on_close(&s.conv); /* nothing seen yet */
    EXPECT_RESULT(&s, "none");
    rec_client_hello(&b, "closed.example", false);
    send_buf(&s, C, &b);
    EXPECT_RESULT(&s, "in_progress");
    b.n = 0;
    flight12_server(&b);
    send_buf(&s, S, &b);
    EXPECT_RESULT(&s, "in_progress");
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "failed");
    CHECK(!s.conv.alert_seen);
    sess_end(&s, &b, "close before completion");
}

static void
test_close_after_established(void)
{
    sess_t s;

    run_tls12_full(&s);
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "established");
    finish(&s, "close after established");
}

/* ---- 8. not TLS ---- */

static tls_time_t t_dummy;

static void
test_http_is_not_tls(void)
{
    sess_t            s;
    static const char get[] = "GET / HTTP/1.1\r\nHost: plain.example\r\n\r\n";
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    sess_init(&s);
    send_bytes(&s, C, (const uint8_t *)get, strlen(get));
    send_bytes(&s, S, (const uint8_t *)ok, strlen(ok));
    send_bytes(&s, C, (const uint8_t *)get, strlen(get));
    send_bytes(&s, S, (const uint8_t *)ok, strlen(ok));
    EXPECT_STAGES(&s, "- | - | - | -");
    EXPECT_PHASES(&s, "- | - | - | -");
    EXPECT_RESULT(&s, "none");
    CHECK(s.conv.sni[0] == '\0');
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "none");
    CHECK(heap.allocs == 0);
    CHECK(!tls_segment_may_start(C, true, false, (const uint8_t *)get, strlen(get)));
    CHECK(!tls_segment_may_start(S, false, false, (const uint8_t *)ok, strlen(ok)));
    finish(&s, "http");
}

/* Plaintext first, then a ClientHello that begins a client segment: the
 * TLS walk starts there (an HTTP/1.1 Upgrade, a proxy's CONNECT, ...). */
static void
test_client_hello_after_http(void)
{
    sess_t            s;
    buf_t             b = { 0 };
    static const char get[] = "GET / HTTP/1.1\r\nHost: plain.example\r\n\r\n";
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    sess_init(&s);
    send_bytes(&s, C, (const uint8_t *)get, strlen(get));
    send_bytes(&s, S, (const uint8_t *)ok, strlen(ok));
    rec_client_hello(&b, "late.example", false);
    CHECK(tls_segment_may_start(C, false, false, b.p, (uint32_t)b.n));
    CHECK(!tls_segment_may_start(S, false, false, b.p, (uint32_t)b.n));
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "- | - | client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done");
    EXPECT_PHASES(&s, "- | - | handshake | handshake");
    EXPECT_RESULT(&s, "in_progress");
    CHECK_STR(s.conv.sni, "late.example", "sni after prelude");
    CHECK(s.conv.version == 0x0303);
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "failed");
    sess_end(&s, &b, "client hello after http");
}

/* SMTP STARTTLS: banner, EHLO, STARTTLS, "220 Ready", then the TLS 1.2
 * handshake and application data; the plaintext before carries no stage. */
static void
test_server_speaks_first(void)
{
    sess_t            s;
    buf_t             b = { 0 };
    static const char banner[] = "220 mail.example ESMTP\r\n";
    static const char ehlo[] = "EHLO client.example\r\n";
    static const char caps[] = "250-mail.example\r\n250 STARTTLS\r\n";
    static const char starttls[] = "STARTTLS\r\n";
    static const char ready[] = "220 2.0.0 Ready to start TLS\r\n";

    sess_init(&s);
    send_bytes(&s, S, (const uint8_t *)banner, strlen(banner));
    send_bytes(&s, C, (const uint8_t *)ehlo, strlen(ehlo));
    send_bytes(&s, S, (const uint8_t *)caps, strlen(caps));
    send_bytes(&s, C, (const uint8_t *)starttls, strlen(starttls));
    send_bytes(&s, S, (const uint8_t *)ready, strlen(ready));
    CHECK(heap.allocs == 0);
    rec_client_hello(&b, "mail.example", false);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 40);
    send_buf(&s, C, &b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "- | - | - | - | - | client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished | application_data | application_data");
    EXPECT_PHASES(&s,
                  "- | - | - | - | - | handshake | handshake | handshake | handshake"
                  " | application | application");
    EXPECT_RESULT(&s, "established");
    CHECK_STR(s.conv.sni, "mail.example", "starttls sni");
    CHECK(tls_conv_handshake_time(&s.conv, &t_dummy) && t_dummy == 3 * MS);
    sess_end(&s, &b, "server first");
}

/* ---- 9. TLS picked up mid-stream ---- */

static void
sess_init_midstream(sess_t *s)
{
    sess_init(s);
    tls_conv_allow_midstream(&s->conv);
}

/* A TLS 1.2 session whose capture began after the handshake: a request, a
 * response, another request, the client's close_notify (encrypted). */
static void
test_midstream_tls12(void)
{
    sess_t s;
    buf_t  b = { 0 };
    int    i;

    sess_init_midstream(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 94);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 448);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 94);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 200); /* two records in one segment */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 248);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_ALERT, 26);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "application_data | application_data | application_data"
                  " | application_data application_data | encrypted_alert");
    EXPECT_PHASES(&s, "application | application | application | application | alert");
    EXPECT_FAILED_HERE(&s, ".....");
    EXPECT_RESULT(&s, "midstream");
    CHECK(!s.conv.established && s.conv.version == 0 && s.conv.sni[0] == '\0');
    CHECK(!tls_conv_resumed(&s.conv));
    CHECK(!tls_conv_handshake_time(&s.conv, &t_dummy));
    for (i = 0; i < s.npkts; i++)
        CHECK(s.out[i].alert_count == 0); /* an encrypted alert is not read */
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "midstream");
    sess_end(&s, &b, "midstream tls12");
}

/* Mid-stream with keys: a decrypted handshake message, even one that says
 * ClientHello, names its record and starts no handshake; a close fails
 * nothing that was never seen. */
static void
test_midstream_decrypted_handshake(void)
{
    sess_t          s;
    buf_t           b = { 0 }, hello = { 0 };
    tls_plaintext_t pt[1];

    sess_init_midstream(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 94);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 60);
    msg_fill(&hello, HT_CLIENT_HELLO, 40);
    pt[0].content_type = TLS_CT_HANDSHAKE;
    pt[0].data = hello.p;
    pt[0].len = (uint32_t)hello.n;
    send_plain(&s, C, &b, pt, 1);
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "midstream");
    CHECK(!s.conv.client_hello_seen && !s.conv.failed && !s.conv.established);
    buf_free(&hello);
    sess_end(&s, &b, "midstream decrypted handshake");
}

/* TLS 1.3 mid-stream: every record has the application_data type; the
 * closing alert cannot be told from data. A renegotiation-era handshake
 * record and a heartbeat read as they are. */
static void
test_midstream_tls13(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init_midstream(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 92 - 5);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 446 - 5);
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 19);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_HANDSHAKE, 40);
    rec_enc(&b, TLS_CT_HEARTBEAT, 40);
    rec_ccs(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "application_data | application_data | application_data"
                  " | encrypted_handshake heartbeat change_cipher_spec");
    EXPECT_PHASES(&s, "application | application | application | application");
    EXPECT_RESULT(&s, "midstream");
    sess_end(&s, &b, "midstream tls13");
}

/* A download picked up in the middle of a record: the first segments are
 * the end of a record (no boundary), then a record header inside a
 * segment; the run is followed from there, once its first record lines up
 * with the next header. */
static void
test_midstream_cut_in_a_record(void)
{
    sess_t s;
    buf_t  b = { 0 };
    size_t off, skip = 1000;

    sess_init_midstream(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 3000); /* bytes 0..3004 */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 3000); /* 3005..6009 */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 500);  /* 6010..6514 */
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 3000); /* 6515..9519 */
    /* the capture starts 1000 bytes into the first record; 1448-byte
     * segments from there */
    for (off = skip; off < b.n; off += 1448) {
        size_t n = b.n - off < 1448 ? b.n - off : 1448;
        send_at(&s, S, s.next_seq[1], b.p + off, (uint32_t)n, (uint32_t)n, NULL, 0);
    }
    /* stream offsets of the segments: 1000, 2448, 3896, 5344, 6792, 8240;
     * record 2's header is found inside segment 2 (3005), the record ends
     * at 6009 in segment 4 where record 3's header follows: it lines up;
     * record 3 ends in segment 4 too (6514), record 4 with segment 6
     * (9519, the last byte) */
    EXPECT_STAGES(&s, "- | - | - | application_data application_data | - | application_data");
    EXPECT_PHASES(&s, "- | - | - | application | - | application");
    EXPECT_RESULT(&s, "midstream");
    sess_end(&s, &b, "midstream cut in a record");
}

/* Nothing is guessed across a gap: a candidate run that loses a segment is
 * dropped (the search starts again at the next segment); a run already
 * followed holds what comes after a gap until the gap fills. */
static void
test_midstream_gap(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t seq;

    sess_init_midstream(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 2000); /* 2005 bytes in two segments */
    seq = s.next_seq[1];
    send_at(&s, S, seq, b.p, 1000, 1000, NULL, 0); /* candidate */
    /* its second half is lost; the next record arrives */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 300);
    send_at(&s, S, seq + 2005, b.p, (uint32_t)b.n, (uint32_t)b.n, NULL, 0);
    /* the lost segment shows up late: the run was dropped, nothing is said */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 2000);
    send_at(&s, S, seq + 1000, b.p + 1000, 1005, 1005, NULL, 0);
    EXPECT_STAGES(&s, "- | application_data | -");
    EXPECT_RESULT(&s, "midstream");

    /* now followed: a gap, then the record after it: held, not guessed */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 100);
    seq = seq + 2005 + 305;
    send_at(&s, S, seq + 105, b.p, (uint32_t)b.n, (uint32_t)b.n, NULL, 0);
    EXPECT_STAGES(&s, "- | application_data | - | -");
    send_at(&s, S, seq, b.p, (uint32_t)b.n, (uint32_t)b.n, NULL, 0); /* the gap fills */
    EXPECT_STAGES(&s, "- | application_data | - | - | application_data application_data");
    sess_end(&s, &b, "midstream gap");
}

/* Plaintext protocols picked up mid-stream stay untagged: HTTP, SSH-style
 * length-prefixed packets, and a binary protocol whose messages begin
 * 17 03 03 but whose length counts its own 5-byte header too (so the
 * "records" never line up), and one whose length field reads 0. */
static void
test_midstream_plaintext_lookalikes(void)
{
    sess_t               s;
    buf_t                b = { 0 };
    static const char    get[] = "GET /1.html HTTP/1.1\r\nHost: lab.example\r\n\r\n";
    static const char    ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    static const uint8_t ssh[] = { 0, 0, 0, 12, 4, 0x5e, 'p', 'i', 'n', 'g', '!', '!', 0, 0, 0, 0 };
    static const uint8_t zero_len[] = { 0x17, 0x03, 0x01, 0, 0, 0, 0x10, 'x', 'y', 'z' };
    int                  i;

    sess_init_midstream(&s);
    send_bytes(&s, C, (const uint8_t *)get, strlen(get));
    send_bytes(&s, S, (const uint8_t *)ok, strlen(ok));
    send_bytes(&s, C, ssh, sizeof(ssh));
    send_bytes(&s, S, ssh, sizeof(ssh));
    for (i = 0; i < 4; i++) {
        size_t start = b.n = 0, len = 60 + 20 * (size_t)i;
        put8(&b, 0x17);
        put8(&b, 0x03);
        put8(&b, 0x03);
        put16(&b, (unsigned)(5 + len)); /* the header counted too */
        put(&b,
            "tcpphase lab line 000000 abcdefghijklmnopqrstuvwxyz0123456789\n"
            "tcpphase lab line 000001 abcdefghijklmnopqrstuvwxyz0123456789\n",
            len);
        (void)start;
        send_buf(&s, C, &b);
        send_buf(&s, S, &b);
    }
    send_bytes(&s, C, zero_len, sizeof(zero_len));
    EXPECT_STAGES(&s, "- | - | - | - | - | - | - | - | - | - | - | - | -");
    EXPECT_RESULT(&s, "none");
    CHECK(s.conv.detect != TLS_DETECT_YES);
    sess_end(&s, &b, "midstream plaintext");
}

/* Mid-stream pick-up only where the handshake was not captured: a
 * conversation whose handshake was seen and whose first payload is a
 * ciphertext record is not followed. */
static void
test_records_without_midstream_not_followed(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 94);
    CHECK(!tls_segment_may_start(C, true, false, b.p, (uint32_t)b.n));
    CHECK(tls_segment_may_start(C, true, true, b.p, (uint32_t)b.n));
    send_buf(&s, C, &b);
    send_buf(&s, S, &b);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s, "- | - | -");
    EXPECT_RESULT(&s, "none");
    sess_end(&s, &b, "records, handshake seen");
}

/* STARTTLS in a conversation picked up mid-stream: plaintext, then the
 * ClientHello starts an ordinary walk (result from the handshake). */
static void
test_midstream_then_client_hello(void)
{
    sess_t            s;
    buf_t             b = { 0 };
    static const char starttls[] = "a1 STARTTLS\r\n";
    static const char ok[] = "a1 OK Begin TLS negotiation now\r\n";

    sess_init_midstream(&s);
    send_bytes(&s, C, (const uint8_t *)starttls, strlen(starttls));
    send_bytes(&s, S, (const uint8_t *)ok, strlen(ok));
    rec_client_hello(&b, "imap.example", true);
    send_buf(&s, C, &b);
    b.n = 0;
    flight13_server(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "- | - | client_hello | server_hello change_cipher_spec"
                  " encrypted_handshake encrypted_handshake encrypted_handshake"
                  " encrypted_handshake");
    EXPECT_RESULT(&s, "in_progress");
    CHECK(s.conv.version == 0x0304);
    sess_end(&s, &b, "midstream then client hello");
}

/* ---- 10. SSLv2-format ClientHello ---- */

static void
put_sslv2_hello(buf_t *b, uint16_t version)
{
    size_t body = 1 + 2 + 6 + 9 + 32;

    put8(b, 0x80 | (unsigned)(body >> 8));
    put8(b, (unsigned)body & 0xFF);
    put8(b, 1); /* client_hello */
    put16(b, version);
    put16(b, 9);  /* cipher specs */
    put16(b, 0);  /* session id */
    put16(b, 32); /* challenge */
    put8(b, 0);
    put16(b, 0xC02F);
    put8(b, 0);
    put16(b, 0x009C);
    put8(b, 0);
    put16(b, 0x00FF);
    put_fill(b, 32, 0x61);
}

static void
test_sslv2_client_hello(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init(&s);
    put_sslv2_hello(&b, 0x0303);
    CHECK(tls_segment_may_start(C, true, false, b.p, (uint32_t)b.n));
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished");
    EXPECT_PHASES(&s, "handshake | handshake | handshake | handshake");
    EXPECT_RESULT(&s, "established");
    CHECK(s.conv.hello_version == 0x0303);
    CHECK(s.conv.version == 0x0303);
    CHECK(tls_conv_handshake_time(&s.conv, &t_dummy) && t_dummy == 3 * MS);
    finish(&s, "sslv2 hello");

    /* an SSL 2.0 hello (version 0x0002) gets an SSLv2 answer: not followed */
    sess_init(&s);
    b.n = 0;
    put_sslv2_hello(&b, 0x0002);
    CHECK(!tls_segment_may_start(C, true, false, b.p, (uint32_t)b.n));
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s, "-");
    EXPECT_RESULT(&s, "none");
    finish(&s, "sslv2 hello, version 2");

    /* after a prelude, too; a hello split over two segments is not read */
    sess_init(&s);
    send_bytes(&s, S, (const uint8_t *)"220 ready\r\n", 11);
    b.n = 0;
    put_sslv2_hello(&b, 0x0301);
    send_bytes(&s, C, b.p, 10);
    send_bytes(&s, C, b.p + 10, b.n - 10);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s, "- | - | - | client_hello");
    CHECK(s.conv.hello_version == 0x0301);
    EXPECT_RESULT(&s, "in_progress");
    sess_end(&s, &b, "sslv2 hello after prelude");
}

/* Empty segments (pure ACKs) before the ClientHello decide nothing. */
static void
test_empty_segments_decide_nothing(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init(&s);
    send_at(&s, S, s.next_seq[1], NULL, 0, 0, NULL, 0);
    send_at(&s, C, s.next_seq[0], NULL, 0, 0, NULL, 0);
    rec_client_hello(&b, "acks.example", false);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s, "- | - | client_hello");
    sess_end(&s, &b, "empty segments");
}

/* ---- 9. snaplen ---- */

/* The Certificate record's body is partly cut away: unknown. The records
 * after it, captured, are named again. */
static void
test_snaplen_cut_body(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t seq;

    sess_start(&s, &b, "snap.example", false);
    rec_msg(&b, build_sh12);
    rec_msg(&b, build_cert1200);
    seq = s.next_seq[1];
    /* the segment ends with the certificate; 200 bytes captured */
    send_at(&s, S, seq, b.p, 200, (uint32_t)b.n, NULL, 0);
    EXPECT_STAGES(&s, "client_hello | server_hello unknown");
    EXPECT_PHASES(&s, "handshake | handshake");
    check_heap(&s.conv, "cut certificate");
    sess_end(&s, &b, "snaplen body");
}

/* The same, but the certificate record continues into the next, fully
 * captured segment, which also carries SKE and SHD: those must still be
 * named by their own headers. */
static void
test_snaplen_cut_body_then_more_records(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t seq;
    size_t   first = 1000;

    sess_start(&s, &b, "snap2.example", false);
    flight12_server(&b);
    seq = s.next_seq[1];
    send_at(&s, S, seq, b.p, 200, (uint32_t)first, NULL, 0); /* cut */
    send_at(&s, S, seq + (uint32_t)first, b.p + first, (uint32_t)(b.n - first),
            (uint32_t)(b.n - first), NULL, 0);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello"
                  " | unknown server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    sess_end(&s, &b, "snaplen body then more");
}

/* The snaplen cut the server's first segment inside its ServerHello (the
 * tls13.pcapng case at -s 128): the version is lost, so the client's
 * application_data records after its ChangeCipherSpec may be TLS 1.3's
 * Finished or TLS 1.2's data. They are unknown, not guessed. */
static void
test_snaplen_cut_server_hello_tls13(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "snap13.example", true);
    flight13_server(&b);
    send_at(&s, S, s.next_seq[1], b.p, 40, (uint32_t)b.n, NULL, 0);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 32 + 4 + 1 + 16); /* Finished */
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 120); /* request */
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 1400); /* response */
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | unknown unknown" /* the cut ServerHello, then the lost framing */
                  " | change_cipher_spec unknown"
                  " | unknown"
                  " | -"); /* nothing more from the server's side */
    CHECK(s.conv.version == 0);
    CHECK(!s.conv.established);
    sess_end(&s, &b, "snaplen server hello tls13");
}

/* The same cut in TLS 1.2: the client's encrypted Finished is a handshake
 * record after its ChangeCipherSpec, which TLS 1.3 never sends, so the
 * application_data records after it are named again. */
static void
test_snaplen_cut_server_hello_tls12(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_start(&s, &b, "snap12.example", false);
    flight12_server(&b);
    send_at(&s, S, s.next_seq[1], b.p, 40, (uint32_t)b.n, NULL, 0);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 8 + 78 + 16); /* before evidence */
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 8 + 78 + 16); /* GET */
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | unknown unknown"
                  " | unknown"
                  " | client_key_exchange change_cipher_spec finished"
                  " | application_data");
    CHECK(s.conv.version == 0);
    sess_end(&s, &b, "snaplen server hello tls12");
}

/* A large ClientHello (post-quantum key share) cut by the snaplen: the
 * client's next handshake record is not part of it. */
static void
test_snaplen_cut_client_hello_then_cke(void)
{
    sess_t    s;
    buf_t     b = { 0 }, m = { 0 };
    ch_opts_t o;
    uint32_t  seq;
    size_t    first = 1200;

    sess_init(&s);
    memset(&o, 0, sizeof(o));
    o.sni = (const uint8_t *)"pq.example";
    o.sni_len = strlen("pq.example");
    o.padding = 1500;
    msg_client_hello_opts(&m, &o);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    seq = s.next_seq[0];
    send_at(&s, C, seq, b.p, 300, (uint32_t)first, NULL, 0);
    send_at(&s, C, seq + (uint32_t)first, b.p + first, (uint32_t)(b.n - first),
            (uint32_t)(b.n - first), NULL, 0);
    b.n = 0;
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "-"
                  " | unknown"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished");
    EXPECT_RESULT(&s, "in_progress");
    finish(&s, "snaplen client hello");
    buf_free(&b);
    buf_free(&m);
}

/* A cut record header: unknown once, then nothing in that direction. */
static void
test_snaplen_cut_header(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t seq;
    size_t   sh_end;

    sess_start(&s, &b, "hdr.example", false);
    rec_msg(&b, build_sh12);
    sh_end = b.n;
    rec_msg(&b, build_cert1200);
    rec_msg(&b, build_ske);
    rec_msg(&b, build_shd);
    seq = s.next_seq[1];
    /* captured: the SH record and 3 bytes of the Certificate header */
    send_at(&s, S, seq, b.p, (uint32_t)sh_end + 3, (uint32_t)b.n, NULL, 0);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s,
                  "client_hello | server_hello unknown | - | client_key_exchange "
                  "change_cipher_spec finished");
    CHECK(s.conv.flow[1].broken);
    CHECK(!s.conv.flow[0].broken);
    sess_end(&s, &b, "snaplen header");
}

/* After the handshake, a cut header in application data: the unknown
 * record belongs to the application phase (docs/spec.md section 4: after the second
 * Finished). */
static void
test_snaplen_cut_header_after_established(void)
{
    sess_t s;
    buf_t  b = { 0 };

    run_tls12_full(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 100);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 1000);
    /* captured: first record and 2 bytes of the second header */
    send_at(&s, S, s.next_seq[1], b.p, 105 + 2, (uint32_t)b.n, NULL, 0);
    CHECK(s.out[s.npkts - 1].count == 2);
    CHECK(s.out[s.npkts - 1].stages[0] == TLS_STAGE_APPLICATION_DATA);
    CHECK(s.out[s.npkts - 1].stages[1] == TLS_STAGE_UNKNOWN);
    CHECK(tls_packet_phase(&s.out[s.npkts - 1]) == TLS_PHASE_APPLICATION);
    sess_end(&s, &b, "cut header after established");
}

/* An out-of-order segment that is itself cut cannot be kept. */
static void
test_snaplen_cut_out_of_order(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t base;

    sess_start(&s, &b, "ooocut.example", false);
    flight12_server(&b);
    base = s.next_seq[1];
    send_at(&s, S, base + 700, b.p + 700, 100, (uint32_t)(b.n - 700), NULL, 0);
    send_at(&s, S, base, b.p, 700, 700, NULL, 0);
    EXPECT_STAGES(&s, "client_hello | - | -");
    CHECK(heap.live_count == 0);
    sess_end(&s, &b, "cut out of order");
}

/* ---- 10. robustness ---- */

static void
test_garbage_after_client_hello(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init(&s);
    rec_client_hello(&b, "garbage.example", false);
    put_fill(&b, 64, 0xFF);
    b.p[b.n - 64] = 0xFF; /* implausible content type */
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(
        &s, "client_hello | - | server_hello certificate server_key_exchange server_hello_done");
    CHECK(s.conv.flow[0].broken);
    CHECK_STR(s.conv.sni, "garbage.example", "sni");
    sess_end(&s, &b, "garbage");
}

/* Record headers that are almost plausible: too long, wrong version. */
static void
test_implausible_headers(void)
{
    static const uint8_t too_long[5] = { 23, 3, 3, 0x48, 0x01 }; /* 18433 */
    static const uint8_t bad_major[5] = { 23, 2, 0, 0, 10 };
    static const uint8_t bad_minor[5] = { 23, 3, 5, 0, 10 };
    static const uint8_t bad_type[5] = { 25, 3, 3, 0, 10 };
    const uint8_t       *bad[4];
    int                  i;

    bad[0] = too_long;
    bad[1] = bad_major;
    bad[2] = bad_minor;
    bad[3] = bad_type;
    for (i = 0; i < 4; i++) {
        sess_t s;
        buf_t  b = { 0 };

        sess_init(&s);
        rec_client_hello(&b, "hdr.example", false);
        send_buf(&s, C, &b);
        b.n = 0;
        rec_msg(&b, build_sh12);
        put(&b, bad[i], 5);
        put_fill(&b, 10, 1);
        send_buf(&s, S, &b);
        b.n = 0;
        rec_msg(&b, build_shd);
        send_buf(&s, S, &b);
        EXPECT_STAGES(&s, "client_hello | server_hello | -");
        CHECK(s.conv.flow[1].broken);
        finish(&s, "implausible");
        buf_free(&b);
    }
}

static void
test_sni_long_and_unprintable(void)
{
    sess_t               s;
    buf_t                b = { 0 }, m = { 0 };
    ch_opts_t            o;
    uint8_t              name[300];
    char                 expected[TLS_SNI_MAX + 1];
    static const uint8_t odd[] = { 'e',  'x', 0x01, 'a',  'm', ' ', 'p',  0xC3,
                                   0xA9, '.', 'o',  0x7F, 'r', 'g', 0x00, 'z' };

    memset(name, 'a', sizeof(name));
    memset(expected, 'a', TLS_SNI_MAX);
    expected[TLS_SNI_MAX] = '\0';
    sess_init(&s);
    memset(&o, 0, sizeof(o));
    o.sni = name;
    o.sni_len = sizeof(name);
    o.tls13 = true;
    msg_client_hello_opts(&m, &o);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s, "client_hello");
    CHECK(strlen(s.conv.sni) == TLS_SNI_MAX);
    CHECK_STR(s.conv.sni, expected, "sni 300 bytes");
    finish(&s, "long sni");

    sess_init(&s);
    b.n = 0;
    m.n = 0;
    o.sni = odd;
    o.sni_len = sizeof(odd);
    msg_client_hello_opts(&m, &o);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    send_buf(&s, C, &b);
    EXPECT_STAGES(&s, "client_hello");
    CHECK_STR(s.conv.sni, "ex?am?p??.o?rg?z", "sni unprintable");
    finish(&s, "odd sni");
    buf_free(&b);
    buf_free(&m);
}

static void
test_extension_overruns(void)
{
    int mode;

    for (mode = 1; mode <= 3; mode++) {
        sess_t    s;
        buf_t     b = { 0 }, m = { 0 };
        ch_opts_t o;

        sess_init(&s);
        memset(&o, 0, sizeof(o));
        o.sni = (const uint8_t *)"overrun.example";
        o.sni_len = strlen("overrun.example");
        o.tls13 = true;
        o.overrun = mode;
        msg_client_hello_opts(&m, &o);
        rec_buf(&b, TLS_CT_HANDSHAKE, &m);
        send_buf(&s, C, &b);
        b.n = 0;
        flight13_server(&b);
        send_buf(&s, S, &b);
        EXPECT_STAGES(&s,
                      "client_hello"
                      " | server_hello change_cipher_spec encrypted_handshake encrypted_handshake"
                      " encrypted_handshake encrypted_handshake");
        /* nothing can be trusted past the overrun: no SNI (or, for mode 2,
         * the SNI that came before the bad length) */
        if (mode == 2)
            CHECK(s.conv.sni[0] == '\0' || strcmp(s.conv.sni, "overrun.example") == 0);
        else
            CHECK(s.conv.sni[0] == '\0');
        CHECK(s.conv.version == 0x0304);
        finish(&s, "overrun");
        buf_free(&b);
        buf_free(&m);
    }
}

/* Hellos cut short inside the message (a declared length of 0, of 1, a
 * ServerHello of 20 bytes): named, no crash, nothing parsed. */
static void
test_truncated_hellos(void)
{
    sess_t               s;
    buf_t                b = { 0 };
    static const uint8_t ch0[4] = { HT_CLIENT_HELLO, 0, 0, 0 };
    static const uint8_t sh20[24] = { HT_SERVER_HELLO, 0, 0, 20, 3, 3 };
    static const uint8_t sh_bad_ext[4 + 2 + 32 + 1 + 3 + 2 + 4] = {
        HT_SERVER_HELLO,
        0,
        0,
        2 + 32 + 1 + 3 + 2 + 4,
        3,
        3,
        [38] = 0,
        0x13,
        0x01,
        0,
        [42] = 0x00,
        0x40, /* extensions: 64, only 4 there */
        [44] = 0,
        43,
        0x00,
        0x10 /* supported_versions, len 16 */
    };

    sess_init(&s);
    rec(&b, TLS_CT_HANDSHAKE, ch0, sizeof(ch0));
    send_buf(&s, C, &b);
    b.n = 0;
    rec(&b, TLS_CT_HANDSHAKE, sh20, sizeof(sh20));
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s, "client_hello | server_hello");
    CHECK(s.conv.sni[0] == '\0');
    CHECK(s.conv.version == 0 || s.conv.version == 0x0303);
    finish(&s, "truncated hellos");

    sess_init(&s);
    b.n = 0;
    rec_client_hello(&b, "x.example", true);
    send_buf(&s, C, &b);
    b.n = 0;
    rec(&b, TLS_CT_HANDSHAKE, sh_bad_ext, sizeof(sh_bad_ext));
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s, "client_hello | server_hello");
    CHECK(s.conv.version == 0x0303);
    sess_end(&s, &b, "server hello bad extensions");
}

/* 1000 tiny records in one segment: 32 named, the rest counted. */
static void
test_many_tiny_records(void)
{
    sess_t              s;
    buf_t               b = { 0 };
    int                 i, all_app = 1;
    const tls_packet_t *p;

    run_tls12_full(&s);
    for (i = 0; i < 1000; i++)
        rec_enc(&b, TLS_CT_APPLICATION_DATA, 1);
    p = send_buf(&s, C, &b);
    CHECK(p->count == TLS_MAX_STAGES_PER_PACKET);
    CHECK(p->dropped == 1000 - TLS_MAX_STAGES_PER_PACKET);
    for (i = 0; i < p->count; i++)
        all_app = all_app && p->stages[i] == TLS_STAGE_APPLICATION_DATA;
    CHECK(all_app);
    CHECK(tls_packet_phase(p) == TLS_PHASE_APPLICATION);
    /* the next packet starts counting afresh */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 10);
    p = send_buf(&s, C, &b);
    CHECK(p->count == 1 && p->dropped == 0);
    check_heap(&s.conv, "many tiny");
    drop_conv(&s.conv);
    buf_free(&b);
}

/* 70000 empty records: dropped does not wrap around. */
static void
test_dropped_saturates(void)
{
    sess_t              s;
    buf_t               b = { 0 };
    int                 i;
    const tls_packet_t *p;

    run_tls12_full(&s);
    for (i = 0; i < 70000; i++)
        rec_enc(&b, TLS_CT_APPLICATION_DATA, 0);
    p = send_buf(&s, C, &b);
    CHECK(p->count == TLS_MAX_STAGES_PER_PACKET);
    CHECK(p->dropped == UINT16_MAX);
    check_heap(&s.conv, "dropped saturates");
    drop_conv(&s.conv);
    buf_free(&b);
}

static void
test_zero_length_records(void)
{
    sess_t s;
    buf_t  b = { 0 };

    run_tls12_full(&s);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 0);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 0);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 30);
    send_buf(&s, S, &b);
    /* a segment that is exactly one empty record */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 0);
    send_buf(&s, S, &b);
    CHECK(s.out[s.npkts - 2].count == 3);
    CHECK(s.out[s.npkts - 1].count == 1);
    CHECK(s.out[s.npkts - 1].stages[0] == TLS_STAGE_APPLICATION_DATA);
    CHECK(tls_packet_phase(&s.out[s.npkts - 1]) == TLS_PHASE_APPLICATION);
    sess_end(&s, &b, "zero length");
}

/* A ServerHello-typed message sent by the client is not the server's
 * ServerHello: it must not change the negotiated version. */
static void
test_client_sent_server_hello_is_ignored(void)
{
    sess_t s;
    buf_t  b = { 0 }, m = { 0 };

    sess_start(&s, &b, "odd.example", false);
    flight12_server(&b);
    send_buf(&s, S, &b);
    b.n = 0;
    msg_server_hello(&m, 0x0304, true);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m); /* from the client */
    send_buf(&s, C, &b);
    CHECK(s.conv.version == 0x0303);
    CHECK(!s.conv.tls13);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_RESULT(&s, "established");
    finish(&s, "client server hello");
    buf_free(&b);
    buf_free(&m);
}

/* A record with more handshake messages than the machine names. */
static void
test_many_messages_in_one_record(void)
{
    sess_t s;
    buf_t  b = { 0 }, m = { 0 };
    int    i;

    sess_start(&s, &b, "msgs.example", false);
    for (i = 0; i < 40; i++)
        msg_fill(&m, HT_CERTIFICATE_REQUEST, 3);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    send_buf(&s, S, &b);
    CHECK(s.out[1].count >= 1 && s.out[1].count <= TLS_MAX_STAGES_PER_PACKET);
    CHECK(s.out[1].stages[0] == TLS_STAGE_CERTIFICATE_REQUEST);
    finish(&s, "many messages");
    buf_free(&b);
    buf_free(&m);
}

/* Decrypted records that do not match the ciphertext: more plaintext
 * entries than records, fewer, odd content types, handshake fragments. */
static void
test_mismatched_plaintext(void)
{
    sess_t               s;
    buf_t                b = { 0 };
    static const uint8_t junk[7] = { 99, 0xFF, 0xFF, 0xFF, 1, 2, 3 };
    static const uint8_t frag[2] = { HT_FINISHED, 0 };
    tls_plaintext_t      pt[6];
    int                  i;

    for (i = 0; i < 6; i++) {
        pt[i].content_type = (uint8_t)(i == 0 ? 99 : 20 + i);
        pt[i].data = i == 2 ? frag : junk;
        pt[i].len = i == 2 ? (uint32_t)sizeof(frag) : (uint32_t)sizeof(junk);
    }
    sess_start(&s, &b, "mismatch.example", true);
    flight13_server(&b);
    send_plain(&s, S, &b, pt, 6); /* 4 encrypted records, 6 entries */
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    send_plain(&s, C, &b, pt + 2, 1); /* a fragment of a Finished */
    b.n = 0;
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 53);
    send_plain(&s, C, &b, pt, 0);
    send_at(&s, S, s.next_seq[1], NULL, 0, 0, pt, 6); /* plaintext, no payload */
    CHECK(s.out[1].count == 6);
    CHECK(s.out[3].count == 2);
    check_heap(&s.conv, "mismatched plaintext");
    drop_conv(&s.conv);
    buf_free(&b);
}

/* ---- 11. renegotiation ---- */

static void
test_tls12_renegotiation(void)
{
    sess_t     s;
    buf_t      b = { 0 };
    tls_time_t before = -1, after = -1;

    run_tls12_full(&s);
    CHECK(tls_conv_handshake_time(&s.conv, &before));
    rec_enc(&b, TLS_CT_HANDSHAKE, 8 + 180 + 16); /* new ClientHello */
    send_buf(&s, C, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_HANDSHAKE, 1400); /* SH, Certificate, ... */
    send_buf(&s, S, &b);
    b.n = 0;
    rec_enc(&b, TLS_CT_HANDSHAKE, 100);
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_HANDSHAKE, 40);
    send_buf(&s, C, &b);
    b.n = 0;
    rec_ccs(&b);
    rec_enc(&b, TLS_CT_HANDSHAKE, 40);
    rec_enc(&b, TLS_CT_APPLICATION_DATA, 40);
    send_buf(&s, S, &b);
    EXPECT_STAGES(&s,
                  "client_hello"
                  " | server_hello certificate server_key_exchange server_hello_done"
                  " | client_key_exchange change_cipher_spec finished"
                  " | change_cipher_spec finished"
                  " | application_data"
                  " | application_data"
                  " | encrypted_alert"
                  " | encrypted_handshake"
                  " | encrypted_handshake"
                  " | encrypted_handshake change_cipher_spec encrypted_handshake"
                  " | change_cipher_spec encrypted_handshake application_data");
    EXPECT_PHASES(
        &s,
        "handshake | handshake | handshake | handshake | application | application | alert"
        " | application | application | application | application");
    EXPECT_RESULT(&s, "established");
    CHECK(tls_conv_handshake_time(&s.conv, &after) && after == before);
    sess_end(&s, &b, "renegotiation");
}

/* ---- names ---- */

static void
test_names(void)
{
    tls_packet_t empty;

    CHECK_STR(tls_stage_name(TLS_STAGE_CLIENT_HELLO), "client_hello", "stage 1");
    CHECK_STR(tls_stage_name(TLS_STAGE_HELLO_RETRY_REQUEST), "hello_retry_request", "stage 3");
    CHECK_STR(tls_stage_name(TLS_STAGE_ENCRYPTED_ALERT), "encrypted_alert", "stage 18");
    CHECK_STR(tls_stage_name(TLS_STAGE_UNKNOWN), "unknown", "stage 21");
    CHECK_STR(tls_stage_name((tls_stage_t)0), "?", "stage 0");
    CHECK_STR(tls_phase_name(TLS_PHASE_APPLICATION), "application", "phase 2");
    CHECK_STR(tls_result_name(TLS_RESULT_IN_PROGRESS), "in_progress", "result 2");
    CHECK_STR(tls_version_name(0x0300), "SSL 3.0", "SSL 3.0");
    CHECK_STR(tls_version_name(0x0301), "TLS 1.0", "TLS 1.0");
    CHECK_STR(tls_version_name(0x0302), "TLS 1.1", "TLS 1.1");
    CHECK_STR(tls_version_name(0x7F1C), "?", "draft version");
    memset(&empty, 0, sizeof(empty));
    CHECK(tls_packet_phase(&empty) == 0);
}

/* ---- a deterministic fuzzer: mutated, resegmented, reordered, cut ---- */

#ifndef FUZZ_ITERATIONS
#define FUZZ_ITERATIONS 4000
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED 12345
#endif

static uint32_t rng_state = FUZZ_SEED;

static uint32_t
rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) & 0xFFFFFF;
}

typedef struct {
    bool  from_client;
    buf_t bytes;
} script_t;

static void
test_fuzz(void)
{
    script_t  base[8];
    size_t    nbase = 0, i;
    int       iter, bad_out = 0;
    buf_t     m = { 0 };
    ch_opts_t o;

    memset(base, 0, sizeof(base));
    memset(&o, 0, sizeof(o));
    o.sni = (const uint8_t *)"fuzz.example";
    o.sni_len = strlen("fuzz.example");
    o.tls13 = true;
    o.psk = true;
    msg_client_hello_opts(&m, &o);
    base[nbase].from_client = C;
    rec_buf(&base[nbase++].bytes, TLS_CT_HANDSHAKE, &m);
    base[nbase].from_client = S;
    m.n = 0;
    msg_hello_retry_request(&m);
    rec_buf(&base[nbase].bytes, TLS_CT_HANDSHAKE, &m);
    flight12_server(&base[nbase++].bytes);
    base[nbase].from_client = C;
    flight12_client_finish(&base[nbase].bytes);
    rec_ccs(&base[nbase].bytes);
    rec_client_hello(&base[nbase++].bytes, "again.example", true);
    base[nbase].from_client = S;
    flight13_server(&base[nbase].bytes);
    flight12_server_finish(&base[nbase++].bytes);
    base[nbase].from_client = C;
    rec_enc(&base[nbase].bytes, TLS_CT_APPLICATION_DATA, 19);
    rec_alert(&base[nbase].bytes, 2, 48);
    rec_enc(&base[nbase++].bytes, TLS_CT_ALERT, 26);
    buf_free(&m);

    for (iter = 0; iter < FUZZ_ITERATIONS; iter++) {
        tls_conv_t      conv;
        uint32_t        seq[2] = { rng(), rng() };
        uint32_t        off[2] = { 0, 0 };
        buf_t           stream[2];
        tls_plaintext_t pt[4];
        int             npkts = 0;

        memset(stream, 0, sizeof(stream));
        for (i = 0; i < nbase; i++) {
            buf_t *st = &stream[base[i].from_client ? 0 : 1];
            size_t start = st->n, k, flips;

            put_buf(st, &base[i].bytes);
            flips = rng() % 4 == 0 ? rng() % 6 : 0;
            for (k = 0; k < flips && st->n > start; k++)
                st->p[start + rng() % (st->n - start)] = (uint8_t)rng();
        }
        for (i = 0; i < 4; i++) {
            const buf_t *src = &base[rng() % nbase].bytes;
            size_t       from = rng() % src->n;

            pt[i].content_type = (uint8_t)(20 + rng() % 6);
            pt[i].data = src->p + from;
            pt[i].len = (uint32_t)(rng() % (src->n - from + 1));
        }
        tls_conv_init(&conv, &test_allocator);
        while ((off[0] < stream[0].n || off[1] < stream[1].n) && npkts < 400) {
            int      d = off[0] >= stream[0].n ? 1 : off[1] >= stream[1].n ? 0 : (int)(rng() % 2);
            uint32_t left = (uint32_t)stream[d].n - off[d];
            uint32_t len = 1 + rng() % (rng() % 3 == 0 ? 40 : 1600);
            uint32_t at = off[d], captured;
            tls_packet_t out;
            int          j;

            if (len > left)
                len = left;
            captured = rng() % 8 == 0 ? rng() % (len + 1) : len;
            switch (rng() % 10) {
            case 0: /* retransmit something older */
                at = off[d] > 0 ? rng() % off[d] : 0;
                if (len > stream[d].n - at)
                    len = (uint32_t)stream[d].n - at;
                if (captured > len)
                    captured = len;
                break;
            case 1: /* jump ahead (out of order) */
                if (left > len + 1) {
                    at = off[d] + 1 + rng() % (left - len);
                    if (len > stream[d].n - at)
                        len = (uint32_t)stream[d].n - at;
                    if (captured > len)
                        captured = len;
                }
                break;
            default: off[d] += len; break;
            }
            tls_conv_on_segment(&conv, d == 0, seq[d] + at, stream[d].p + at, captured, len,
                                (tls_time_t)npkts * MS, rng() % 3 == 0 ? pt : NULL, rng() % 5,
                                &out);
            npkts++;
            if (out.count > TLS_MAX_STAGES_PER_PACKET || out.phase_mask & ~0x0Eu)
                bad_out++;
            for (j = 0; j < out.count && j < TLS_MAX_STAGES_PER_PACKET; j++)
                if (out.stages[j] < TLS_STAGE_CLIENT_HELLO || out.stages[j] > TLS_STAGE_UNKNOWN)
                    bad_out++;
            if (rng() % 50 == 0)
                tls_conv_on_close(&conv);
        }
        (void)tls_conv_result(&conv);
        (void)tls_conv_resumed(&conv);
        if (strlen(conv.sni) > TLS_SNI_MAX)
            bad_out++;
        check_heap(&conv, "fuzz");
        drop_conv(&conv);
        buf_free(&stream[0]);
        buf_free(&stream[1]);
    }
    CHECK(bad_out == 0);
    for (i = 0; i < nbase; i++)
        buf_free(&base[i].bytes);
}

/* The server's first flight reordered: its second segment arrives before
 * its first. Both are the server's first payload bytes the machine sees. */
static void
test_server_first_flight_reordered(void)
{
    sess_t   s;
    buf_t    b = { 0 };
    uint32_t base;

    sess_start(&s, &b, "reorder.example", false);
    flight12_server(&b);
    base = s.next_seq[1];
    send_at(&s, S, base + 700, b.p + 700, 700, 700, NULL, 0);
    send_at(&s, S, base, b.p, 700, 700, NULL, 0);
    send_at(&s, S, base + 1400, b.p + 1400, (uint32_t)(b.n - 1400), (uint32_t)(b.n - 1400), NULL,
            0);
    b.n = 0;
    flight12_client_finish(&b);
    send_buf(&s, C, &b);
    b.n = 0;
    flight12_server_finish(&b);
    send_buf(&s, S, &b);
    EXPECT_STAGES(
        &s,
        "client_hello | - | server_hello certificate | server_key_exchange server_hello_done"
        " | client_key_exchange change_cipher_spec finished | change_cipher_spec finished");
    EXPECT_RESULT(&s, "established");
    tls_conv_on_close(&s.conv);
    EXPECT_RESULT(&s, "established");
    sess_end(&s, &b, "first flight reordered");
}

/* A record that holds 16 handshake messages, the last one a ServerHello
 * sent by the client that switches the conversation from TLS 1.3 (after a
 * HelloRetryRequest) to TLS 1.2 while the client's ChangeCipherSpec was
 * seen, with a decrypted alert for the record: the stages stay in range
 * (no write past the per-record message list). */
static void
test_message_list_overflow(void)
{
    sess_t               s;
    buf_t                b = { 0 }, m = { 0 };
    static const uint8_t close_notify[2] = { 1, 0 };
    tls_plaintext_t      pt[1];
    const tls_packet_t  *p;
    int                  i, valid = 1;

    sess_start(&s, &b, "overflow.example", true);
    msg_hello_retry_request(&m);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    send_buf(&s, S, &b);
    b.n = 0;
    m.n = 0;
    rec_ccs(&b);
    for (i = 0; i < 15; i++)
        msg_empty(&m, 99);
    msg_server_hello_ex(&m, 0x0303, 0, false, false);
    rec_buf(&b, TLS_CT_HANDSHAKE, &m);
    pt[0].content_type = TLS_CT_ALERT;
    pt[0].data = close_notify;
    pt[0].len = 2;
    p = send_plain(&s, C, &b, pt, 1);
    CHECK(p->count <= 1 + 16 + 1);
    for (i = 0; i < p->count && i < TLS_MAX_STAGES_PER_PACKET; i++)
        valid =
            valid && p->stages[i] >= TLS_STAGE_CLIENT_HELLO && p->stages[i] <= TLS_STAGE_UNKNOWN;
    CHECK(valid);
    finish(&s, "message list overflow");
    buf_free(&b);
    buf_free(&m);
}

/* Nothing of the payload captured at all: the plugin passes payload NULL
 * with captured_len 0 (packet_facts_payload). Run last: with
 * -fsanitize=undefined -fno-sanitize-recover a failure here aborts. */
static void
test_snaplen_nothing_captured(void)
{
    sess_t s;
    buf_t  b = { 0 };

    sess_init(&s);
    rec_client_hello(&b, "none.example", false);
    send_buf(&s, C, &b);
    send_at(&s, S, s.next_seq[1], NULL, 0, 1400, NULL, 0);
    send_at(&s, S, s.next_seq[1], NULL, 0, 1400, NULL, 0);
    EXPECT_STAGES(&s, "client_hello | unknown | -");
    sess_end(&s, &b, "nothing captured");
}

int
main(void)
{
    test_names();
    /* 1 */
    test_tls12_full_handshake();
    test_hello_memory_released();
    /* 2 */
    test_tls13_without_keys();
    test_tls13_without_keys_segmented_flight();
    /* 3 */
    test_tls13_with_keys_one_record();
    test_tls13_with_keys_several_records();
    test_tls12_with_keys();
    /* 4 */
    test_record_header_split();
    test_record_body_split();
    test_every_two_way_split();
    test_multi_message_record_whole();
    test_multi_message_record_split();
    test_client_hello_header_split();
    test_client_hello_body_split();
    test_several_records_one_segment();
    test_retransmission();
    test_out_of_order();
    test_out_of_order_several_pending();
    test_overlapping_segment();
    test_sequence_wrap();
    test_server_first_flight_reordered();
    /* 5 */
    test_hello_retry_request();
    test_hello_retry_request_with_server_ccs();
    test_hello_retry_request_split();
    /* 6 */
    test_tls12_abbreviated();
    test_tls12_new_session_ticket_full();
    test_tls12_new_session_ticket_resumed();
    test_tls13_psk();
    /* 7 */
    test_tls12_unknown_ca();
    test_tls12_warning_alert_is_not_failure();
    test_server_handshake_failure();
    test_tls13_client_refuses();
    test_close_before_completion();
    test_close_after_established();
    /* 8 */
    test_http_is_not_tls();
    test_client_hello_after_http();
    test_midstream_tls12();
    test_midstream_decrypted_handshake();
    test_midstream_tls13();
    test_midstream_cut_in_a_record();
    test_midstream_gap();
    test_midstream_plaintext_lookalikes();
    test_records_without_midstream_not_followed();
    test_midstream_then_client_hello();
    test_sslv2_client_hello();
    test_server_speaks_first();
    test_empty_segments_decide_nothing();
    /* 9 */
    test_snaplen_cut_body();
    test_snaplen_cut_server_hello_tls13();
    test_snaplen_cut_server_hello_tls12();
    test_snaplen_cut_body_then_more_records();
    test_snaplen_cut_client_hello_then_cke();
    test_snaplen_cut_header();
    test_snaplen_cut_header_after_established();
    test_snaplen_cut_out_of_order();
    /* 10 */
    test_garbage_after_client_hello();
    test_implausible_headers();
    test_sni_long_and_unprintable();
    test_extension_overruns();
    test_truncated_hellos();
    test_many_tiny_records();
    test_dropped_saturates();
    test_zero_length_records();
    test_client_sent_server_hello_is_ignored();
    test_many_messages_in_one_record();
    test_mismatched_plaintext();
    /* 11 */
    test_tls12_renegotiation();
    test_fuzz();
    /* last: these two trip UBSan (array bounds, NULL + 0) while the bugs
     * are there */
    test_message_list_overflow();
    test_snaplen_nothing_captured();
    return check_report();
}
