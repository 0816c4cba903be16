/* test_explain.c
 * The sentences and labels of explain.c (docs/spec.md section 9), table
 * driven: one row per packet kind, the English and Spanish sentence and
 * the ladder label expected.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "check.h"
#include "explain.h"
#include "ladder.h"
#include "tcp_phase.h"
#include "tls_stage.h"

static const uint8_t hello[] = { TLS_STAGE_CLIENT_HELLO };
static const uint8_t server_flight[] = { TLS_STAGE_SERVER_HELLO, TLS_STAGE_CERTIFICATE,
                                         TLS_STAGE_SERVER_KEY_EXCHANGE,
                                         TLS_STAGE_SERVER_HELLO_DONE };
static const uint8_t client_finish[] = { TLS_STAGE_CLIENT_KEY_EXCHANGE,
                                         TLS_STAGE_CHANGE_CIPHER_SPEC, TLS_STAGE_FINISHED };
static const uint8_t app_data3[] = { TLS_STAGE_APPLICATION_DATA, TLS_STAGE_APPLICATION_DATA,
                                     TLS_STAGE_APPLICATION_DATA };
static const uint8_t alert_then_alert[] = { TLS_STAGE_ALERT, TLS_ALERT_CLOSE_NOTIFY };

typedef struct {
    explain_packet_t pkt;
    const char      *en, *es, *label;
} row_t;

#define C   TP_DIR_TO_SERVER
#define S   TP_DIR_TO_CLIENT
#define ACK TCP_FLAG_ACK

static const row_t rows[] = {
    {{ .dir = C,
        .step = TP_STEP_SYN,
        .phase = TP_PHASE_HANDSHAKE,
        .tcp_flags = TCP_FLAG_SYN,
        .first_syn = true },
     "The client sends SYN to open the connection: 1st of the three-way handshake.",             "El cliente envía SYN para abrir la conexión: 1.º paso del saludo de tres vías.",
     "SYN"                                                                                                                                                                                                                                                          },
    { { .dir = C, .step = TP_STEP_SYN, .phase = TP_PHASE_HANDSHAKE, .tcp_flags = TCP_FLAG_SYN },
     "The client sends SYN again: the connection request is retransmitted.",                     "El cliente vuelve a enviar SYN: la solicitud de conexión se retransmite.",
     "SYN"                                                                                                                                                                                                                                                          },
    { { .dir = S,
        .step = TP_STEP_SYN_ACK,
        .phase = TP_PHASE_HANDSHAKE,
        .tcp_flags = TCP_FLAG_SYN | ACK },
     "The server answers SYN-ACK: it accepts the connection, 2nd of the three-way handshake.",   "El servidor responde SYN-ACK: acepta la conexión, 2.º paso del saludo de tres vías.",
     "SYN, ACK"                                                                                                                                                                                                                                                     },
    { { .dir = C, .step = TP_STEP_HANDSHAKE_ACK, .phase = TP_PHASE_HANDSHAKE, .tcp_flags = ACK },
     "The client's ACK completes the three-way handshake (3rd): the connection is established.", "El ACK del cliente completa el saludo de tres vías (3.er paso): la conexión queda "
      "establecida.",                                                                         "ACK"                                                                 },
    { { .dir = C,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK | TCP_FLAG_PSH,
        .payload_len = 75,
        .app_line = "GET / HTTP/1.1" },
     "The client sends its request, 75 bytes: GET / HTTP/1.1.",                                  "El cliente envía su petición, 75 bytes: GET / HTTP/1.1.",
     "GET / HTTP/1.1"                                                                                                                                                                                                                                               },
    { { .dir = S,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK,
        .payload_len = 1448,
        .app_line = "HTTP/1.1 200 OK" },
     "The server sends its response, 1,448 bytes: HTTP/1.1 200 OK.",                             "El servidor envía su respuesta, 1.448 bytes: HTTP/1.1 200 OK.",
     "HTTP/1.1 200 OK"                                                                                                                                                                                                                                              },
    { { .dir = S, .step = TP_STEP_ACK, .phase = TP_PHASE_DATA, .tcp_flags = ACK },
     "The server acknowledges the client's data (ACK), no data of its own.",                     "El servidor confirma los datos del cliente (ACK), sin datos propios.",
     "ACK"                                                                                                                                                                                                                                                          },
    { { .dir = C,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK,
        .payload_len = 222,
        .tls_count = 1,
        .tls_stages = hello },
     "The client sends 222 bytes of TLS: Client Hello.",                                         "El cliente envía 222 bytes de TLS: Client Hello.",
     "Client Hello"                                                                                                                                                                                                                                                 },
    { { .dir = S,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK,
        .payload_len = 1328,
        .tls_count = 4,
        .tls_stages = server_flight },
     "The server sends 1,328 bytes of TLS: Server Hello, Certificate, Server Key Exchange, "
      "Server Hello Done.",                                                                      "El servidor envía 1.328 bytes de TLS: Server Hello, Certificate, Server Key Exchange, "
      "Server Hello Done.",                                                                                                                                        "Server Hello, Certificate, Server Key Exchange, Server Hello Done"   },
    { { .dir = C,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK,
        .payload_len = 93,
        .tls_count = 3,
        .tls_stages = client_finish },
     "The client sends 93 bytes of TLS: Client Key Exchange, Change Cipher Spec, Encrypted "
      "Handshake Message (the client's Finished).",                                              "El cliente envía 93 bytes de TLS: Client Key Exchange, Change Cipher Spec, Encrypted "
      "Handshake Message (Finished del cliente).",                                                                                         "Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message"},
    { { .dir = S,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK,
        .payload_len = 300,
        .tls_count = 3,
        .tls_stages = app_data3 },
     "The server sends 300 bytes of TLS: Application Data x3.",                                  "El servidor envía 300 bytes de TLS: Application Data x3.",
     "Application Data x3"                                                                                                                                                                                                                                          },
    { { .dir = C,
        .step = TP_STEP_FIN,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = ACK | TCP_FLAG_FIN,
        .payload_len = 31,
        .tls_count = 1,
        .tls_stages = alert_then_alert,
        .tls_alert_count = 1,
        .tls_alerts = alert_then_alert + 1,
        .first_close = true,
        .closer = TP_ROLE_CLIENT },
     "The client closes its side of the connection (FIN): the teardown begins. It also carries "
      "31 bytes of TLS: Alert (close_notify).",                                                  "El cliente cierra su lado de la conexión (FIN): empieza el cierre. También lleva 31 bytes "
      "de TLS: Alert (close_notify).",                                                                                                         "Alert (close_notify); FIN, ACK"                                      },
    { { .dir = S,
        .step = TP_STEP_FIN,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = ACK | TCP_FLAG_FIN,
        .closer = TP_ROLE_CLIENT },
     "The server closes its side too (FIN), after the client's FIN.",                            "El servidor también cierra su lado (FIN), después del FIN del cliente.",
     "FIN, ACK"                                                                                                                                                                                                                                                     },
    { { .dir = C,
        .step = TP_STEP_FIN,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = ACK | TCP_FLAG_FIN,
        .closer = TP_ROLE_CLIENT },
     "The client sends its FIN again (retransmission).",                                         "El cliente vuelve a enviar su FIN (retransmisión).",
     "FIN, ACK"                                                                                                                                                                                                                                                     },
    { { .dir = C,
        .step = TP_STEP_LAST_ACK,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = ACK,
        .closer = TP_ROLE_CLIENT },
     "The client's last ACK acknowledges the server's FIN: the connection is closed.",           "El último ACK del cliente confirma el FIN del servidor: la conexión queda cerrada.",
     "ACK"                                                                                                                                                                                                                                                          },
    { { .dir = S,
        .step = TP_STEP_RST,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = ACK | TCP_FLAG_RST,
        .events = TP_EVENT_REFUSED,
        .first_close = true },
     "The server answers the SYN with RST: the connection is refused (nothing listens on that "
      "port).",                                                                                  "El servidor responde al SYN con RST: la conexión es rechazada (nada escucha en ese "
      "puerto).",                                                                                                                                                              "RST, ACK"                                                            },
    { { .dir = C,
        .step = TP_STEP_RST,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = TCP_FLAG_RST,
        .events = TP_EVENT_ABORT,
        .first_close = true },
     "The client resets the connection (RST) after data was exchanged: an abortive close.",      "El cliente reinicia la conexión (RST) después de intercambiar datos: un cierre abrupto.",
     "RST"                                                                                                                                                                                                                                                          },
    { { .dir = S,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_TEARDOWN,
        .tcp_flags = ACK,
        .payload_len = 1024,
        .events = TP_EVENT_DATA_AFTER_FIN,
        .closer = TP_ROLE_CLIENT },
     "The server sends 1,024 bytes of data. Data after the client's FIN (half-close).",          "El servidor envía 1.024 bytes de datos. Datos después del FIN del cliente (cierre a "
      "medias).",                                                                                      "1024 bytes"                                                          },
    { { .dir = C,
        .step = TP_STEP_DATA,
        .phase = TP_PHASE_DATA,
        .tcp_flags = ACK,
        .payload_len = 10,
        .events = TP_EVENT_MIDSTREAM,
        .midstream = true },
     "The client sends 10 bytes of data. The capture starts mid-stream: the handshake of this "
      "conversation was not captured.",                                                          "El cliente envía 10 bytes de datos. La captura empieza a mitad de la conexión: su saludo "
      "no se capturó.",                                                                                                                               "10 bytes"                                                            },
};

static void
test_rows(void)
{
    char buf[1024];

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        explain_sentence(&rows[i].pkt, EXPLAIN_LANG_EN, buf, sizeof(buf));
        CHECK_STR(buf, rows[i].en, rows[i].en);
        explain_sentence(&rows[i].pkt, EXPLAIN_LANG_ES, buf, sizeof(buf));
        CHECK_STR(buf, rows[i].es, rows[i].es);
        explain_label(&rows[i].pkt, buf, sizeof(buf));
        CHECK_STR(buf, rows[i].label, rows[i].label);
    }
}

static void
test_truncation(void)
{
    char   small[12];
    size_t n = explain_sentence(&rows[0].pkt, EXPLAIN_LANG_EN, small, sizeof(small));

    CHECK(n == sizeof(small) - 1);
    CHECK_STR(small, "The client ", "truncated to the buffer");
}

static void
test_app_line(void)
{
    static const struct {
        const char *payload;
        bool        ok;
        const char *line;
    } cases[] = {
        {"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", true,  "GET /index.html HTTP/1.1"},
        { "HTTP/1.1 404 Not Found\r\n",                 true,  "HTTP/1.1 404 Not Found"  },
        { "HTTP/1.0 200 OK\n",                          true,  "HTTP/1.0 200 OK"         },
        { "GET / HTTP/1.1",                             false, ""                        }, /* no line end: not whole */
        { "hello world HTTP/1.1\r\n",                   false, ""                        }, /* not a method */
        { "\x16\x03\x01\x00\x10",                       false, ""                        }, /* TLS */
        { "",                                           false, ""                        },
    };
    char buf[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool ok = explain_app_line((const uint8_t *)cases[i].payload, strlen(cases[i].payload), buf,
                                   sizeof(buf));
        CHECK(ok == cases[i].ok);
        CHECK_STR(buf, cases[i].line, cases[i].payload);
    }
}

static void
test_verdict(void)
{
    conv_summary_t sum;
    char           buf[256];
    unsigned       lines = 0;

    memset(&sum, 0, sizeof(sum));
    sum.state = CONN_STATE_SF;
    sum.history = "ShADadFf";
    sum.close = TP_CLOSE_GRACEFUL;
    sum.closer = TP_ROLE_CLIENT;
    sum.has_handshake_rtt = true;
    sum.handshake_rtt = 1234000;
    sum.tls_result = TLS_RESULT_ESTABLISHED;
    sum.tls_version = TLS_VERSION_TLS12;
    sum.tls_sni = "";
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_EN, 0, buf, sizeof(buf)));
    CHECK_STR(buf, "State SF, history ShADadFf: normal establishment and termination.", "state");
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_ES, 1, buf, sizeof(buf)));
    CHECK_STR(buf, "Cerrada ordenadamente (un FIN de cada lado), primero el cliente.", "close");
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_EN, 2, buf, sizeof(buf)));
    CHECK_STR(buf, "Handshake RTT 0.001234 s.", "rtt");
    /* Spanish groups thousands with "." (1.836 bytes): its decimals take ",". */
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_ES, 2, buf, sizeof(buf)));
    CHECK_STR(buf, "RTT del saludo 0,001234 s.", "rtt es");
    sum.handshake_rtt = 12000000000LL;
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_ES, 2, buf, sizeof(buf)));
    CHECK_STR(buf, "RTT del saludo 12,000000 s.", "rtt es, seconds");
    sum.handshake_rtt = 1234000;
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_EN, 3, buf, sizeof(buf)));
    CHECK_STR(buf, "", "no ttfb: empty line");
    CHECK(explain_verdict_line(&sum, EXPLAIN_LANG_EN, 4, buf, sizeof(buf)));
    CHECK_STR(buf, "TLS 1.2: handshake completed.", "tls");
    while (explain_verdict_line(&sum, EXPLAIN_LANG_EN, lines, buf, sizeof(buf)))
        lines++;
    CHECK(lines == 5);
}

static void
test_history_words(void)
{
    char buf[512];

    CHECK(explain_history_words("ShAF", EXPLAIN_LANG_EN, buf, sizeof(buf)) > 0);
    CHECK_STR(buf,
              "History ShAF, letter by letter: S the client's SYN, h the server's SYN-ACK, "
              "A the client's ACK, F the client's FIN.",
              "history en");
    explain_history_words("Sr", EXPLAIN_LANG_ES, buf, sizeof(buf));
    CHECK_STR(buf, "Historial Sr, letra a letra: S SYN del cliente, r RST del servidor.",
              "history es");
    explain_history_words("QIdD", EXPLAIN_LANG_EN, buf, sizeof(buf));
    CHECK_STR(buf,
              "History QIdD, letter by letter: Q the client's SYN with FIN or RST, I the "
              "client's FIN and RST together, d the server's data, D the client's data.",
              "multi-flag letters");
    CHECK(explain_history_words("", EXPLAIN_LANG_EN, buf, sizeof(buf)) == 0);
    CHECK_STR(buf, "", "empty history");
}

static void
test_paragraphs(void)
{
    explain_story_t story;
    conv_summary_t  sum;
    char            buf[1024];

    memset(&story, 0, sizeof(story));
    memset(&sum, 0, sizeof(sum));
    sum.history = "Sr";
    sum.close = TP_CLOSE_RESET;
    story.syn_frame = 1;
    story.syns = 1;
    story.refused_frame = 2;
    story.rst_frame = 2;
    story.rst_role = TP_ROLE_SERVER;
    explain_paragraph(EXPLAIN_PARA_HANDSHAKE, &story, &sum, EXPLAIN_LANG_EN, buf, sizeof(buf));
    CHECK_STR(buf,
              "The client asked to open the connection with SYN (frame 1); the server refused "
              "it with RST (frame 2): nothing listens on that port.",
              "refused");
    /* told with the handshake, not again */
    CHECK(explain_paragraph(EXPLAIN_PARA_TEARDOWN, &story, &sum, EXPLAIN_LANG_EN, buf,
                            sizeof(buf)) == 0);
    CHECK(explain_paragraph(EXPLAIN_PARA_EXCHANGE, &story, &sum, EXPLAIN_LANG_EN, buf,
                            sizeof(buf)) == 0);
    CHECK(explain_paragraph(EXPLAIN_PARA_TLS, &story, &sum, EXPLAIN_LANG_EN, buf, sizeof(buf)) ==
          0);

    /* An unanswered SYN sent three times, then given up with RST. */
    story.refused_frame = 0;
    story.syns = 3;
    story.rst_frame = 4;
    story.rst_role = TP_ROLE_CLIENT;
    explain_paragraph(EXPLAIN_PARA_HANDSHAKE, &story, &sum, EXPLAIN_LANG_ES, buf, sizeof(buf));
    CHECK_STR(buf,
              "El cliente pidió abrir la conexión con SYN (trama 1) y la captura no contiene "
              "respuesta. El SYN se envió 3 veces.",
              "unanswered, es");
    explain_paragraph(EXPLAIN_PARA_TEARDOWN, &story, &sum, EXPLAIN_LANG_EN, buf, sizeof(buf));
    CHECK_STR(buf, "Then the client abandoned the attempt with RST (frame 4).", "given up");

    /* The exchange: requests without a response; bytes with separators. */
    memset(&story, 0, sizeof(story));
    story.hs_ack_frame = 3;
    story.requests = 2;
    story.first_request = "GET / HTTP/1.1";
    story.first_request_frame = 4;
    sum.bytes_to_server = 150;
    sum.bytes_to_client = 1234567;
    explain_paragraph(EXPLAIN_PARA_EXCHANGE, &story, &sum, EXPLAIN_LANG_EN, buf, sizeof(buf));
    CHECK_STR(buf,
              "The client sent 2 requests, the first GET / HTTP/1.1 (frame 4); the capture "
              "holds no response. In all, the client sent 150 bytes of payload and the "
              "server 1,234,567 bytes.",
              "requests, no response");

    /* A half-close: graceful, data after the first FIN, no last ACK. */
    sum.close = TP_CLOSE_GRACEFUL;
    story.first_fin_frame = 6;
    story.first_fin_role = TP_ROLE_CLIENT;
    story.second_fin_frame = 14;
    story.after_fin_first = 8;
    story.after_fin_last = 12;
    explain_paragraph(EXPLAIN_PARA_TEARDOWN, &story, &sum, EXPLAIN_LANG_EN, buf, sizeof(buf));
    CHECK_STR(buf,
              "The client closed first with FIN (frame 6) and the server closed its side with "
              "FIN (frame 14): a graceful close. The server sent data after the client's FIN "
              "(a half-close; frames 8-12).",
              "half-close");
}

/* The summary as narrative_write prints it, from rows: flights beyond
 * EXPLAIN_FLIGHTS are counted, the failing alert comes before the verdict. */
static void
test_narrative_flights(void)
{
    static const uint8_t hello_stage[] = { TLS_STAGE_CLIENT_HELLO };
    static const uint8_t hrr_stage[] = { TLS_STAGE_HELLO_RETRY_REQUEST };
    static const uint8_t alert_stage[] = { TLS_STAGE_ALERT };
    static const uint8_t alert_desc[] = { 40 }; /* handshake_failure */
    ladder_row_t         flight_rows[9];
    conv_summary_t       sum;
    ladder_conv_t        conv = { 0, "10.0.0.2:40000", "10.0.0.1:443", flight_rows, 9, &sum };
    ladder_opts_t        opts = { EXPLAIN_LANG_EN, true, false };
    char                 text[8192];
    size_t               len;
    FILE                *out = tmpfile();

    memset(flight_rows, 0, sizeof(flight_rows));
    memset(&sum, 0, sizeof(sum));
    sum.history = "ShADad";
    sum.close = TP_CLOSE_OPEN;
    sum.tls_result = TLS_RESULT_FAILED;
    sum.bytes_to_server = 10;
    for (unsigned i = 0; i < 9; i++) {
        ladder_row_t *row = &flight_rows[i];

        row->frame = 10 + i;
        row->dir = (i % 2) ? TP_DIR_TO_CLIENT : TP_DIR_TO_SERVER;
        row->phase = TP_PHASE_DATA;
        row->label = "x";
        row->sentence = "s";
        row->in.dir = row->dir;
        row->in.step = TP_STEP_DATA;
        row->in.tls_count = 1;
        row->in.tls_stages = (i % 2) ? hrr_stage : hello_stage;
    }
    /* the ninth packet: the server's alert, where the handshake fails */
    flight_rows[8].dir = flight_rows[8].in.dir = TP_DIR_TO_CLIENT;
    flight_rows[8].in.tls_stages = alert_stage;
    flight_rows[8].in.tls_alerts = alert_desc;
    flight_rows[8].in.tls_alert_count = 1;
    flight_rows[8].in.tls_failed_here = true;
    CHECK(out != NULL);
    if (out == NULL)
        return;
    narrative_write(out, &conv, &opts, true);
    rewind(out);
    len = fread(text, 1, sizeof(text) - 1, out);
    text[len] = '\0';
    fclose(out);
    CHECK(strstr(text,
                 "TLS handshake in 8 flights: (1) the client: Client Hello (frame 10); "
                 "(2) the server: Hello Retry Request (frame 11);") != NULL);
    CHECK(strstr(text,
                 "(6) the server: Hello Retry Request (frame 15); and 2 more flights. "
                 "The server sent an Alert, handshake_failure (frame 18). The "
                 "handshake failed.") != NULL);
    if (check_failed)
        printf("%s\n", text);
}

int
main(void)
{
    test_history_words();
    test_paragraphs();
    test_narrative_flights();
    test_rows();
    test_truncation();
    test_app_line();
    test_verdict();
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}
