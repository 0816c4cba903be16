/* tls_stage.h
 * The TLS stage machine: walks the TLS record layer of each direction of a
 * TCP conversation (records split across segments, several per segment,
 * retransmitted or out-of-order segments counted once) and names the
 * handshake stage of every record, with or without decryption keys
 * (docs/spec.md sections 4 and 5).
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TLS_STAGE_H
#define TCPPHASE_TLS_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enum_list.h"

/* Labels are the user interface (docs/spec.md section 4); values are printed by
 * tshark -T fields. `unknown` is a record whose content the capture cut. */
/* clang-format off */
#define TLS_STAGE_LIST(X) \
    X(TLS_STAGE_CLIENT_HELLO,         1, "client_hello") \
    X(TLS_STAGE_SERVER_HELLO,         2, "server_hello") \
    X(TLS_STAGE_HELLO_RETRY_REQUEST,  3, "hello_retry_request") \
    X(TLS_STAGE_CERTIFICATE,          4, "certificate") \
    X(TLS_STAGE_SERVER_KEY_EXCHANGE,  5, "server_key_exchange") \
    X(TLS_STAGE_CERTIFICATE_REQUEST,  6, "certificate_request") \
    X(TLS_STAGE_SERVER_HELLO_DONE,    7, "server_hello_done") \
    X(TLS_STAGE_CLIENT_KEY_EXCHANGE,  8, "client_key_exchange") \
    X(TLS_STAGE_CERTIFICATE_VERIFY,   9, "certificate_verify") \
    X(TLS_STAGE_CHANGE_CIPHER_SPEC,  10, "change_cipher_spec") \
    X(TLS_STAGE_FINISHED,            11, "finished") \
    X(TLS_STAGE_ENCRYPTED_EXTENSIONS,12, "encrypted_extensions") \
    X(TLS_STAGE_ENCRYPTED_HANDSHAKE, 13, "encrypted_handshake") \
    X(TLS_STAGE_NEW_SESSION_TICKET,  14, "new_session_ticket") \
    X(TLS_STAGE_KEY_UPDATE,          15, "key_update") \
    X(TLS_STAGE_APPLICATION_DATA,    16, "application_data") \
    X(TLS_STAGE_ALERT,               17, "alert") \
    X(TLS_STAGE_ENCRYPTED_ALERT,     18, "encrypted_alert") \
    X(TLS_STAGE_HEARTBEAT,           19, "heartbeat") \
    X(TLS_STAGE_OTHER,               20, "other") \
    X(TLS_STAGE_UNKNOWN,             21, "unknown")

#define TLS_PHASE_LIST(X) \
    X(TLS_PHASE_HANDSHAKE,   1, "handshake") \
    X(TLS_PHASE_APPLICATION, 2, "application") \
    X(TLS_PHASE_ALERT,       3, "alert")

#define TLS_RESULT_LIST(X) \
    X(TLS_RESULT_NONE,        1, "none") \
    X(TLS_RESULT_IN_PROGRESS, 2, "in_progress") \
    X(TLS_RESULT_ESTABLISHED, 3, "established") \
    X(TLS_RESULT_FAILED,      4, "failed") \
    X(TLS_RESULT_MIDSTREAM,   5, "midstream")

#define TLS_VERSION_LIST(X) \
    X(TLS_VERSION_SSL30, 0x0300, "SSL 3.0") \
    X(TLS_VERSION_TLS10, 0x0301, "TLS 1.0") \
    X(TLS_VERSION_TLS11, 0x0302, "TLS 1.1") \
    X(TLS_VERSION_TLS12, 0x0303, "TLS 1.2") \
    X(TLS_VERSION_TLS13, 0x0304, "TLS 1.3")

/* Alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2), the
 * labels of tcpphase.tls.alert. */
#define TLS_ALERT_LIST(X) \
    X(TLS_ALERT_CLOSE_NOTIFY,                     0, "close_notify") \
    X(TLS_ALERT_UNEXPECTED_MESSAGE,              10, "unexpected_message") \
    X(TLS_ALERT_BAD_RECORD_MAC,                  20, "bad_record_mac") \
    X(TLS_ALERT_DECRYPTION_FAILED,               21, "decryption_failed") \
    X(TLS_ALERT_RECORD_OVERFLOW,                 22, "record_overflow") \
    X(TLS_ALERT_DECOMPRESSION_FAILURE,           30, "decompression_failure") \
    X(TLS_ALERT_HANDSHAKE_FAILURE,               40, "handshake_failure") \
    X(TLS_ALERT_NO_CERTIFICATE,                  41, "no_certificate") \
    X(TLS_ALERT_BAD_CERTIFICATE,                 42, "bad_certificate") \
    X(TLS_ALERT_UNSUPPORTED_CERTIFICATE,         43, "unsupported_certificate") \
    X(TLS_ALERT_CERTIFICATE_REVOKED,             44, "certificate_revoked") \
    X(TLS_ALERT_CERTIFICATE_EXPIRED,             45, "certificate_expired") \
    X(TLS_ALERT_CERTIFICATE_UNKNOWN,             46, "certificate_unknown") \
    X(TLS_ALERT_ILLEGAL_PARAMETER,               47, "illegal_parameter") \
    X(TLS_ALERT_UNKNOWN_CA,                      48, "unknown_ca") \
    X(TLS_ALERT_ACCESS_DENIED,                   49, "access_denied") \
    X(TLS_ALERT_DECODE_ERROR,                    50, "decode_error") \
    X(TLS_ALERT_DECRYPT_ERROR,                   51, "decrypt_error") \
    X(TLS_ALERT_EXPORT_RESTRICTION,              60, "export_restriction") \
    X(TLS_ALERT_PROTOCOL_VERSION,                70, "protocol_version") \
    X(TLS_ALERT_INSUFFICIENT_SECURITY,           71, "insufficient_security") \
    X(TLS_ALERT_INTERNAL_ERROR,                  80, "internal_error") \
    X(TLS_ALERT_INAPPROPRIATE_FALLBACK,          86, "inappropriate_fallback") \
    X(TLS_ALERT_USER_CANCELED,                   90, "user_canceled") \
    X(TLS_ALERT_NO_RENEGOTIATION,               100, "no_renegotiation") \
    X(TLS_ALERT_MISSING_EXTENSION,              109, "missing_extension") \
    X(TLS_ALERT_UNSUPPORTED_EXTENSION,          110, "unsupported_extension") \
    X(TLS_ALERT_CERTIFICATE_UNOBTAINABLE,       111, "certificate_unobtainable") \
    X(TLS_ALERT_UNRECOGNIZED_NAME,              112, "unrecognized_name") \
    X(TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, 113, "bad_certificate_status_response") \
    X(TLS_ALERT_BAD_CERTIFICATE_HASH_VALUE,     114, "bad_certificate_hash_value") \
    X(TLS_ALERT_UNKNOWN_PSK_IDENTITY,           115, "unknown_psk_identity") \
    X(TLS_ALERT_CERTIFICATE_REQUIRED,           116, "certificate_required") \
    X(TLS_ALERT_NO_APPLICATION_PROTOCOL,        120, "no_application_protocol")
/* clang-format on */

typedef enum { TLS_STAGE_LIST(ENUM_LIST_ENTRY) } tls_stage_t;
typedef enum { TLS_PHASE_LIST(ENUM_LIST_ENTRY) } tls_phase_t;
typedef enum { TLS_RESULT_LIST(ENUM_LIST_ENTRY) } tls_result_t;
typedef enum { TLS_VERSION_LIST(ENUM_LIST_ENTRY) } tls_version_t;
typedef enum { TLS_ALERT_LIST(ENUM_LIST_ENTRY) } tls_alert_t;

/* TLS record content types (RFC 8446 section 5.1). */
enum {
    TLS_CT_CHANGE_CIPHER_SPEC = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPLICATION_DATA = 23,
    TLS_CT_HEARTBEAT = 24
};

/* Where the machine gets and returns memory for the few things it must
 * hold across packets (hello messages, out-of-order segments). The plugin
 * passes file-scope wmem, so a closed file frees everything. */
typedef struct {
    void *(*alloc)(void *ctx, size_t size);
    void (*release)(void *ctx, void *ptr);
    void *ctx;
} tls_allocator_t;

/* A record Wireshark decrypted (keys available), in record order. */
typedef struct tls_plaintext_s {
    uint8_t        content_type; /* inner content type */
    const uint8_t *data;
    uint32_t       len;
} tls_plaintext_t;

/* Stages of the records that complete in one packet, in record order. */
#define TLS_MAX_STAGES_PER_PACKET 32
typedef struct {
    uint8_t  count;
    uint8_t  stages[TLS_MAX_STAGES_PER_PACKET]; /* tls_stage_t */
    uint8_t  phase_mask;                        /* 1 << tls_phase_t of each record */
    uint16_t dropped;                           /* records past TLS_MAX_STAGES_PER_PACKET */
    /* descriptions of the alerts whose content was readable (sent in
     * clear, or decrypted with keys), in record order */
    uint8_t alert_count;
    uint8_t alerts[TLS_MAX_STAGES_PER_PACKET];
    bool    failed_here; /* the handshake failed on this packet */
} tls_packet_t;

/* Handshake-message parser of one direction (plaintext or decrypted). */
typedef struct {
    uint8_t  header[4];
    uint8_t  header_len;
    uint8_t  msg_type;
    uint32_t msg_remaining; /* body bytes still to come */
    uint8_t *capture;       /* body of a hello being kept, or NULL */
    uint32_t capture_len, capture_size;
} tls_hs_parser_t;

/* Out-of-order bytes of one direction, kept until the gap before them
 * fills. */
typedef struct tls_pending_s {
    struct tls_pending_s *next;
    uint32_t              seq;
    uint32_t              len;
    uint8_t               data[];
} tls_pending_t;

/* Handshake messages one record can name; more are not listed. */
#define TLS_MAX_MSGS_PER_RECORD 16

/* One direction of the byte stream. */
typedef struct {
    bool     seq_set;
    bool     broken;   /* lost the record framing: stop here */
    uint32_t next_seq; /* next byte expected */
    uint8_t  rec_header[5];
    uint8_t  rec_header_len;
    uint8_t  rec_type;
    uint32_t rec_remaining; /* body bytes of the record still to come */
    uint16_t rec_len;
    bool     rec_body_cut;     /* some body bytes were not captured */
    uint32_t rec_body_seen;    /* body bytes delivered so far */
    bool     ccs_seen;         /* this side sent ChangeCipherSpec */
    bool     finished_seen;    /* this side's Finished seen or inferred */
    bool     encrypted_seen;   /* TLS 1.3: an encrypted record after SH */
    bool     rec_decrypted_hs; /* the current record used decrypted data */
    uint8_t  rec_alert[2];     /* level and description of a plaintext alert */
    uint8_t  rec_alert_src;    /* rec_alert: 0 from the record's bytes, 1 from
                                * the decrypted record, 2 decrypted but short */
    bool probation;            /* mid-stream: a candidate record run, not yet
                                * seen to line up */
    uint16_t probes;           /* mid-stream: segments searched for a record
                                * boundary */
    /* stages of the handshake messages that started in the current record
     * (kept across segments: a record may span several) */
    uint8_t         rec_msgs[TLS_MAX_MSGS_PER_RECORD];
    uint8_t         rec_msg_count;
    int8_t          rec_server_hello_slot; /* index in rec_msgs, or -1 */
    tls_hs_parser_t plain;                 /* plaintext handshake messages */
    tls_hs_parser_t decrypted;             /* decrypted handshake messages */
    tls_pending_t  *pending;
    uint32_t        pending_bytes;
} tls_flow_t;

/* UNKNOWN: not walking yet (watching for a ClientHello at the start of a
 * client segment, or mid-stream for a record run that lines up); YES:
 * walking. NO is never set by the machine any more (TLS may start at any
 * client segment); a caller may set it to switch a conversation off. */
typedef enum { TLS_DETECT_UNKNOWN = 0, TLS_DETECT_YES, TLS_DETECT_NO } tls_detect_t;

typedef int64_t tls_time_t; /* nanoseconds */

#define TLS_SNI_MAX 255

typedef struct {
    tls_allocator_t allocator;
    tls_detect_t    detect;
    tls_flow_t      flow[2]; /* [0] client -> server, [1] server -> client */

    bool     server_hello_seen;
    bool     hrr_seen;
    bool     tls13;
    bool     server_certificate_seen;
    bool     psk_accepted; /* TLS 1.3 ServerHello pre_shared_key */
    uint16_t version;      /* negotiated, 0 until the ServerHello */
    bool     version_lost; /* the capture cut the server's bytes
                            * before its ServerHello was read */
    bool tls12_evidence;   /* a handshake record after a CCS: the
                            * encrypted Finished of TLS <= 1.2 */
    bool       client_hello_seen;
    tls_time_t client_hello_time;
    uint16_t   hello_version;     /* version an SSLv2-format ClientHello offered */
    bool       midstream_allowed; /* the TCP conversation was picked up mid-stream */
    bool       after_prelude;     /* payload went by before this walker started */
    bool       midstream;         /* TLS followed mid-stream: handshake not seen */
    bool       established;
    tls_time_t established_time;
    bool       failed;
    bool       alert_seen;
    char       sni[TLS_SNI_MAX + 1];
    uint32_t   records;
} tls_conv_t;

void tls_conv_init(tls_conv_t *conv, const tls_allocator_t *allocator);

/* The TCP conversation was picked up mid-stream: a run of well-formed
 * records may be followed without its handshake. */
void tls_conv_allow_midstream(tls_conv_t *conv);
/* Payload of the conversation went by before this walker was created: the
 * next segment is not its first payload. */
void tls_conv_after_prelude(tls_conv_t *conv);

/* A new walker for a conversation where TLS may start at this segment
 * (tls_segment_may_start): tls_conv_init, and what the conversation's
 * past says (mid-stream; payload already gone by, a prelude). */
void tls_conv_start(tls_conv_t *conv, const tls_allocator_t *allocator, bool first_payload,
                    bool midstream);

/* For a conversation not (yet) walked: could TLS start at this segment?
 * True for a client segment that begins with a ClientHello (or an
 * SSLv2-format one; on the first payload a plausible prefix is enough),
 * and for any payload of a conversation picked up mid-stream. The plugin
 * creates the walker only then. */
bool tls_segment_may_start(bool from_client, bool first_payload, bool midstream,
                           const uint8_t *payload, uint32_t captured_len);

/* Feeds one TCP segment of the conversation.
 *   from_client  direction of the segment
 *   seq          TCP sequence number of its first payload byte
 *   payload      captured payload bytes (captured_len of them)
 *   payload_len  payload length on the wire (>= captured_len)
 *   plain        records Wireshark decrypted in this packet, or NULL
 * Fills *out with the records that complete in this segment. */
void tls_conv_on_segment(tls_conv_t *conv, bool from_client, uint32_t seq, const uint8_t *payload,
                         uint32_t captured_len, uint32_t payload_len, tls_time_t ts,
                         const tls_plaintext_t *plain, size_t plain_count, tls_packet_t *out);

/* The TCP conversation sent a FIN or RST: a handshake still running has
 * failed. */
void tls_conv_on_close(tls_conv_t *conv);

tls_result_t tls_conv_result(const tls_conv_t *conv);
bool         tls_conv_resumed(const tls_conv_t *conv);
/* ClientHello to the Finished that completed the handshake. */
bool tls_conv_handshake_time(const tls_conv_t *conv, tls_time_t *t);

/* The packet's TLS phase from its records' phases (0 if no record). */
tls_phase_t tls_packet_phase(const tls_packet_t *pkt);

const char *tls_stage_name(tls_stage_t stage);
const char *tls_phase_name(tls_phase_t phase);
const char *tls_result_name(tls_result_t result);
const char *tls_version_name(uint16_t version);
const char *tls_alert_name(uint8_t description);

#endif /* TCPPHASE_TLS_STAGE_H */
