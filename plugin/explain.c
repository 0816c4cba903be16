/* explain.c
 * The sentences, labels and verdict lines of explain.h, from one table of
 * message templates (one column per language). Templates name their
 * blanks ({who}, {n} ...) instead of using printf conversions, so a
 * translation may put them in any order (docs/spec.md section 9).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "explain.h"

#include <stdio.h>
#include <string.h>

#include "tcp_flags.h"
#include "tcp_phase.h"
#include "tls_stage.h"

/* ---- the message table ---- */

typedef enum {
    M_CLIENT,
    M_SERVER,
    M_OF_CLIENT,
    M_OF_SERVER,
    M_THOUSANDS,
    M_SYN,
    M_SYN_AGAIN,
    M_SYN_ACK,
    M_HS_ACK,
    M_DATA,
    M_REQUEST,
    M_RESPONSE,
    M_TLS_DATA,
    M_ACK_HANDSHAKE,
    M_ACK_DATA,
    M_ACK_FIN,
    M_ACK_CLOSED,
    M_FIN_FIRST,
    M_FIN_SECOND,
    M_FIN_AGAIN,
    M_LAST_ACK,
    M_RST_REFUSED,
    M_RST_ABORT,
    M_RST_FIRST,
    M_RST_LATE,
    M_ALSO_DATA,
    M_ALSO_APP,
    M_ALSO_TLS,
    M_DATA_AFTER_FIN,
    M_MIDSTREAM,
    M_TLS_FAILED,
    M_TLS_FINISHED,
    M_TLS13_FLIGHT,
    M_W_CLIENT,
    M_W_SERVER,
    M_W_HANDSHAKE,
    M_W_DATA,
    M_W_TEARDOWN,
    M_W_CONVERSATION,
    M_W_MORE,
    M_W_FRAMES,
    M_W_VERDICT,
    M_W_LADDER,
    M_ST_OTH,
    M_ST_S0,
    M_ST_S1,
    M_ST_SF,
    M_ST_REJ,
    M_ST_S2,
    M_ST_S3,
    M_ST_RSTO,
    M_ST_RSTR,
    M_ST_RSTOS0,
    M_ST_RSTRH,
    M_ST_SH,
    M_ST_SHR,
    M_V_STATE,
    M_V_OPEN,
    M_V_HALF,
    M_V_GRACEFUL,
    M_V_RESET,
    M_V_RTT,
    M_V_TTFB,
    M_V_TLS_NONE,
    M_V_TLS_PROGRESS,
    M_V_TLS_OK,
    M_V_TLS_OK_RESUMED,
    M_V_TLS_FAILED,
    M_V_TLS_MIDSTREAM,
    M_COUNT
} msg_t;

/* One row per message, one column per language (explain_lang_t order). */
static const char *const messages[M_COUNT][EXPLAIN_LANG_COUNT] = {
    [M_CLIENT] = {"the client",                                                               "el cliente"                                                            },
    [M_SERVER] = { "the server",                                                              "el servidor"                                                           },
    [M_OF_CLIENT] = { "the client's",                                                            "del cliente"                                                           },
    [M_OF_SERVER] = { "the server's",                                                            "del servidor"                                                          },
    [M_THOUSANDS] = { ",",                                                                       "."                                                                     },

    [M_SYN] = { "{who} sends SYN to open the connection: 1st of the three-way handshake.",
                  "{who} envía SYN para abrir la conexión: 1.º paso del saludo de tres vías."                                                                     },
    [M_SYN_AGAIN] = { "{who} sends SYN again: the connection request is retransmitted.",
                  "{who} vuelve a enviar SYN: la solicitud de conexión se retransmite."                                                                              },
    [M_SYN_ACK] = { "{who} answers SYN-ACK: it accepts the connection, 2nd of the three-way "
                    "handshake.",                                           "{who} responde SYN-ACK: acepta la conexión, 2.º paso del saludo de tres "
                    "vías."                                                                                       },
    [M_HS_ACK] = { "{who_s} ACK completes the three-way handshake (3rd): the connection is "
                   "established.",                                          "El ACK {who_s} completa el saludo de tres vías (3.er paso): la conexión "
                   "queda establecida."                                                                           },
    [M_DATA] = { "{who} sends {n} bytes of data.",                                          "{who} envía {n} bytes de datos."                                      },
    [M_REQUEST] = { "{who} sends its request, {n} bytes: {app}.",
                  "{who} envía su petición, {n} bytes: {app}."                                                                                                      },
    [M_RESPONSE] = { "{who} sends its response, {n} bytes: {app}.",
                  "{who} envía su respuesta, {n} bytes: {app}."                                                                                                      },
    [M_TLS_DATA] = { "{who} sends {n} bytes of TLS: {app}.",
                  "{who} envía {n} bytes de TLS: {app}."                                                                                                             },
    [M_ACK_HANDSHAKE] = { "{who} sends an ACK without data during the handshake.",
                  "{who} envía un ACK sin datos durante el saludo."                                                                                                  },
    [M_ACK_DATA] = { "{who} acknowledges {peer_s} data (ACK), no data of its own.",
                  "{who} confirma los datos {peer_s} (ACK), sin datos propios."                                                                                       },
    [M_ACK_FIN] = { "{who} acknowledges {peer_s} FIN (ACK), no data.",
                  "{who} confirma el FIN {peer_s} (ACK), sin datos."                                                                                                  },
    [M_ACK_CLOSED] = { "{who} sends an ACK without data; its own side is already closed.",
                  "{who} envía un ACK sin datos; su lado ya está cerrado."                                                                                          },
    [M_FIN_FIRST] = { "{who} closes its side of the connection (FIN): the teardown begins.",
                  "{who} cierra su lado de la conexión (FIN): empieza el cierre."                                                                                    },
    [M_FIN_SECOND] = { "{who} closes its side too (FIN), after {peer_s} FIN.",
                  "{who} también cierra su lado (FIN), después del FIN {peer_s}."                                                                                   },
    [M_FIN_AGAIN] = { "{who} sends its FIN again (retransmission).",
                  "{who} vuelve a enviar su FIN (retransmisión)."                                                                                                    },
    [M_LAST_ACK] = { "{who_s} last ACK acknowledges {peer_s} FIN: the connection is closed.",
                  "El último ACK {who_s} confirma el FIN {peer_s}: la conexión queda "
                     "cerrada."                                                                                                                                       },
    [M_RST_REFUSED] = { "{who} answers the SYN with RST: the connection is refused (nothing "
                        "listens on that port).",                           "{who} responde al SYN con RST: la conexión es rechazada (nada escucha "
                        "en ese puerto)."                                                          },
    [M_RST_ABORT] = { "{who} resets the connection (RST) after data was exchanged: an abortive "
                      "close.",                                             "{who} reinicia la conexión (RST) después de intercambiar datos: un "
                      "cierre abrupto."                                                                              },
    [M_RST_FIRST] = { "{who} resets the connection (RST).",                                      "{who} reinicia la conexión (RST)."                                    },
    [M_RST_LATE] = { "{who} sends RST after the teardown began.",
                  "{who} envía RST cuando el cierre ya había empezado."                                                                                             },
    [M_ALSO_DATA] = { " It also carries {n} bytes of data.",                                     " También lleva {n} bytes de datos."                                   },
    [M_ALSO_APP] = { " It also carries {n} bytes: {app}.",                                      " También lleva {n} bytes: {app}."                                     },
    [M_ALSO_TLS] = { " It also carries {n} bytes of TLS: {app}.",
                  " También lleva {n} bytes de TLS: {app}."                                                                                                          },
    [M_DATA_AFTER_FIN] = { " Data after {peer_s} FIN (half-close).",
                  " Datos después del FIN {peer_s} (cierre a medias)."                                                                                               },
    [M_MIDSTREAM] = { " The capture starts mid-stream: the handshake of this conversation was "
                      "not captured.",                                      " La captura empieza a mitad de la conexión: su saludo no se capturó."},
    [M_TLS_FAILED] = { " The TLS handshake fails here.",                                          " El saludo TLS falla aquí."                                           },
    [M_TLS_FINISHED] = { "Encrypted Handshake Message ({who_s} Finished)",
                  "Encrypted Handshake Message (Finished {who_s})"                                                                                                    },
    [M_TLS13_FLIGHT] = { "Encrypted Handshake Message (TLS 1.3: the server's encrypted flight)",
                  "Encrypted Handshake Message (TLS 1.3: el vuelo cifrado del "
                         "servidor)"                                                                                                                                  },

    [M_W_CLIENT] = { "Client",                                                                  "Cliente"                                                               },
    [M_W_SERVER] = { "Server",                                                                  "Servidor"                                                              },
    [M_W_HANDSHAKE] = { "handshake",                                                               "saludo"                                                                },
    [M_W_DATA] = { "data",                                                                    "datos"                                                                 },
    [M_W_TEARDOWN] = { "teardown",                                                                "cierre"                                                                },
    [M_W_CONVERSATION] = { "Conversation",                                                            "Conversación"                                                         },
    [M_W_MORE] = { "... {n} more packets ...",                                                "... {n} paquetes más ..."                                             },
    [M_W_FRAMES] = { "frames {app}",                                                            "tramas {app}"                                                          },
    [M_W_VERDICT] = { "Verdict",                                                                 "Veredicto"                                                             },
    [M_W_LADDER] = { "Ladder diagram",                                                          "Diagrama de secuencia"                                                 },

    [M_ST_OTH] = { "no SYN seen, only mid-stream traffic",
                  "sin SYN, solo tráfico a mitad de conexión"                                                                                                       },
    [M_ST_S0] = { "connection attempt seen, no reply",                                       "intento de conexión sin respuesta"                                    },
    [M_ST_S1] = { "established, not terminated",                                             "establecida, sin terminar"                                             },
    [M_ST_SF] = { "normal establishment and termination",
                  "establecimiento y terminación normales"                                                                                                           },
    [M_ST_REJ] = { "connection attempt rejected",                                             "intento de conexión rechazado"                                        },
    [M_ST_S2] = { "established, the client closed, no reply from the server",
                  "establecida, el cliente cerró, sin respuesta del servidor"                                                                                        },
    [M_ST_S3] = { "established, the server closed, no reply from the client",
                  "establecida, el servidor cerró, sin respuesta del cliente"                                                                                        },
    [M_ST_RSTO] = { "established, the client aborted it (RST)",
                  "establecida, el cliente la abortó (RST)"                                                                                                          },
    [M_ST_RSTR] = { "the server sent a RST",                                                   "el servidor envió un RST"                                             },
    [M_ST_RSTOS0] = { "the client sent a SYN and then a RST, no SYN-ACK seen",
                  "el cliente envió SYN y luego RST, sin SYN-ACK"                                                                                                    },
    [M_ST_RSTRH] = { "the server sent a SYN-ACK and then a RST, no SYN seen",
                  "el servidor envió SYN-ACK y luego RST, sin SYN"                                                                                                   },
    [M_ST_SH] = { "the client sent a SYN and then a FIN, no SYN-ACK seen (half open)",
                  "el cliente envió SYN y luego FIN, sin SYN-ACK (medio abierta)"                                                                                    },
    [M_ST_SHR] = { "the server sent a SYN-ACK and then a FIN, no SYN seen",
                  "el servidor envió SYN-ACK y luego FIN, sin SYN"                                                                                                   },

    [M_V_STATE] = { "State {app}, history {hist}: {what}.",
                  "Estado {app}, historial {hist}: {what}."                                                                                                           },
    [M_V_OPEN] = { "Still open at the end of the capture.",
                  "Sigue abierta al final de la captura."                                                                                                             },
    [M_V_HALF] = { "Half-closed: {who} sent a FIN, the other side did not.",
                  "Medio cerrada: {who} envió FIN, el otro lado no."                                                                                                 },
    [M_V_GRACEFUL] = { "Closed gracefully (a FIN from each side), {who} first.",
                  "Cerrada ordenadamente (un FIN de cada lado), primero {who}."                                                                                       },
    [M_V_RESET] = { "Ended by a reset (RST) from {who}.",                                      "Terminada por un RST {who_s}."                                         },
    [M_V_RTT] = { "Handshake RTT {app} s.",                                                  "RTT del saludo {app} s."                                               },
    [M_V_TTFB] = { "Time to first byte {app} s.",                                             "Tiempo hasta el primer byte {app} s."                                  },
    [M_V_TLS_NONE] = { "",                                                                        ""                                                                      },
    [M_V_TLS_PROGRESS] = { "{app}: the handshake had not finished when the capture ended.",
                  "{app}: el saludo no había terminado al acabar la captura."                                                                                        },
    [M_V_TLS_OK] = { "{app}: handshake completed.",                                             "{app}: saludo completado."                                             },
    [M_V_TLS_OK_RESUMED] = { "{app}: abbreviated handshake (resumed session) completed.",
                  "{app}: saludo abreviado (sesión reanudada) completado."                                                                                           },
    [M_V_TLS_FAILED] = { "{app}: the handshake failed.",                                            "{app}: el saludo falló."                                              },
    [M_V_TLS_MIDSTREAM] = { "TLS records without their handshake (not captured).",
                  "Registros TLS sin su saludo (no capturado)."                                                                                                       },
};

/* TLS message names are protocol names: the same in every language. */
static const char *
tls_stage_title(uint8_t stage)
{
    switch (stage) {
    case TLS_STAGE_CLIENT_HELLO: return "Client Hello";
    case TLS_STAGE_SERVER_HELLO: return "Server Hello";
    case TLS_STAGE_HELLO_RETRY_REQUEST: return "Hello Retry Request";
    case TLS_STAGE_CERTIFICATE: return "Certificate";
    case TLS_STAGE_SERVER_KEY_EXCHANGE: return "Server Key Exchange";
    case TLS_STAGE_CERTIFICATE_REQUEST: return "Certificate Request";
    case TLS_STAGE_SERVER_HELLO_DONE: return "Server Hello Done";
    case TLS_STAGE_CLIENT_KEY_EXCHANGE: return "Client Key Exchange";
    case TLS_STAGE_CERTIFICATE_VERIFY: return "Certificate Verify";
    case TLS_STAGE_CHANGE_CIPHER_SPEC: return "Change Cipher Spec";
    case TLS_STAGE_FINISHED: return "Encrypted Handshake Message";
    case TLS_STAGE_ENCRYPTED_EXTENSIONS: return "Encrypted Extensions";
    case TLS_STAGE_ENCRYPTED_HANDSHAKE: return "Encrypted Handshake Message";
    case TLS_STAGE_NEW_SESSION_TICKET: return "New Session Ticket";
    case TLS_STAGE_KEY_UPDATE: return "Key Update";
    case TLS_STAGE_APPLICATION_DATA: return "Application Data";
    case TLS_STAGE_ALERT: return "Alert";
    case TLS_STAGE_ENCRYPTED_ALERT: return "Encrypted Alert";
    case TLS_STAGE_HEARTBEAT: return "Heartbeat";
    case TLS_STAGE_OTHER: return "TLS record";
    default: return "TLS record (cut by the capture)";
    }
}

/* ---- building text ---- */

typedef struct {
    char  *buf;
    size_t size, len;
} text_t;

static void
text_init(text_t *t, char *buf, size_t size)
{
    t->buf = buf;
    t->size = size;
    t->len = 0;
    if (size > 0)
        buf[0] = '\0';
}

static void
text_putn(text_t *t, const char *s, size_t n)
{
    size_t room;

    if (t->size == 0)
        return;
    room = t->size - 1 - t->len;
    if (n > room)
        n = room;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void
text_puts(text_t *t, const char *s)
{
    text_putn(t, s, strlen(s));
}

/* n with the language's thousands separator: 1,448 or 1.448. */
static void
text_count(text_t *t, uint64_t n, explain_lang_t lang)
{
    char digits[24];
    int  len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);

    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            text_puts(t, messages[M_THOUSANDS][lang]);
        text_putn(t, digits + i, 1);
    }
}

/* The blanks a template may name. */
typedef struct {
    explain_lang_t lang;
    uint8_t        who; /* tp_role_t of the sender */
    uint64_t       n;
    const char    *app, *hist, *what;
} blanks_t;

static const char *
role_word(uint8_t role, bool possessive, explain_lang_t lang)
{
    if (role == TP_ROLE_SERVER)
        return messages[possessive ? M_OF_SERVER : M_SERVER][lang];
    return messages[possessive ? M_OF_CLIENT : M_CLIENT][lang];
}

static uint8_t
peer_role(uint8_t role)
{
    return role == TP_ROLE_SERVER ? TP_ROLE_CLIENT : TP_ROLE_SERVER;
}

static void
text_template(text_t *t, msg_t msg, const blanks_t *b)
{
    const char *p = messages[msg][b->lang];

    while (*p != '\0') {
        const char *open = strchr(p, '{');
        const char *close;
        size_t      name_len;

        if (open == NULL || (close = strchr(open, '}')) == NULL) {
            text_puts(t, p);
            return;
        }
        text_putn(t, p, (size_t)(open - p));
        name_len = (size_t)(close - open - 1);
        if (name_len == 3 && strncmp(open + 1, "who", 3) == 0)
            text_puts(t, role_word(b->who, false, b->lang));
        else if (name_len == 5 && strncmp(open + 1, "who_s", 5) == 0)
            text_puts(t, role_word(b->who, true, b->lang));
        else if (name_len == 6 && strncmp(open + 1, "peer_s", 6) == 0)
            text_puts(t, role_word(peer_role(b->who), true, b->lang));
        else if (name_len == 1 && open[1] == 'n')
            text_count(t, b->n, b->lang);
        else if (name_len == 3 && strncmp(open + 1, "app", 3) == 0)
            text_puts(t, b->app ? b->app : "");
        else if (name_len == 4 && strncmp(open + 1, "hist", 4) == 0)
            text_puts(t, b->hist ? b->hist : "");
        else if (name_len == 4 && strncmp(open + 1, "what", 4) == 0)
            text_puts(t, b->what ? b->what : "");
        p = close + 1;
    }
}

/* A sentence starts with a capital (the templates begin with {who}). */
static void
capitalize(char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
}

/* ---- the application line ---- */

static bool
is_token_char(uint8_t c)
{
    return c >= 'A' && c <= 'Z';
}

bool
explain_app_line(const uint8_t *payload, size_t len, char *buf, size_t size)
{
    size_t end = 0, i = 0;
    bool   looks_http = false;

    if (size > 0)
        buf[0] = '\0';
    if (payload == NULL || size == 0)
        return false;
    while (end < len && end < 512 && payload[end] != '\r' && payload[end] != '\n')
        end++;
    if (end == len || end == 512)
        return false; /* no complete first line */
    if (end >= 12 && memcmp(payload, "HTTP/1.", 7) == 0 && payload[8] == ' ') {
        looks_http = true; /* "HTTP/1.1 200 OK" */
    } else {
        while (i < end && i < 16 && is_token_char(payload[i]))
            i++;
        /* "METHOD target HTTP/1.x" */
        looks_http = i >= 3 && i < end && payload[i] == ' ' && end >= 9 &&
            memcmp(payload + end - 9, " HTTP/1.", 8) == 0;
    }
    if (!looks_http)
        return false;
    for (i = 0; i < end; i++) {
        if (payload[i] < 0x20 || payload[i] >= 0x7f)
            return false;
    }
    if (end > size - 1)
        end = size - 1;
    memcpy(buf, payload, end);
    buf[end] = '\0';
    return true;
}

/* ---- one packet ---- */

/* The TLS records of the packet as a list of names: "Client Hello",
 * "Change Cipher Spec, Encrypted Handshake Message". With meanings
 * (sentences) the encrypted messages say what they are. Repeats of one
 * name in a row are counted: "Application Data x3". */
static void
text_tls_names(text_t *t, const explain_packet_t *pkt, bool meanings, const blanks_t *b)
{
    unsigned alert = 0;

    for (unsigned i = 0; i < pkt->tls_count; i++) {
        uint8_t  stage = pkt->tls_stages[i];
        unsigned repeat = 1;

        while (i + repeat < pkt->tls_count && pkt->tls_stages[i + repeat] == stage &&
               stage != TLS_STAGE_ALERT)
            repeat++;
        if (i > 0)
            text_puts(t, ", ");
        if (meanings && stage == TLS_STAGE_FINISHED)
            text_template(t, M_TLS_FINISHED, b);
        else if (meanings && stage == TLS_STAGE_ENCRYPTED_HANDSHAKE)
            text_template(t, M_TLS13_FLIGHT, b);
        else
            text_puts(t, tls_stage_title(stage));
        if (stage == TLS_STAGE_ALERT && alert < pkt->tls_alert_count) {
            text_puts(t, " (");
            text_puts(t, tls_alert_name(pkt->tls_alerts[alert++]));
            text_puts(t, ")");
        }
        if (repeat > 1) {
            char count[16];

            snprintf(count, sizeof(count), " x%u", repeat);
            text_puts(t, count);
        }
        i += repeat - 1;
    }
}

static msg_t
step_message(const explain_packet_t *pkt, uint8_t who)
{
    switch (pkt->step) {
    case TP_STEP_SYN: return pkt->first_syn ? M_SYN : M_SYN_AGAIN;
    case TP_STEP_SYN_ACK: return M_SYN_ACK;
    case TP_STEP_HANDSHAKE_ACK: return M_HS_ACK;
    case TP_STEP_FIN:
        if (pkt->first_close)
            return M_FIN_FIRST;
        return pkt->closer == who ? M_FIN_AGAIN : M_FIN_SECOND;
    case TP_STEP_LAST_ACK: return M_LAST_ACK;
    case TP_STEP_RST:
        if (pkt->events & TP_EVENT_REFUSED)
            return M_RST_REFUSED;
        if (pkt->events & TP_EVENT_ABORT)
            return M_RST_ABORT;
        return pkt->first_close ? M_RST_FIRST : M_RST_LATE;
    case TP_STEP_DATA:
        if (pkt->tls_count > 0)
            return M_TLS_DATA;
        if (pkt->app_line != NULL)
            return who == TP_ROLE_CLIENT ? M_REQUEST : M_RESPONSE;
        return M_DATA;
    default: break;
    }
    /* A plain ACK: what it acknowledges depends on the phase. */
    if (pkt->phase == TP_PHASE_HANDSHAKE)
        return M_ACK_HANDSHAKE;
    if (pkt->phase == TP_PHASE_TEARDOWN && pkt->closer != 0)
        return pkt->closer == who ? M_ACK_CLOSED : M_ACK_FIN;
    return M_ACK_DATA;
}

size_t
explain_sentence(const explain_packet_t *pkt, explain_lang_t lang, char *buf, size_t size)
{
    text_t   t;
    blanks_t b = { lang,
                   pkt->dir == TP_DIR_TO_CLIENT ? TP_ROLE_SERVER : TP_ROLE_CLIENT,
                   pkt->payload_len,
                   pkt->app_line,
                   NULL,
                   NULL };
    char     names[512];
    text_t   tn;
    msg_t    main_msg = step_message(pkt, b.who);

    if ((unsigned)lang >= EXPLAIN_LANG_COUNT)
        b.lang = lang = EXPLAIN_LANG_EN;
    text_init(&tn, names, sizeof(names));
    text_tls_names(&tn, pkt, true, &b);
    text_init(&t, buf, size);
    if (main_msg == M_TLS_DATA)
        b.app = names;
    text_template(&t, main_msg, &b);
    if (size > 0)
        capitalize(buf);
    /* Payload on a packet whose step is not data (a FIN or the handshake
     * ACK carrying data). */
    if (pkt->payload_len > 0 && pkt->step != TP_STEP_DATA && pkt->step != TP_STEP_RST) {
        if (pkt->tls_count > 0) {
            b.app = names;
            text_template(&t, M_ALSO_TLS, &b);
        } else if (pkt->app_line != NULL) {
            text_template(&t, M_ALSO_APP, &b);
        } else {
            text_template(&t, M_ALSO_DATA, &b);
        }
    }
    if (pkt->events & TP_EVENT_DATA_AFTER_FIN)
        text_template(&t, M_DATA_AFTER_FIN, &b);
    if (pkt->tls_failed_here)
        text_template(&t, M_TLS_FAILED, &b);
    if (pkt->events & TP_EVENT_MIDSTREAM)
        text_template(&t, M_MIDSTREAM, &b);
    return t.len;
}

size_t
explain_label(const explain_packet_t *pkt, char *buf, size_t size)
{
    text_t   t;
    uint16_t f = pkt->tcp_flags;
    bool     content = false;
    bool     control = (f & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST)) != 0;
    blanks_t b = { EXPLAIN_LANG_EN, TP_ROLE_CLIENT, 0, NULL, NULL, NULL };

    text_init(&t, buf, size);
    if (pkt->tls_count > 0) {
        text_tls_names(&t, pkt, false, &b);
        content = true;
    } else if (pkt->app_line != NULL) {
        text_puts(&t, pkt->app_line);
        content = true;
    } else if (pkt->payload_len > 0) {
        char n[32];

        snprintf(n, sizeof(n), "%u bytes", pkt->payload_len);
        text_puts(&t, n);
        content = true;
    }
    if (content && !control)
        return t.len;
    if (content)
        text_puts(&t, "; ");
    /* The flags as Wireshark's Info column names them, PSH left out as a
     * lab report does. */
    {
        static const struct {
            uint16_t    bit;
            const char *name;
        } names[] = {
            {TCP_FLAG_SYN,  "SYN"},
            { TCP_FLAG_FIN, "FIN"},
            { TCP_FLAG_RST, "RST"},
            { TCP_FLAG_ACK, "ACK"},
        };
        bool first = true;

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (!(f & names[i].bit))
                continue;
            if (!first)
                text_puts(&t, ", ");
            text_puts(&t, names[i].name);
            first = false;
        }
        if (first)
            text_puts(&t, "(no flags)");
    }
    return t.len;
}

/* ---- ladder and narrative words ---- */

size_t
explain_word(explain_word_t word, explain_lang_t lang, uint64_t n, const char *app, char *buf,
             size_t size)
{
    static const msg_t word_msgs[EXPLAIN_WORD_COUNT] = {
        M_W_CLIENT,       M_W_SERVER, M_W_HANDSHAKE, M_W_DATA,    M_W_TEARDOWN,
        M_W_CONVERSATION, M_W_MORE,   M_W_FRAMES,    M_W_VERDICT, M_W_LADDER,
    };
    blanks_t b = { lang, TP_ROLE_CLIENT, n, app, NULL, NULL };
    text_t   t;

    if ((unsigned)lang >= EXPLAIN_LANG_COUNT)
        b.lang = EXPLAIN_LANG_EN;
    text_init(&t, buf, size);
    if ((unsigned)word < EXPLAIN_WORD_COUNT)
        text_template(&t, word_msgs[word], &b);
    return t.len;
}

static msg_t
state_message(conn_state_t state)
{
    switch (state) {
    case CONN_STATE_S0: return M_ST_S0;
    case CONN_STATE_S1: return M_ST_S1;
    case CONN_STATE_SF: return M_ST_SF;
    case CONN_STATE_REJ: return M_ST_REJ;
    case CONN_STATE_S2: return M_ST_S2;
    case CONN_STATE_S3: return M_ST_S3;
    case CONN_STATE_RSTO: return M_ST_RSTO;
    case CONN_STATE_RSTR: return M_ST_RSTR;
    case CONN_STATE_RSTOS0: return M_ST_RSTOS0;
    case CONN_STATE_RSTRH: return M_ST_RSTRH;
    case CONN_STATE_SH: return M_ST_SH;
    case CONN_STATE_SHR: return M_ST_SHR;
    default: return M_ST_OTH;
    }
}

static msg_t
tls_message(const conv_summary_t *sum)
{
    switch (sum->tls_result) {
    case TLS_RESULT_IN_PROGRESS: return M_V_TLS_PROGRESS;
    case TLS_RESULT_ESTABLISHED: return sum->tls_resumed ? M_V_TLS_OK_RESUMED : M_V_TLS_OK;
    case TLS_RESULT_FAILED: return M_V_TLS_FAILED;
    case TLS_RESULT_MIDSTREAM: return M_V_TLS_MIDSTREAM;
    default: return M_V_TLS_NONE;
    }
}

bool
explain_verdict_line(const conv_summary_t *sum, explain_lang_t lang, unsigned index, char *buf,
                     size_t size)
{
    blanks_t b = { lang, sum->closer ? (uint8_t)sum->closer : TP_ROLE_CLIENT, 0, NULL, NULL, NULL };
    char     time_text[32];
    text_t   t;

    if ((unsigned)lang >= EXPLAIN_LANG_COUNT)
        b.lang = lang = EXPLAIN_LANG_EN;
    text_init(&t, buf, size);
    /* Lines that do not apply come out empty (the caller skips them), so
     * an index always means the same line. */
    switch (index) {
    case 0:
        b.app = conn_state_name(sum->state);
        b.hist = sum->history[0] ? sum->history : "-";
        b.what = messages[state_message(sum->state)][lang];
        text_template(&t, M_V_STATE, &b);
        break;
    case 1:
        text_template(&t,
                      sum->close == TP_CLOSE_GRACEFUL          ? M_V_GRACEFUL
                          : sum->close == TP_CLOSE_RESET       ? M_V_RESET
                          : sum->close == TP_CLOSE_HALF_CLOSED ? M_V_HALF
                                                               : M_V_OPEN,
                      &b);
        break;
    case 2:
        if (sum->has_handshake_rtt) {
            tp_time_format(time_text, sizeof(time_text), sum->handshake_rtt, 6);
            b.app = time_text;
            text_template(&t, M_V_RTT, &b);
        }
        break;
    case 3:
        if (sum->has_ttfb) {
            tp_time_format(time_text, sizeof(time_text), sum->ttfb, 6);
            b.app = time_text;
            text_template(&t, M_V_TTFB, &b);
        }
        break;
    case 4:
        b.app = sum->tls_version ? tls_version_name(sum->tls_version) : "TLS";
        text_template(&t, tls_message(sum), &b);
        break;
    default: return false;
    }
    return true;
}
