/* tls_stage.c
 * The TLS stage machine (docs/spec.md sections 4 and 5).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tls_stage.h"

#include <string.h>

#include "tcp_flags.h"
#include "tp_time.h"

#define REC_HEADER_LEN 5
#define HS_HEADER_LEN  4
/* TLSCiphertext may exceed 2^14 by up to 2048 bytes (RFC 5246 6.2.3). */
#define MAX_RECORD_LEN    (16384 + 2048)
#define HELLO_CAPTURE_MAX 65536u
#define PENDING_MAX_BYTES (256u * 1024u)
/* Mid-stream: segments of one direction searched for a record boundary
 * before that direction is given up. */
#define PROBE_MAX_SEGMENTS 64

/* Handshake message types (RFC 8446 section 4, RFC 5246 section 7.4). */
enum {
    HS_HELLO_REQUEST = 0,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_NEW_SESSION_TICKET = 4,
    HS_END_OF_EARLY_DATA = 5,
    HS_ENCRYPTED_EXTENSIONS = 8,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12,
    HS_CERTIFICATE_REQUEST = 13,
    HS_SERVER_HELLO_DONE = 14,
    HS_CERTIFICATE_VERIFY = 15,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
    HS_KEY_UPDATE = 24,
    HS_COMPRESSED_CERTIFICATE = 25
};

enum { EXT_SERVER_NAME = 0, EXT_PRE_SHARED_KEY = 41, EXT_SUPPORTED_VERSIONS = 43 };

/* A ServerHello whose random is SHA-256("HelloRetryRequest") is a
 * HelloRetryRequest (RFC 8446 section 4.1.3). */
static const uint8_t hello_retry_random[32] = { 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
                                                0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
                                                0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
                                                0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C };

/* What one call of tls_conv_on_segment is working on. */
typedef struct {
    tls_conv_t            *conv;
    tls_flow_t            *flow;
    bool                   from_client;
    tls_time_t             ts;
    const tls_plaintext_t *plain;
    size_t                 plain_count;
    size_t                 plain_next;
    tls_packet_t          *out;
} feed_ctx_t;

void
tls_conv_init(tls_conv_t *conv, const tls_allocator_t *allocator)
{
    memset(conv, 0, sizeof(*conv));
    conv->allocator = *allocator;
    conv->flow[0].rec_server_hello_slot = -1;
    conv->flow[1].rec_server_hello_slot = -1;
}

void
tls_conv_allow_midstream(tls_conv_t *conv)
{
    conv->midstream_allowed = true;
}

void
tls_conv_after_prelude(tls_conv_t *conv)
{
    conv->after_prelude = true;
}

void
tls_conv_start(tls_conv_t *conv, const tls_allocator_t *allocator, bool first_payload,
               bool midstream)
{
    tls_conv_init(conv, allocator);
    if (midstream)
        tls_conv_allow_midstream(conv);
    if (!first_payload)
        tls_conv_after_prelude(conv);
}

/* Lists one more stage for the current record (bounded). */
static void
add_msg(feed_ctx_t *ctx, uint8_t stage)
{
    tls_flow_t *flow = ctx->flow;

    if (flow->rec_msg_count < TLS_MAX_MSGS_PER_RECORD)
        flow->rec_msgs[flow->rec_msg_count++] = stage;
}

/* Names the current record with a single stage. */
static void
set_msg(feed_ctx_t *ctx, uint8_t stage)
{
    ctx->flow->rec_msgs[0] = stage;
    ctx->flow->rec_msg_count = 1;
}

/* ---- hello parsing (bounds-checked: a capture may cut any field) ---- */

typedef struct {
    const uint8_t *p;
    size_t         len;
    size_t         off;
    bool           ok;
} reader_t;

static uint32_t
read_uint(reader_t *r, size_t n)
{
    uint32_t v = 0;
    size_t   i;

    if (!r->ok || r->len - r->off < n) {
        r->ok = false;
        return 0;
    }
    for (i = 0; i < n; i++)
        v = (v << 8) | r->p[r->off + i];
    r->off += n;
    return v;
}

static void
skip(reader_t *r, size_t n)
{
    if (!r->ok || r->len - r->off < n) {
        r->ok = false;
        return;
    }
    r->off += n;
}

/* Takes the first host_name of a server_name extension. */
static void
parse_server_name(tls_conv_t *conv, const uint8_t *data, size_t len)
{
    reader_t r = { data, len, 0, true };
    size_t   list_end, name_len, i;

    list_end = read_uint(&r, 2);
    list_end += r.off;
    while (r.ok && r.off < list_end) {
        uint32_t type = read_uint(&r, 1);
        name_len = read_uint(&r, 2);
        if (!r.ok || r.len - r.off < name_len)
            return;
        if (type == 0) {
            if (name_len > TLS_SNI_MAX)
                name_len = TLS_SNI_MAX;
            /* Host names are ASCII (RFC 6066 section 3); keep the field
             * printable whatever the packet says. */
            for (i = 0; i < name_len; i++) {
                uint8_t c = r.p[r.off + i];
                conv->sni[i] = (c >= 0x21 && c < 0x7F) ? (char)c : '?';
            }
            conv->sni[name_len] = '\0';
            return;
        }
        skip(&r, name_len);
    }
}

static void
parse_client_hello(tls_conv_t *conv, const uint8_t *body, size_t len)
{
    reader_t r = { body, len, 0, true };
    size_t   ext_end;

    skip(&r, 2 + 32);           /* legacy_version, random */
    skip(&r, read_uint(&r, 1)); /* session id */
    skip(&r, read_uint(&r, 2)); /* cipher suites */
    skip(&r, read_uint(&r, 1)); /* compression methods */
    ext_end = read_uint(&r, 2);
    ext_end += r.off;
    while (r.ok && r.off + 4 <= ext_end) {
        uint32_t type = read_uint(&r, 2);
        uint32_t ext_len = read_uint(&r, 2);
        if (!r.ok || r.len - r.off < ext_len)
            return;
        if (type == EXT_SERVER_NAME && conv->sni[0] == '\0')
            parse_server_name(conv, r.p + r.off, ext_len);
        skip(&r, ext_len);
    }
}

/* Returns true if this ServerHello is a HelloRetryRequest. */
static bool
parse_server_hello(tls_conv_t *conv, const uint8_t *body, size_t len)
{
    reader_t r = { body, len, 0, true };
    uint16_t version, selected = 0;
    bool     is_hrr, psk = false;
    size_t   ext_end;

    version = (uint16_t)read_uint(&r, 2);
    if (!r.ok || r.len - r.off < 32)
        return false;
    is_hrr = memcmp(r.p + r.off, hello_retry_random, 32) == 0;
    skip(&r, 32);
    skip(&r, read_uint(&r, 1)); /* session id */
    skip(&r, 2 + 1);            /* cipher suite, compression */
    ext_end = read_uint(&r, 2);
    ext_end += r.off;
    while (r.ok && r.off + 4 <= ext_end) {
        uint32_t type = read_uint(&r, 2);
        uint32_t ext_len = read_uint(&r, 2);
        if (!r.ok || r.len - r.off < ext_len)
            break;
        if (type == EXT_SUPPORTED_VERSIONS && ext_len == 2)
            selected = (uint16_t)((r.p[r.off] << 8) | r.p[r.off + 1]);
        else if (type == EXT_PRE_SHARED_KEY)
            psk = true;
        skip(&r, ext_len);
    }
    if (selected != 0)
        version = selected;
    if (is_hrr) {
        conv->hrr_seen = true;
        /* Only TLS 1.3 retries; its records after a retry stay plaintext
         * even after the client's compatibility ChangeCipherSpec. */
        conv->tls13 = true;
    } else if (version >= 0x0300 && version <= 0x0304) {
        conv->server_hello_seen = true;
        conv->version = version;
        conv->tls13 = version == 0x0304;
        conv->psk_accepted = psk && conv->tls13;
    } else {
        conv->server_hello_seen = true;
    }
    return is_hrr;
}

/* ---- handshake messages ---- */

static uint8_t
stage_of_message(uint8_t msg_type)
{
    switch (msg_type) {
    case HS_CLIENT_HELLO: return TLS_STAGE_CLIENT_HELLO;
    case HS_SERVER_HELLO: return TLS_STAGE_SERVER_HELLO;
    case HS_NEW_SESSION_TICKET: return TLS_STAGE_NEW_SESSION_TICKET;
    case HS_ENCRYPTED_EXTENSIONS: return TLS_STAGE_ENCRYPTED_EXTENSIONS;
    case HS_CERTIFICATE:
    case HS_COMPRESSED_CERTIFICATE: return TLS_STAGE_CERTIFICATE;
    case HS_SERVER_KEY_EXCHANGE: return TLS_STAGE_SERVER_KEY_EXCHANGE;
    case HS_CERTIFICATE_REQUEST: return TLS_STAGE_CERTIFICATE_REQUEST;
    case HS_SERVER_HELLO_DONE: return TLS_STAGE_SERVER_HELLO_DONE;
    case HS_CERTIFICATE_VERIFY: return TLS_STAGE_CERTIFICATE_VERIFY;
    case HS_CLIENT_KEY_EXCHANGE: return TLS_STAGE_CLIENT_KEY_EXCHANGE;
    case HS_FINISHED: return TLS_STAGE_FINISHED;
    case HS_KEY_UPDATE: return TLS_STAGE_KEY_UPDATE;
    default: return TLS_STAGE_OTHER;
    }
}

static void
message_started(feed_ctx_t *ctx, uint8_t msg_type)
{
    tls_conv_t *conv = ctx->conv;

    /* Mid-stream the handshake was not seen: a handshake message read then
     * (decrypted with keys) names its record and starts nothing. */
    if (msg_type == HS_CLIENT_HELLO && ctx->from_client && !conv->client_hello_seen &&
        !conv->midstream) {
        conv->client_hello_seen = true;
        conv->client_hello_time = ctx->ts;
    }
    if (msg_type == HS_CERTIFICATE && !ctx->from_client)
        conv->server_certificate_seen = true;
    if (msg_type == HS_SERVER_HELLO && ctx->flow->rec_msg_count < TLS_MAX_MSGS_PER_RECORD)
        ctx->flow->rec_server_hello_slot = (int8_t)ctx->flow->rec_msg_count;
    add_msg(ctx, stage_of_message(msg_type));
}

static void
message_completed(feed_ctx_t *ctx, tls_hs_parser_t *hs)
{
    tls_conv_t *conv = ctx->conv;

    if (hs->capture == NULL)
        return;
    /* A hello counts only from the side that may send it. */
    if (hs->msg_type == HS_CLIENT_HELLO && ctx->from_client) {
        parse_client_hello(conv, hs->capture, hs->capture_len);
    } else if (hs->msg_type == HS_SERVER_HELLO && !ctx->from_client) {
        int8_t slot = ctx->flow->rec_server_hello_slot;
        if (parse_server_hello(conv, hs->capture, hs->capture_len) && slot >= 0)
            ctx->flow->rec_msgs[slot] = TLS_STAGE_HELLO_RETRY_REQUEST;
    }
    conv->allocator.release(conv->allocator.ctx, hs->capture);
    hs->capture = NULL;
}

/* Streams handshake bytes (RFC 8446 4: type(1) length(3) body): notes the
 * messages that start, keeps hello bodies until they complete. */
static void
hs_feed(feed_ctx_t *ctx, tls_hs_parser_t *hs, const uint8_t *data, uint32_t len)
{
    tls_conv_t *conv = ctx->conv;

    while (len > 0) {
        if (hs->msg_remaining == 0) {
            uint32_t take = HS_HEADER_LEN - hs->header_len;
            if (take > len)
                take = len;
            memcpy(hs->header + hs->header_len, data, take);
            hs->header_len = (uint8_t)(hs->header_len + take);
            data += take;
            len -= take;
            if (hs->header_len < HS_HEADER_LEN)
                return;
            hs->header_len = 0;
            hs->msg_type = hs->header[0];
            hs->msg_remaining =
                ((uint32_t)hs->header[1] << 16) | ((uint32_t)hs->header[2] << 8) | hs->header[3];
            message_started(ctx, hs->msg_type);
            if ((hs->msg_type == HS_CLIENT_HELLO || hs->msg_type == HS_SERVER_HELLO) &&
                hs->capture == NULL && hs->msg_remaining > 0) {
                hs->capture_size =
                    hs->msg_remaining < HELLO_CAPTURE_MAX ? hs->msg_remaining : HELLO_CAPTURE_MAX;
                hs->capture =
                    (uint8_t *)conv->allocator.alloc(conv->allocator.ctx, hs->capture_size);
                hs->capture_len = 0;
            }
            if (hs->msg_remaining == 0)
                message_completed(ctx, hs);
        } else {
            uint32_t take = hs->msg_remaining < len ? hs->msg_remaining : len;
            if (hs->capture != NULL && hs->capture_len < hs->capture_size) {
                uint32_t room = hs->capture_size - hs->capture_len;
                uint32_t keep = take < room ? take : room;
                memcpy(hs->capture + hs->capture_len, data, keep);
                hs->capture_len += keep;
            }
            hs->msg_remaining -= take;
            data += take;
            len -= take;
            if (hs->msg_remaining == 0)
                message_completed(ctx, hs);
        }
    }
}

/* ---- records ---- */

static bool
is_alert_sized(uint16_t rec_len)
{
    /* An AEAD-protected TLS 1.3 alert: 2 bytes of alert, 1 of inner content
     * type, a 16-byte tag (8 with CCM_8). */
    return rec_len == 2 + 1 + 16 || rec_len == 2 + 1 + 8;
}

static void
emit(feed_ctx_t *ctx, uint8_t stage, tls_phase_t phase)
{
    tls_packet_t *out = ctx->out;

    if (out->count < TLS_MAX_STAGES_PER_PACKET)
        out->stages[out->count++] = stage;
    else if (out->dropped < UINT16_MAX)
        out->dropped++;
    out->phase_mask |= (uint8_t)(1u << phase);
}

static void
note_failure(feed_ctx_t *ctx)
{
    tls_conv_t *conv = ctx->conv;

    conv->alert_seen = true;
    /* Mid-stream the handshake was never seen: nothing to fail. */
    if (!conv->established && !conv->failed && !conv->midstream) {
        conv->failed = true;
        ctx->out->failed_here = true;
    }
}

static void
note_finished(feed_ctx_t *ctx, bool from_client)
{
    tls_conv_t *conv = ctx->conv;

    conv->flow[from_client ? 0 : 1].finished_seen = true;
    if (!conv->established && conv->flow[0].finished_seen && conv->flow[1].finished_seen) {
        conv->established = true;
        conv->established_time = ctx->ts;
    }
}

/* Uses the record Wireshark decrypted for this encrypted record, if any:
 * returns false when there is none. */
static bool
stages_from_plaintext(feed_ctx_t *ctx)
{
    const tls_plaintext_t *pt;

    if (ctx->plain_next >= ctx->plain_count)
        return false;
    pt = &ctx->plain[ctx->plain_next++];
    ctx->flow->rec_decrypted_hs = true;
    switch (pt->content_type) {
    case TLS_CT_HANDSHAKE:
        hs_feed(ctx, &ctx->flow->decrypted, pt->data, pt->len);
        if (ctx->flow->rec_msg_count == 0) /* continuation of a message */
            add_msg(ctx, stage_of_message(ctx->flow->decrypted.msg_type));
        break;
    case TLS_CT_ALERT:
        /* With keys the reader knows what it is: an alert, and which. */
        if (pt->len >= 2) {
            ctx->flow->rec_alert[0] = pt->data[0];
            ctx->flow->rec_alert[1] = pt->data[1];
            ctx->flow->rec_alert_src = 1;
        } else {
            ctx->flow->rec_alert_src = 2;
        }
        add_msg(ctx, TLS_STAGE_ALERT);
        break;
    case TLS_CT_APPLICATION_DATA: add_msg(ctx, TLS_STAGE_APPLICATION_DATA); break;
    case TLS_CT_HEARTBEAT: add_msg(ctx, TLS_STAGE_HEARTBEAT); break;
    default: add_msg(ctx, TLS_STAGE_OTHER); break;
    }
    return true;
}

/* Does this plaintext alert end the handshake? A fatal alert does, and so
 * do close_notify and user_canceled; other warnings (unrecognized_name,
 * no_renegotiation) let it go on (RFC 5246 7.2). */
static bool
plaintext_alert_is_fatal(const tls_flow_t *flow)
{
    if (flow->rec_alert_src == 2)
        return true;
    if (flow->rec_alert_src == 0 && (flow->rec_len < 2 || flow->rec_body_cut))
        return true;
    return flow->rec_alert[0] != 1 || flow->rec_alert[1] == 0 || flow->rec_alert[1] == 90;
}

/* Is the current alert record's description readable (sent in clear and
 * captured, or decrypted)? */
static bool
alert_readable(const tls_flow_t *flow)
{
    if (flow->rec_alert_src != 0)
        return flow->rec_alert_src == 1;
    return !flow->rec_body_cut && flow->rec_body_seen >= 2;
}

static void
emit_alert(feed_ctx_t *ctx, uint8_t description)
{
    tls_packet_t *out = ctx->out;

    if (out->alert_count < TLS_MAX_STAGES_PER_PACKET)
        out->alerts[out->alert_count++] = description;
}

/* A record is complete: name it. flow->rec_msgs already holds the stages of
 * the plaintext handshake messages that started in it. */
static void
record_completed(feed_ctx_t *ctx)
{
    tls_conv_t *conv = ctx->conv;
    tls_flow_t *flow = ctx->flow;
    tls_flow_t *client = &conv->flow[0];
    bool        was_established = conv->established;
    bool        encrypted;
    uint8_t     i;

    conv->records++;
    /* After its ChangeCipherSpec a TLS <= 1.2 side encrypts everything; in
     * TLS 1.3 encrypted records carry the application_data type. */
    encrypted = conv->tls13 ? (flow->rec_type == TLS_CT_APPLICATION_DATA && conv->server_hello_seen)
                            : flow->ccs_seen;
    /* Picked up mid-stream: past the handshake, everything is encrypted. */
    if (conv->midstream)
        encrypted = true;

    switch (flow->rec_type) {
    case TLS_CT_CHANGE_CIPHER_SPEC:
        set_msg(ctx, TLS_STAGE_CHANGE_CIPHER_SPEC);
        flow->ccs_seen = true;
        break;

    case TLS_CT_ALERT:
        /* Encrypted: named by its decrypted content when there are keys. */
        if (!encrypted)
            set_msg(ctx, TLS_STAGE_ALERT);
        else if (!stages_from_plaintext(ctx))
            set_msg(ctx, TLS_STAGE_ENCRYPTED_ALERT);
        break;

    case TLS_CT_HANDSHAKE:
        if (flow->ccs_seen && !conv->tls13)
            conv->tls12_evidence = true;
        if (!encrypted || conv->tls13) {
            if (flow->rec_msg_count == 0) /* continuation of a message */
                add_msg(ctx, stage_of_message(flow->plain.msg_type));
        } else if (!stages_from_plaintext(ctx)) {
            /* Wireshark's "Encrypted Handshake Message": the Finished, or
             * a renegotiation after it. */
            set_msg(ctx,
                    flow->finished_seen || conv->midstream ? TLS_STAGE_ENCRYPTED_HANDSHAKE
                                                           : TLS_STAGE_FINISHED);
        }
        break;

    case TLS_CT_APPLICATION_DATA:
        if (encrypted && conv->tls13) {
            if (!stages_from_plaintext(ctx)) {
                if (!ctx->from_client) {
                    /* The server's flight after its ServerHello, until the
                     * client answers, is its encrypted handshake. */
                    set_msg(ctx,
                            client->encrypted_seen ? TLS_STAGE_APPLICATION_DATA
                                                   : TLS_STAGE_ENCRYPTED_HANDSHAKE);
                } else if (!flow->encrypted_seen) {
                    /* The client's first encrypted record is its Finished,
                     * unless it has the size of an alert: a refusal. */
                    if (is_alert_sized(flow->rec_len)) {
                        set_msg(ctx, TLS_STAGE_ENCRYPTED_ALERT);
                    } else {
                        set_msg(ctx, TLS_STAGE_FINISHED);
                        conv->flow[1].finished_seen = true; /* implied */
                    }
                } else {
                    set_msg(ctx, TLS_STAGE_APPLICATION_DATA);
                }
            }
            flow->encrypted_seen = true;
        } else if (conv->version_lost && !conv->tls12_evidence && !conv->server_hello_seen &&
                   !conv->midstream) {
            /* Without the ServerHello this may be TLS 1.3's encrypted
             * handshake as well as TLS 1.2's application data: do not
             * guess (docs/spec.md section 8). */
            set_msg(ctx, TLS_STAGE_UNKNOWN);
        } else {
            if (encrypted)
                (void)stages_from_plaintext(ctx);
            set_msg(ctx, TLS_STAGE_APPLICATION_DATA);
        }
        break;

    case TLS_CT_HEARTBEAT: set_msg(ctx, TLS_STAGE_HEARTBEAT); break;

    default: set_msg(ctx, TLS_STAGE_OTHER); break;
    }

    /* A record the capture cut can only be named by its header. */
    if (flow->rec_body_cut && !flow->rec_decrypted_hs && flow->rec_type == TLS_CT_HANDSHAKE &&
        (!encrypted || conv->tls13)) {
        set_msg(ctx, TLS_STAGE_UNKNOWN);
    }

    for (i = 0; i < flow->rec_msg_count; i++) {
        uint8_t     stage = flow->rec_msgs[i];
        tls_phase_t phase;

        if (stage == TLS_STAGE_FINISHED)
            note_finished(ctx, ctx->from_client);
        if (stage == TLS_STAGE_ALERT || stage == TLS_STAGE_ENCRYPTED_ALERT) {
            /* An encrypted alert's level cannot be read: before completion
             * it is taken as the end of the handshake. */
            if (stage == TLS_STAGE_ENCRYPTED_ALERT || plaintext_alert_is_fatal(flow))
                note_failure(ctx);
            if (stage == TLS_STAGE_ALERT && alert_readable(flow))
                emit_alert(ctx, flow->rec_alert[1]);
            phase = TLS_PHASE_ALERT;
        } else if (!was_established && !conv->midstream) {
            phase = TLS_PHASE_HANDSHAKE;
        } else {
            phase = TLS_PHASE_APPLICATION;
        }
        emit(ctx, stage, phase);
        was_established = conv->established;
    }
    flow->rec_msg_count = 0;
    flow->rec_server_hello_slot = -1;
    flow->rec_decrypted_hs = false;
    flow->rec_alert_src = 0;
}

static bool
plausible_record_header(const uint8_t *h)
{
    uint16_t len = (uint16_t)((h[3] << 8) | h[4]);

    return h[0] >= TLS_CT_CHANGE_CIPHER_SPEC && h[0] <= TLS_CT_HEARTBEAT && h[1] == 3 &&
        h[2] <= 4 && len <= MAX_RECORD_LEN;
}

/* ---- mid-stream pick-up ---- */

/* A record header that may start a run mid-stream: every field in range,
 * and a body (an encrypted record always has one). */
static bool
plausible_midstream_header(const uint8_t *h)
{
    return plausible_record_header(h) && ((h[3] << 8) | h[4]) > 0;
}

/* Do the bytes that follow a record in its segment begin another record
 * (as far as they go)? None at all: the record ends with the segment. */
static bool
lines_up(const uint8_t *rest, uint32_t len)
{
    if (len == 0)
        return true;
    if (rest == NULL)
        return false;
    if (len >= REC_HEADER_LEN)
        return plausible_midstream_header(rest);
    return rest[0] >= TLS_CT_CHANGE_CIPHER_SPEC && rest[0] <= TLS_CT_HEARTBEAT &&
        (len < 2 || rest[1] == 3) && (len < 3 || rest[2] <= 4);
}

static void
release_flow(tls_conv_t *conv, tls_flow_t *flow)
{
    while (flow->pending != NULL) {
        tls_pending_t *seg = flow->pending;
        flow->pending = seg->next;
        conv->allocator.release(conv->allocator.ctx, seg);
    }
    if (flow->plain.capture != NULL)
        conv->allocator.release(conv->allocator.ctx, flow->plain.capture);
    if (flow->decrypted.capture != NULL)
        conv->allocator.release(conv->allocator.ctx, flow->decrypted.capture);
}

/* Forgets a direction's framing: it starts again from scratch. */
static void
reset_flow(tls_conv_t *conv, tls_flow_t *flow)
{
    uint16_t probes = flow->probes;

    release_flow(conv, flow);
    memset(flow, 0, sizeof(*flow));
    flow->rec_server_hello_slot = -1;
    flow->probes = probes;
}

/* The candidate run did not line up: nothing was said about it; look for
 * another record boundary from the next segment on. */
static void
drop_candidate(feed_ctx_t *ctx)
{
    reset_flow(ctx->conv, ctx->flow);
}

static void
confirm_midstream(feed_ctx_t *ctx)
{
    ctx->flow->probation = false;
    ctx->conv->detect = TLS_DETECT_YES;
    ctx->conv->midstream = true;
}

/* Frames bytes into records. data == NULL stands for bytes the capture
 * did not keep (snaplen). */
static void
consume(feed_ctx_t *ctx, const uint8_t *data, uint32_t len)
{
    tls_flow_t *flow = ctx->flow;

    flow->next_seq += len;
    if (data == NULL && len > 0 && !ctx->from_client && !ctx->conv->server_hello_seen)
        ctx->conv->version_lost = true;
    while (len > 0 && !flow->broken) {
        if (flow->rec_header_len < REC_HEADER_LEN) {
            uint32_t take = REC_HEADER_LEN - flow->rec_header_len;
            if (take > len)
                take = len;
            if (data == NULL && flow->probation) {
                drop_candidate(ctx);
                return;
            }
            if (data == NULL) {
                /* Without the header there is no telling where the next
                 * record starts: say so once and stop. */
                flow->broken = true;
                emit(ctx, TLS_STAGE_UNKNOWN,
                     ctx->conv->established ? TLS_PHASE_APPLICATION : TLS_PHASE_HANDSHAKE);
                return;
            }
            memcpy(flow->rec_header + flow->rec_header_len, data, take);
            flow->rec_header_len = (uint8_t)(flow->rec_header_len + take);
            data += take;
            len -= take;
            if (flow->rec_header_len < REC_HEADER_LEN)
                return;
            if (flow->probation && !plausible_midstream_header(flow->rec_header)) {
                drop_candidate(ctx);
                return;
            }
            if (!plausible_record_header(flow->rec_header)) {
                flow->broken = true;
                return;
            }
            flow->rec_type = flow->rec_header[0];
            flow->rec_len = (uint16_t)((flow->rec_header[3] << 8) | flow->rec_header[4]);
            flow->rec_remaining = flow->rec_len;
            flow->rec_body_cut = false;
            flow->rec_body_seen = 0;
        } else {
            uint32_t take = flow->rec_remaining < len ? flow->rec_remaining : len;
            bool     plaintext_hs = flow->rec_type == TLS_CT_HANDSHAKE && !flow->probation &&
                !ctx->conv->midstream && (ctx->conv->tls13 || !flow->ccs_seen);
            if (data == NULL && flow->probation) {
                drop_candidate(ctx);
                return;
            }
            if (data == NULL) {
                if (plaintext_hs && !flow->rec_body_cut) {
                    /* The message bytes are gone: restart the message
                     * layer at the next record instead of misreading it. */
                    tls_hs_parser_t *hs = &flow->plain;
                    if (hs->capture != NULL)
                        ctx->conv->allocator.release(ctx->conv->allocator.ctx, hs->capture);
                    hs->capture = NULL;
                    hs->header_len = 0;
                    hs->msg_remaining = 0;
                }
                flow->rec_body_cut = true;
            } else if (plaintext_hs && !flow->rec_body_cut) {
                hs_feed(ctx, &flow->plain, data, take);
            } else if (flow->rec_type == TLS_CT_ALERT && flow->rec_body_seen < 2) {
                uint32_t k;
                for (k = 0; k < take && flow->rec_body_seen + k < 2; k++)
                    flow->rec_alert[flow->rec_body_seen + k] = data[k];
            }
            flow->rec_remaining -= take;
            flow->rec_body_seen += take;
            if (data != NULL)
                data += take;
            len -= take;
        }
        if (flow->rec_header_len == REC_HEADER_LEN && flow->rec_remaining == 0) {
            if (flow->probation) {
                /* Mid-stream, the first record is believed only if it lines
                 * up: it ends where its segment ends, or another record
                 * header follows it. */
                if (!lines_up(data, len)) {
                    drop_candidate(ctx);
                    return;
                }
                confirm_midstream(ctx);
            }
            record_completed(ctx);
            flow->rec_header_len = 0;
        }
    }
}

static void
consume_segment(feed_ctx_t *ctx, const uint8_t *payload, uint32_t captured, uint32_t len)
{
    if (captured > len)
        captured = len;
    consume(ctx, payload, captured);
    if (len > captured && !ctx->flow->broken)
        consume(ctx, NULL, len - captured);
}

static void
store_pending(tls_conv_t *conv, tls_flow_t *flow, uint32_t seq, const uint8_t *data, uint32_t len)
{
    tls_pending_t **link = &flow->pending;
    tls_pending_t  *seg;

    if (flow->pending_bytes + len > PENDING_MAX_BYTES) {
        flow->broken = true;
        return;
    }
    while (*link != NULL && TCP_SEQ_GEQ(seq, (*link)->seq))
        link = &(*link)->next;
    seg = (tls_pending_t *)conv->allocator.alloc(conv->allocator.ctx, sizeof(*seg) + len);
    seg->seq = seq;
    seg->len = len;
    memcpy(seg->data, data, len);
    seg->next = *link;
    *link = seg;
    flow->pending_bytes += len;
}

static void
drain_pending(feed_ctx_t *ctx)
{
    tls_conv_t *conv = ctx->conv;
    tls_flow_t *flow = ctx->flow;

    while (flow->pending != NULL && !flow->broken &&
           TCP_SEQ_GEQ(flow->next_seq, flow->pending->seq)) {
        tls_pending_t *seg = flow->pending;
        uint32_t       overlap = flow->next_seq - seg->seq;

        flow->pending = seg->next;
        flow->pending_bytes -= seg->len;
        if (overlap < seg->len)
            consume(ctx, seg->data + overlap, seg->len - overlap);
        conv->allocator.release(conv->allocator.ctx, seg);
    }
}

/* The start of a ClientHello record; a first segment shorter than the
 * headers (a split meant to evade inspection) only needs a plausible
 * prefix: every later record header is checked anyway. */
static bool
looks_like_client_hello(const uint8_t *p, uint32_t len)
{
    if (len >= REC_HEADER_LEN + 1)
        return p[0] == TLS_CT_HANDSHAKE && plausible_record_header(p) && p[5] == HS_CLIENT_HELLO;
    return len >= 1 && p[0] == TLS_CT_HANDSHAKE && (len < 2 || p[1] == 3) && (len < 3 || p[2] <= 4);
}

/* An SSLv2-format ClientHello (the compatible hello of old clients): a
 * two-byte header with the high bit set, message type 1, then the highest
 * version the client offers; only SSL 3.0 and later are followed (an SSL
 * 2.0 server answers in SSLv2 format, which has no TLS records), and only
 * when the whole hello is in the segment. Returns its length, or 0. */
static uint32_t
sslv2_client_hello_len(const uint8_t *p, uint32_t len)
{
    uint32_t body;

    if (len < 5 || !(p[0] & 0x80) || p[2] != HS_CLIENT_HELLO || p[3] != 3 || p[4] > 4)
        return 0;
    body = ((uint32_t)(p[0] & 0x7F) << 8) | p[1];
    if (body < 3 + 6 || 2 + body > len)
        return 0;
    return 2 + body;
}

static bool
starts_client_hello(const uint8_t *p, uint32_t len, bool first_payload)
{
    if (sslv2_client_hello_len(p, len) > 0)
        return true;
    if (len < REC_HEADER_LEN + 1 && !first_payload)
        return false;
    return looks_like_client_hello(p, len);
}

bool
tls_segment_may_start(bool from_client, bool first_payload, bool midstream, const uint8_t *payload,
                      uint32_t captured_len)
{
    if (midstream)
        return true;
    return from_client && payload != NULL &&
        starts_client_hello(payload, captured_len, first_payload);
}

/* A ClientHello starts the walk here: whatever came before was not TLS. */
static void
restart_walk(tls_conv_t *conv)
{
    reset_flow(conv, &conv->flow[0]);
    reset_flow(conv, &conv->flow[1]);
    conv->detect = TLS_DETECT_YES;
    conv->midstream = false;
}

/* Reads an SSLv2-format ClientHello that opens the client's stream. */
static void
sslv2_client_hello(feed_ctx_t *ctx, uint32_t seq, const uint8_t *p, uint32_t hello_len)
{
    tls_conv_t *conv = ctx->conv;

    ctx->flow->seq_set = true;
    ctx->flow->next_seq = seq + hello_len;
    conv->records++;
    conv->hello_version = (uint16_t)((p[3] << 8) | p[4]);
    conv->client_hello_seen = true;
    conv->client_hello_time = ctx->ts;
    emit(ctx, TLS_STAGE_CLIENT_HELLO, TLS_PHASE_HANDSHAKE);
}

/* Mid-stream, no record boundary known in this direction yet: look for the
 * first record header in the segment and follow the run it starts. */
static void
probe_segment(feed_ctx_t *ctx, uint32_t seq, const uint8_t *p, uint32_t captured, uint32_t len)
{
    tls_flow_t *flow = ctx->flow;
    uint32_t    i;

    if (p == NULL || captured < len || flow->broken || flow->probes >= PROBE_MAX_SEGMENTS)
        return;
    flow->probes++;
    for (i = 0; i + REC_HEADER_LEN <= len; i++) {
        if (p[i] < TLS_CT_CHANGE_CIPHER_SPEC || p[i] > TLS_CT_HEARTBEAT ||
            !plausible_midstream_header(p + i))
            continue;
        flow->seq_set = true;
        flow->next_seq = seq + i;
        flow->probation = true;
        consume(ctx, p + i, len - i);
        if (flow->seq_set)
            return; /* confirmed, or still a candidate */
    }
}

void
tls_conv_on_segment(tls_conv_t *conv, bool from_client, uint32_t seq, const uint8_t *payload,
                    uint32_t captured_len, uint32_t payload_len, tls_time_t ts,
                    const tls_plaintext_t *plain, size_t plain_count, tls_packet_t *out)
{
    feed_ctx_t  ctx;
    tls_flow_t *flow;
    uint32_t    v2_len = 0;
    bool        first_payload;

    memset(out, 0, sizeof(*out));
    if (payload_len == 0 || conv->detect == TLS_DETECT_NO)
        return;
    if (captured_len > payload_len)
        captured_len = payload_len;
    first_payload = !conv->after_prelude;
    conv->after_prelude = true;
    flow = &conv->flow[from_client ? 0 : 1];

    memset(&ctx, 0, sizeof(ctx));
    ctx.conv = conv;
    ctx.flow = flow;
    ctx.from_client = from_client;
    ctx.ts = ts;
    ctx.plain = plain;
    ctx.plain_count = plain ? plain_count : 0;
    ctx.out = out;

    if (conv->detect != TLS_DETECT_YES) {
        /* TLS starts at a client segment that begins with a ClientHello,
         * wherever it comes (after a plaintext prelude: STARTTLS and the
         * like); mid-stream, at the first record boundary found. */
        if (from_client && payload != NULL &&
            starts_client_hello(payload, captured_len, first_payload)) {
            restart_walk(conv);
            v2_len = sslv2_client_hello_len(payload, captured_len);
        } else if (!conv->midstream_allowed) {
            return;
        } else if (!flow->seq_set) {
            probe_segment(&ctx, seq, payload, captured_len, payload_len);
            return;
        }
    } else if (conv->midstream && !flow->seq_set) {
        probe_segment(&ctx, seq, payload, captured_len, payload_len);
        return;
    }
    if (flow->broken)
        return;
    if (v2_len > 0) {
        sslv2_client_hello(&ctx, seq, payload, v2_len);
        if (v2_len < payload_len)
            consume_segment(&ctx, payload + v2_len, captured_len - v2_len, payload_len - v2_len);
        drain_pending(&ctx);
        return;
    }

    if (flow->probation) {
        /* A candidate run believes only consecutive, whole segments. */
        if (TCP_SEQ_LT(seq, flow->next_seq) && flow->next_seq - seq >= payload_len)
            return; /* a retransmission */
        if (seq != flow->next_seq || captured_len < payload_len) {
            drop_candidate(&ctx);
            probe_segment(&ctx, seq, payload, captured_len, payload_len);
            return;
        }
    }

    if (!flow->seq_set) {
        /* The stream starts with a record header; a segment that does not
         * is a later one that came first: hold it until the start comes. */
        if (captured_len >= 3 && captured_len == payload_len &&
            !(payload[0] >= TLS_CT_CHANGE_CIPHER_SPEC && payload[0] <= TLS_CT_HEARTBEAT &&
              payload[1] == 3 && payload[2] <= 4)) {
            store_pending(conv, flow, seq, payload, payload_len);
            return;
        }
        flow->seq_set = true;
        flow->next_seq = seq;
    }
    /* Serial arithmetic (RFC 1982): a segment that starts after the next
     * expected byte leaves a gap; one that starts before it is a
     * retransmission or an overlap. */
    if (TCP_SEQ_GT(seq, flow->next_seq)) {
        /* A gap: keep the bytes until the missing ones arrive. */
        if (captured_len < payload_len)
            flow->broken = true;
        else
            store_pending(conv, flow, seq, payload, payload_len);
        return;
    }
    if (flow->next_seq - seq >= payload_len)
        return; /* a retransmission: counted once */
    {
        uint32_t overlap = flow->next_seq - seq;
        uint32_t captured = captured_len > overlap ? captured_len - overlap : 0;
        consume_segment(&ctx, captured ? payload + overlap : NULL, captured, payload_len - overlap);
    }
    drain_pending(&ctx);
}

void
tls_conv_on_close(tls_conv_t *conv)
{
    if (conv->detect == TLS_DETECT_YES && conv->client_hello_seen && !conv->established &&
        !conv->midstream)
        conv->failed = true;
}

tls_result_t
tls_conv_result(const tls_conv_t *conv)
{
    if (conv->detect == TLS_DETECT_YES && conv->midstream)
        return TLS_RESULT_MIDSTREAM;
    if (conv->detect != TLS_DETECT_YES || !conv->client_hello_seen)
        return TLS_RESULT_NONE;
    if (conv->established)
        return TLS_RESULT_ESTABLISHED;
    if (conv->failed)
        return TLS_RESULT_FAILED;
    return TLS_RESULT_IN_PROGRESS;
}

bool
tls_conv_resumed(const tls_conv_t *conv)
{
    /* An abbreviated handshake: the server switched to encryption without
     * sending a Certificate (TLS <= 1.2), or accepted a PSK (TLS 1.3). */
    if (conv->midstream)
        return false;
    if (conv->tls13)
        return conv->psk_accepted;
    return conv->flow[1].ccs_seen && !conv->server_certificate_seen;
}

bool
tls_conv_handshake_time(const tls_conv_t *conv, tls_time_t *t)
{
    if (!conv->client_hello_seen || !conv->established)
        return false;
    *t = tp_time_diff(conv->established_time, conv->client_hello_time);
    return true;
}

tls_phase_t
tls_packet_phase(const tls_packet_t *pkt)
{
    if (pkt->phase_mask & (1u << TLS_PHASE_ALERT))
        return TLS_PHASE_ALERT;
    if (pkt->phase_mask & (1u << TLS_PHASE_HANDSHAKE))
        return TLS_PHASE_HANDSHAKE;
    if (pkt->phase_mask & (1u << TLS_PHASE_APPLICATION))
        return TLS_PHASE_APPLICATION;
    return (tls_phase_t)0;
}

ENUM_LIST_NAME_FUNCTION(tls_stage_name, tls_stage_t, TLS_STAGE_LIST)
ENUM_LIST_NAME_FUNCTION(tls_phase_name, tls_phase_t, TLS_PHASE_LIST)
ENUM_LIST_NAME_FUNCTION(tls_result_name, tls_result_t, TLS_RESULT_LIST)
ENUM_LIST_NAME_FUNCTION(tls_version_name, uint16_t, TLS_VERSION_LIST)
ENUM_LIST_NAME_FUNCTION(tls_alert_name, uint8_t, TLS_ALERT_LIST)
