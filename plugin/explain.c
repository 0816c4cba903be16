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
    M_DECIMAL,
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
    M_W_SUMMARY,
    M_HIST_INTRO,
    M_HIST_ITEM,
    M_HIST_S,
    M_HIST_H,
    M_HIST_A,
    M_HIST_D,
    M_HIST_F,
    M_HIST_R,
    M_HIST_I,
    M_HIST_Q,
    M_P_HS_FULL,
    M_P_HS_RTT,
    M_P_HS_SYNS,
    M_P_HS_REFUSED,
    M_P_HS_UNANSWERED,
    M_P_HS_NO_ACK,
    M_P_HS_SYN_ACK_ONLY,
    M_P_HS_MIDSTREAM,
    M_P_TLS_FLIGHTS,
    M_P_TLS_ONE_FLIGHT,
    M_P_TLS_FLIGHT,
    M_P_TLS_FLIGHT_RANGE,
    M_P_TLS_MORE_FLIGHTS,
    M_P_TLS_OK,
    M_P_TLS_OK_RESUMED,
    M_P_TLS_TIME,
    M_P_TLS_FAILED,
    M_P_TLS_FAILED_NOFRAME,
    M_P_TLS_PROGRESS,
    M_P_TLS_MIDSTREAM,
    M_P_TLS_APP,
    M_P_TLS_ALERT_ENC,
    M_P_TLS_ALERT,
    M_P_EX_REQ_ONE,
    M_P_EX_REQ_MANY,
    M_P_EX_RESP_ONE,
    M_P_EX_RESP_MANY,
    M_P_EX_RESP_NONE,
    M_P_EX_BYTES,
    M_P_EX_NO_DATA,
    M_P_EX_TTFB,
    M_P_TD_GRACEFUL,
    M_P_TD_GRACEFUL_NO_ACK,
    M_P_TD_HALF_DATA,
    M_P_TD_HALF_DATA_ONE,
    M_P_TD_RESET_ATTEMPT,
    M_P_TD_RST_AFTER,
    M_P_TD_RESET,
    M_P_TD_FIN_THEN_RST,
    M_P_TD_FIN_OWN_RST,
    M_P_TD_HALF,
    M_P_TD_OPEN,
    M_COUNT
} msg_t;

/* One row per message, one column per language (explain_lang_t order). */
/* clang-format off */
static const char *const messages[M_COUNT][EXPLAIN_LANG_COUNT] = {
    [M_CLIENT] = { "the client", "el cliente" },
    [M_SERVER] = { "the server", "el servidor" },
    [M_OF_CLIENT] = { "the client's", "del cliente" },
    [M_OF_SERVER] = { "the server's", "del servidor" },
    [M_THOUSANDS] = { ",", "." },
    [M_DECIMAL] = { ".", "," },
    [M_SYN] = {
        "{who} sends SYN to open the connection: 1st of the three-way handshake.",
        "{who} envía SYN para abrir la conexión: 1.º paso del saludo de tres vías.",
    },
    [M_SYN_AGAIN] = {
        "{who} sends SYN again: the connection request is retransmitted.",
        "{who} vuelve a enviar SYN: la solicitud de conexión se retransmite.",
    },
    [M_SYN_ACK] = {
        "{who} answers SYN-ACK: it accepts the connection, 2nd of the three-way handshake.",
        "{who} responde SYN-ACK: acepta la conexión, 2.º paso del saludo de tres vías.",
    },
    [M_HS_ACK] = {
        "{who_s} ACK completes the three-way handshake (3rd): the connection is established.",
        "El ACK {who_s} completa el saludo de tres vías (3.er paso): la conexión queda "
        "establecida.",
    },
    [M_DATA] = { "{who} sends {n} bytes of data.", "{who} envía {n} bytes de datos." },
    [M_REQUEST] = {
        "{who} sends its request, {n} bytes: {app}.",
        "{who} envía su petición, {n} bytes: {app}.",
    },
    [M_RESPONSE] = {
        "{who} sends its response, {n} bytes: {app}.",
        "{who} envía su respuesta, {n} bytes: {app}.",
    },
    [M_TLS_DATA] = {
        "{who} sends {n} bytes of TLS: {app}.",
        "{who} envía {n} bytes de TLS: {app}.",
    },
    [M_ACK_HANDSHAKE] = {
        "{who} sends an ACK without data during the handshake.",
        "{who} envía un ACK sin datos durante el saludo.",
    },
    [M_ACK_DATA] = {
        "{who} acknowledges {peer_s} data (ACK), no data of its own.",
        "{who} confirma los datos {peer_s} (ACK), sin datos propios.",
    },
    [M_ACK_FIN] = {
        "{who} acknowledges {peer_s} FIN (ACK), no data.",
        "{who} confirma el FIN {peer_s} (ACK), sin datos.",
    },
    [M_ACK_CLOSED] = {
        "{who} sends an ACK without data; its own side is already closed.",
        "{who} envía un ACK sin datos; su lado ya está cerrado.",
    },
    [M_FIN_FIRST] = {
        "{who} closes its side of the connection (FIN): the teardown begins.",
        "{who} cierra su lado de la conexión (FIN): empieza el cierre.",
    },
    [M_FIN_SECOND] = {
        "{who} closes its side too (FIN), after {peer_s} FIN.",
        "{who} también cierra su lado (FIN), después del FIN {peer_s}.",
    },
    [M_FIN_AGAIN] = {
        "{who} sends its FIN again (retransmission).",
        "{who} vuelve a enviar su FIN (retransmisión).",
    },
    [M_LAST_ACK] = {
        "{who_s} last ACK acknowledges {peer_s} FIN: the connection is closed.",
        "El último ACK {who_s} confirma el FIN {peer_s}: la conexión queda cerrada.",
    },
    [M_RST_REFUSED] = {
        "{who} answers the SYN with RST: the connection is refused (nothing listens on that port).",
        "{who} responde al SYN con RST: la conexión es rechazada (nada escucha en ese puerto).",
    },
    [M_RST_ABORT] = {
        "{who} resets the connection (RST) after data was exchanged: an abortive close.",
        "{who} reinicia la conexión (RST) después de intercambiar datos: un cierre abrupto.",
    },
    [M_RST_FIRST] = { "{who} resets the connection (RST).", "{who} reinicia la conexión (RST)." },
    [M_RST_LATE] = {
        "{who} sends RST after the teardown began.",
        "{who} envía RST cuando el cierre ya había empezado.",
    },
    [M_ALSO_DATA] = { " It also carries {n} bytes of data.", " También lleva {n} bytes de datos." },
    [M_ALSO_APP] = { " It also carries {n} bytes: {app}.", " También lleva {n} bytes: {app}." },
    [M_ALSO_TLS] = {
        " It also carries {n} bytes of TLS: {app}.",
        " También lleva {n} bytes de TLS: {app}.",
    },
    [M_DATA_AFTER_FIN] = {
        " Data after {peer_s} FIN (half-close).",
        " Datos después del FIN {peer_s} (cierre a medias).",
    },
    [M_MIDSTREAM] = {
        " The capture starts mid-stream: the handshake of this conversation was not captured.",
        " La captura empieza a mitad de la conexión: su saludo no se capturó.",
    },
    [M_TLS_FAILED] = { " The TLS handshake fails here.", " El saludo TLS falla aquí." },
    [M_TLS_FINISHED] = {
        "Encrypted Handshake Message ({who_s} Finished)",
        "Encrypted Handshake Message (Finished {who_s})",
    },
    [M_TLS13_FLIGHT] = {
        "Encrypted Handshake Message (TLS 1.3: the server's encrypted flight)",
        "Encrypted Handshake Message (TLS 1.3: el vuelo cifrado del servidor)",
    },
    [M_W_CLIENT] = { "Client", "Cliente" },
    [M_W_SERVER] = { "Server", "Servidor" },
    [M_W_HANDSHAKE] = { "handshake", "saludo" },
    [M_W_DATA] = { "data", "datos" },
    [M_W_TEARDOWN] = { "teardown", "cierre" },
    [M_W_CONVERSATION] = { "Conversation", "Conversación" },
    [M_W_MORE] = { "... {n} more packets ...", "... {n} paquetes más ..." },
    [M_W_FRAMES] = { "frames {app}", "tramas {app}" },
    [M_W_VERDICT] = { "Verdict", "Veredicto" },
    [M_W_LADDER] = { "Ladder diagram", "Diagrama de secuencia" },
    [M_ST_OTH] = {
        "no SYN seen, only mid-stream traffic",
        "sin SYN, solo tráfico a mitad de conexión",
    },
    [M_ST_S0] = { "connection attempt seen, no reply", "intento de conexión sin respuesta" },
    [M_ST_S1] = { "established, not terminated", "establecida, sin terminar" },
    [M_ST_SF] = {
        "normal establishment and termination",
        "establecimiento y terminación normales",
    },
    [M_ST_REJ] = { "connection attempt rejected", "intento de conexión rechazado" },
    [M_ST_S2] = {
        "established, the client closed, no reply from the server",
        "establecida, el cliente cerró, sin respuesta del servidor",
    },
    [M_ST_S3] = {
        "established, the server closed, no reply from the client",
        "establecida, el servidor cerró, sin respuesta del cliente",
    },
    [M_ST_RSTO] = {
        "established, the client aborted it (RST)",
        "establecida, el cliente la abortó (RST)",
    },
    [M_ST_RSTR] = { "the server sent a RST", "el servidor envió un RST" },
    [M_ST_RSTOS0] = {
        "the client sent a SYN and then a RST, no SYN-ACK seen",
        "el cliente envió SYN y luego RST, sin SYN-ACK",
    },
    [M_ST_RSTRH] = {
        "the server sent a SYN-ACK and then a RST, no SYN seen",
        "el servidor envió SYN-ACK y luego RST, sin SYN",
    },
    [M_ST_SH] = {
        "the client sent a SYN and then a FIN, no SYN-ACK seen (half open)",
        "el cliente envió SYN y luego FIN, sin SYN-ACK (medio abierta)",
    },
    [M_ST_SHR] = {
        "the server sent a SYN-ACK and then a FIN, no SYN seen",
        "el servidor envió SYN-ACK y luego FIN, sin SYN",
    },
    [M_V_STATE] = {
        "State {app}, history {hist}: {what}.",
        "Estado {app}, historial {hist}: {what}.",
    },
    [M_V_OPEN] = {
        "Still open at the end of the capture.",
        "Sigue abierta al final de la captura.",
    },
    [M_V_HALF] = {
        "Half-closed: {who} sent a FIN, the other side did not.",
        "Medio cerrada: {who} envió FIN, el otro lado no.",
    },
    [M_V_GRACEFUL] = {
        "Closed gracefully (a FIN from each side), {who} first.",
        "Cerrada ordenadamente (un FIN de cada lado), primero {who}.",
    },
    [M_V_RESET] = { "Ended by a reset (RST) from {who}.", "Terminada por un RST {who_s}." },
    [M_V_RTT] = { "Handshake RTT {t} s.", "RTT del saludo {t} s." },
    [M_V_TTFB] = { "Time to first byte {t} s.", "Tiempo hasta el primer byte {t} s." },
    [M_V_TLS_NONE] = { "", "" },
    [M_V_TLS_PROGRESS] = {
        "{app}: the handshake had not finished when the capture ended.",
        "{app}: el saludo no había terminado al acabar la captura.",
    },
    [M_V_TLS_OK] = { "{app}: handshake completed.", "{app}: saludo completado." },
    [M_V_TLS_OK_RESUMED] = {
        "{app}: abbreviated handshake (resumed session) completed.",
        "{app}: saludo abreviado (sesión reanudada) completado.",
    },
    [M_V_TLS_FAILED] = { "{app}: the handshake failed.", "{app}: el saludo falló." },
    [M_V_TLS_MIDSTREAM] = {
        "TLS records without their handshake (not captured).",
        "Registros TLS sin su saludo (no capturado).",
    },
    [M_W_SUMMARY] = { "Summary", "Resumen" },
    [M_HIST_INTRO] = { "History {hist}, letter by letter: ", "Historial {hist}, letra a letra: " },
    [M_HIST_ITEM] = { "{app} {who_s} {what}", "{app} {what} {who_s}" },
    [M_HIST_S] = { "SYN", "SYN" },
    [M_HIST_H] = { "SYN-ACK", "SYN-ACK" },
    [M_HIST_A] = { "ACK", "ACK" },
    [M_HIST_D] = { "data", "datos" },
    [M_HIST_F] = { "FIN", "FIN" },
    [M_HIST_R] = { "RST", "RST" },
    [M_HIST_I] = { "FIN and RST together", "FIN y RST juntos" },
    [M_HIST_Q] = { "SYN with FIN or RST", "SYN con FIN o RST" },
    [M_P_HS_FULL] = {
        "{who} opened the connection with SYN (frame {f1}); {peer} accepted it with SYN-ACK "
        "(frame {f2}), and {who_s} ACK (frame {f3}) completed the three-way handshake.",
        "{who} abrió la conexión con SYN (trama {f1}); {peer} la aceptó con SYN-ACK (trama {f2}) "
        "y el ACK {who_s} (trama {f3}) completó el saludo de tres vías.",
    },
    [M_P_HS_RTT] = {
        " From the SYN to that ACK: {t} s (the handshake RTT).",
        " Del SYN a ese ACK: {t} s (el RTT del saludo).",
    },
    [M_P_HS_SYNS] = { " The SYN was sent {n} times.", " El SYN se envió {n} veces." },
    [M_P_HS_REFUSED] = {
        "{who} asked to open the connection with SYN (frame {f1}); {peer} refused it with RST "
        "(frame {f2}): nothing listens on that port.",
        "{who} pidió abrir la conexión con SYN (trama {f1}); {peer} la rechazó con RST (trama "
        "{f2}): nada escucha en ese puerto.",
    },
    [M_P_HS_UNANSWERED] = {
        "{who} asked to open the connection with SYN (frame {f1}), and the capture holds no "
        "answer.",
        "{who} pidió abrir la conexión con SYN (trama {f1}) y la captura no contiene respuesta.",
    },
    [M_P_HS_NO_ACK] = {
        "{who} sent SYN (frame {f1}) and {peer} answered SYN-ACK (frame {f2}), but the capture "
        "holds no third step of the handshake.",
        "{who} envió SYN (trama {f1}) y {peer} respondió SYN-ACK (trama {f2}), pero la captura no "
        "contiene el tercer paso del saludo.",
    },
    [M_P_HS_SYN_ACK_ONLY] = {
        "{peer} sent SYN-ACK (frame {f2}) without a SYN in the capture.",
        "{peer} envió SYN-ACK (trama {f2}) sin ningún SYN en la captura.",
    },
    [M_P_HS_MIDSTREAM] = {
        "The capture starts mid-stream: the connection was already open, and its handshake was "
        "not captured.",
        "La captura empieza a mitad de la conexión: ya estaba abierta y su saludo no se capturó.",
    },
    [M_P_TLS_FLIGHTS] = { "{app} handshake in {n} flights:", "Saludo {app} en {n} vuelos:" },
    [M_P_TLS_ONE_FLIGHT] = { "{app} handshake, one flight:", "Saludo {app}, un vuelo:" },
    [M_P_TLS_FLIGHT] = { " ({n}) {who}: {app} (frame {f1})", " ({n}) {who}: {app} (trama {f1})" },
    [M_P_TLS_FLIGHT_RANGE] = {
        " ({n}) {who}: {app} (frames {f1}-{f2})",
        " ({n}) {who}: {app} (tramas {f1}-{f2})",
    },
    [M_P_TLS_MORE_FLIGHTS] = { "; and {n} more flights", "; y {n} vuelos más" },
    [M_P_TLS_OK] = { " The handshake completed.", " El saludo se completó." },
    [M_P_TLS_OK_RESUMED] = {
        " The handshake completed as an abbreviated one: the session was resumed.",
        " El saludo se completó de forma abreviada: la sesión se reanudó.",
    },
    [M_P_TLS_TIME] = {
        " From the Client Hello to the second Finished: {t} s.",
        " Del Client Hello al segundo Finished: {t} s.",
    },
    [M_P_TLS_FAILED] = { " The handshake failed (frame {f1}).", " El saludo falló (trama {f1})." },
    [M_P_TLS_FAILED_NOFRAME] = { " The handshake failed.", " El saludo falló." },
    [M_P_TLS_PROGRESS] = {
        " The handshake had not finished when the capture ended.",
        " El saludo no había terminado al acabar la captura.",
    },
    [M_P_TLS_MIDSTREAM] = {
        "TLS records without their handshake: the capture starts after it.",
        "Registros TLS sin su saludo: la captura empieza después de él.",
    },
    [M_P_TLS_APP] = {
        " Application Data records, encrypted: {n} from the client and {m} from the server "
        "(frames {f1}-{f2}).",
        " Registros Application Data, cifrados: {n} del cliente y {m} del servidor (tramas "
        "{f1}-{f2}).",
    },
    [M_P_TLS_ALERT_ENC] = {
        " {who} sent an Encrypted Alert (frame {f1}): its content is hidden without the keys; at "
        "the end of a session it is usually close_notify.",
        " {who} envió un Encrypted Alert (trama {f1}): sin las claves su contenido no se ve; al "
        "final de una sesión suele ser close_notify.",
    },
    [M_P_TLS_ALERT] = {
        " {who} sent an Alert, {app} (frame {f1}).",
        " {who} envió un Alert, {app} (trama {f1}).",
    },
    [M_P_EX_REQ_ONE] = {
        "{who} sent one request, {app} (frame {f1})",
        "{who} envió una petición, {app} (trama {f1})",
    },
    [M_P_EX_REQ_MANY] = {
        "{who} sent {n} requests, the first {app} (frame {f1})",
        "{who} envió {n} peticiones, la primera {app} (trama {f1})",
    },
    [M_P_EX_RESP_ONE] = {
        "; {peer} answered with one response, {app} (frame {f2}).",
        "; {peer} contestó con una respuesta, {app} (trama {f2}).",
    },
    [M_P_EX_RESP_MANY] = {
        "; {peer} answered with {n} responses, the first {app} (frame {f2}).",
        "; {peer} contestó con {n} respuestas, la primera {app} (trama {f2}).",
    },
    [M_P_EX_RESP_NONE] = {
        "; the capture holds no response.",
        "; la captura no contiene respuesta.",
    },
    [M_P_EX_BYTES] = {
        " In all, the client sent {n} bytes of payload and the server {m} bytes.",
        " En total, el cliente envió {n} bytes de datos y el servidor {m} bytes.",
    },
    [M_P_EX_NO_DATA] = { "Neither side sent any data.", "Ningún lado envió datos." },
    [M_P_EX_TTFB] = {
        " The server's first byte came {t} s after the client's first (the time to first byte).",
        " El primer byte del servidor llegó {t} s después del primero del cliente (el tiempo "
        "hasta el primer byte).",
    },
    [M_P_TD_GRACEFUL] = {
        "{who} closed first with FIN (frame {f1}); {peer} closed its side with FIN too (frame "
        "{f2}), and {who_s} last ACK (frame {f3}) closed the connection: a graceful close.",
        "{who} cerró primero con FIN (trama {f1}); {peer} también cerró su lado con FIN (trama "
        "{f2}) y el último ACK {who_s} (trama {f3}) cerró la conexión: un cierre ordenado.",
    },
    [M_P_TD_GRACEFUL_NO_ACK] = {
        "{who} closed first with FIN (frame {f1}) and {peer} closed its side with FIN (frame "
        "{f2}): a graceful close.",
        "{who} cerró primero con FIN (trama {f1}) y {peer} cerró su lado con FIN (trama {f2}): un "
        "cierre ordenado.",
    },
    [M_P_TD_HALF_DATA] = {
        " {peer} sent data after {who_s} FIN (a half-close; frames {f1}-{f2}).",
        " {peer} envió datos después del FIN {who_s} (cierre a medias; tramas {f1}-{f2}).",
    },
    [M_P_TD_HALF_DATA_ONE] = {
        " {peer} sent data after {who_s} FIN (a half-close; frame {f1}).",
        " {peer} envió datos después del FIN {who_s} (cierre a medias; trama {f1}).",
    },
    [M_P_TD_RESET_ATTEMPT] = {
        " Then {who} abandoned the attempt with RST (frame {f1}).",
        " Después {who} abandonó el intento con RST (trama {f1}).",
    },
    [M_P_TD_RST_AFTER] = {
        " A RST from {who} followed (frame {f1}).",
        " Después llegó un RST {who_s} (trama {f1}).",
    },
    [M_P_TD_RESET] = {
        "{who} ended the connection with RST (frame {f1}): an abortive close, without the "
        "exchange of FINs.",
        "{who} terminó la conexión con RST (trama {f1}): un cierre abrupto, sin intercambio de "
        "FIN.",
    },
    [M_P_TD_FIN_THEN_RST] = {
        "{who} closed first with FIN (frame {f1}), and then a RST from {peer} ended the "
        "connection (frame {f2}).",
        "{who} cerró primero con FIN (trama {f1}) y después un RST {peer_s} terminó la conexión "
        "(trama {f2}).",
    },
    [M_P_TD_FIN_OWN_RST] = {
        "{who} closed first with FIN (frame {f1}) and then reset the connection with RST (frame "
        "{f2}).",
        "{who} cerró primero con FIN (trama {f1}) y después reinició la conexión con RST (trama "
        "{f2}).",
    },
    [M_P_TD_HALF] = {
        "{who} closed its side with FIN (frame {f1}); {peer} had not closed its own when the "
        "capture ended.",
        "{who} cerró su lado con FIN (trama {f1}); {peer} no había cerrado el suyo al acabar la "
        "captura.",
    },
    [M_P_TD_OPEN] = {
        "The connection was still open when the capture ended.",
        "La conexión seguía abierta al acabar la captura.",
    },
};
/* clang-format on */

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

/* A time in seconds, formatted by tp_time_format(), with the language's
 * decimal sign: 0.003555 or 0,003555 (the thousands are grouped by the
 * other sign in the same sentences). */
static void
text_seconds(text_t *t, const char *formatted, explain_lang_t lang)
{
    for (const char *c = formatted; *c != '\0'; c++) {
        if (*c == '.')
            text_puts(t, messages[M_DECIMAL][lang]);
        else
            text_putn(t, c, 1);
    }
}

/* A frame number as Wireshark shows it: no separator. */
static void
text_frame(text_t *t, uint32_t frame)
{
    char digits[16];

    snprintf(digits, sizeof(digits), "%u", frame);
    text_puts(t, digits);
}

/* The blanks a template may name. */
typedef struct {
    explain_lang_t lang;
    uint8_t        who; /* tp_role_t of the sender */
    uint64_t       n;
    const char    *app, *hist, *what;
    uint64_t       m;    /* a second count */
    uint32_t       f[3]; /* frame numbers {f1} {f2} {f3} */
    const char    *t;    /* a time from tp_time_format(), in seconds */
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
        else if (name_len == 4 && strncmp(open + 1, "peer", 4) == 0)
            text_puts(t, role_word(peer_role(b->who), false, b->lang));
        else if (name_len == 1 && open[1] == 'n')
            text_count(t, b->n, b->lang);
        else if (name_len == 1 && open[1] == 'm')
            text_count(t, b->m, b->lang);
        else if (name_len == 1 && open[1] == 't')
            text_seconds(t, b->t ? b->t : "", b->lang);
        else if (name_len == 2 && open[1] == 'f' && open[2] >= '1' && open[2] <= '3')
            text_frame(t, b->f[open[2] - '1']);
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

/* A template that starts a sentence, after any leading space. */
static void
text_sentence(text_t *t, msg_t msg, const blanks_t *b)
{
    size_t start = t->len;

    text_template(t, msg, b);
    while (start < t->len && t->buf[start] == ' ')
        start++;
    if (start < t->len)
        capitalize(t->buf + start);
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
    blanks_t b = { .lang = lang,
                   .who = pkt->dir == TP_DIR_TO_CLIENT ? TP_ROLE_SERVER : TP_ROLE_CLIENT,
                   .n = pkt->payload_len,
                   .app = pkt->app_line };
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
    blanks_t b = { .lang = EXPLAIN_LANG_EN, .who = TP_ROLE_CLIENT };

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
        M_W_CLIENT, M_W_SERVER, M_W_HANDSHAKE, M_W_DATA,   M_W_TEARDOWN, M_W_CONVERSATION,
        M_W_MORE,   M_W_FRAMES, M_W_VERDICT,   M_W_LADDER, M_W_SUMMARY,
    };
    blanks_t b = { .lang = lang, .who = TP_ROLE_CLIENT, .n = n, .app = app };
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
    blanks_t b = { .lang = lang, .who = sum->closer ? (uint8_t)sum->closer : TP_ROLE_CLIENT };
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
            b.t = time_text;
            text_template(&t, M_V_RTT, &b);
        }
        break;
    case 3:
        if (sum->has_ttfb) {
            tp_time_format(time_text, sizeof(time_text), sum->ttfb, 6);
            b.t = time_text;
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

/* ---- the history in words ---- */

static msg_t
history_letter_message(char letter)
{
    switch (letter >= 'a' ? (char)(letter - 'a' + 'A') : letter) {
    case 'S': return M_HIST_S;
    case 'H': return M_HIST_H;
    case 'A': return M_HIST_A;
    case 'D': return M_HIST_D;
    case 'F': return M_HIST_F;
    case 'R': return M_HIST_R;
    case 'I': return M_HIST_I;
    case 'Q': return M_HIST_Q;
    default: return M_COUNT;
    }
}

size_t
explain_history_words(const char *history, explain_lang_t lang, char *buf, size_t size)
{
    blanks_t b = { .lang = lang, .hist = history };
    text_t   t;
    bool     first = true;

    if ((unsigned)lang >= EXPLAIN_LANG_COUNT)
        b.lang = EXPLAIN_LANG_EN;
    text_init(&t, buf, size);
    if (history == NULL || history[0] == '\0')
        return 0;
    text_template(&t, M_HIST_INTRO, &b);
    for (const char *p = history; *p != '\0'; p++) {
        msg_t msg = history_letter_message(*p);
        char  letter[2] = { *p, '\0' };

        if (msg == M_COUNT)
            continue; /* not a letter section 5.1 produces */
        if (!first)
            text_puts(&t, ", ");
        first = false;
        b.app = letter;
        b.who = *p >= 'a' ? TP_ROLE_SERVER : TP_ROLE_CLIENT;
        b.what = messages[msg][b.lang];
        text_template(&t, M_HIST_ITEM, &b);
    }
    text_puts(&t, ".");
    return t.len;
}

/* ---- the narrative's summary ---- */

static void
para_handshake(text_t *t, const explain_story_t *st, const conv_summary_t *sum, blanks_t *b)
{
    char rtt[32];

    b->f[0] = st->syn_frame;
    b->f[1] = st->syn_ack_frame;
    b->f[2] = st->hs_ack_frame;
    if (st->syn_frame != 0 && st->refused_frame != 0) {
        b->f[1] = st->refused_frame;
        text_sentence(t, M_P_HS_REFUSED, b);
    } else if (st->syn_frame != 0 && st->syn_ack_frame != 0 && st->hs_ack_frame != 0) {
        text_sentence(t, M_P_HS_FULL, b);
        if (sum->has_handshake_rtt) {
            tp_time_format(rtt, sizeof(rtt), sum->handshake_rtt, 6);
            b->t = rtt;
            text_template(t, M_P_HS_RTT, b);
        }
    } else if (st->syn_frame != 0 && st->syn_ack_frame != 0) {
        text_sentence(t, M_P_HS_NO_ACK, b);
    } else if (st->syn_frame != 0) {
        text_sentence(t, M_P_HS_UNANSWERED, b);
    } else if (st->syn_ack_frame != 0) {
        text_sentence(t, M_P_HS_SYN_ACK_ONLY, b);
    } else if (st->midstream) {
        text_sentence(t, M_P_HS_MIDSTREAM, b);
    }
    if (st->syns > 1) {
        b->n = st->syns;
        text_template(t, M_P_HS_SYNS, b);
    }
}

/* The names of a flight's messages, a run of one name counted ("x2"). */
static void
text_flight_names(text_t *t, const explain_flight_t *flight)
{
    for (unsigned i = 0; i < flight->count; i++) {
        unsigned repeat = 1;

        while (i + repeat < flight->count && flight->stages[i + repeat] == flight->stages[i])
            repeat++;
        if (i > 0)
            text_puts(t, ", ");
        text_puts(t, tls_stage_title(flight->stages[i]));
        if (repeat > 1) {
            char count[16];

            snprintf(count, sizeof(count), " x%u", repeat);
            text_puts(t, count);
        }
        i += repeat - 1;
    }
}

static void
tls_alert_sentence(text_t *t, const explain_story_t *st, blanks_t *b)
{
    b->who = st->alert_role;
    b->f[0] = st->alert_frame;
    if (st->alert_stage == TLS_STAGE_ALERT && st->alert_count > 0) {
        b->app = tls_alert_name(st->alert_desc);
        text_sentence(t, M_P_TLS_ALERT, b);
    } else {
        text_sentence(t, M_P_TLS_ALERT_ENC, b);
    }
}

static void
para_tls(text_t *t, const explain_story_t *st, const conv_summary_t *sum, blanks_t *b)
{
    char time_text[32], names[512];
    bool alert_told = false;

    if (sum->tls_result == TLS_RESULT_NONE)
        return;
    if (sum->tls_result == TLS_RESULT_MIDSTREAM) {
        text_sentence(t, M_P_TLS_MIDSTREAM, b);
    } else if (st->flight_count > 0) {
        b->app = sum->tls_version ? tls_version_name(sum->tls_version) : "TLS";
        b->n = st->flight_count + st->flights_left_out;
        text_sentence(t, b->n == 1 ? M_P_TLS_ONE_FLIGHT : M_P_TLS_FLIGHTS, b);
        for (unsigned i = 0; i < st->flight_count; i++) {
            const explain_flight_t *flight = &st->flights[i];
            text_t                  tn;

            text_init(&tn, names, sizeof(names));
            text_flight_names(&tn, flight);
            b->n = i + 1;
            b->who = flight->role;
            b->app = names;
            b->f[0] = flight->first_frame;
            b->f[1] = flight->last_frame;
            if (i > 0)
                text_puts(t, ";");
            text_template(t,
                          flight->first_frame == flight->last_frame ? M_P_TLS_FLIGHT
                                                                    : M_P_TLS_FLIGHT_RANGE,
                          b);
        }
        if (st->flights_left_out > 0) {
            b->n = st->flights_left_out;
            text_template(t, M_P_TLS_MORE_FLIGHTS, b);
        }
        text_puts(t, ".");
    }
    switch (sum->tls_result) {
    case TLS_RESULT_ESTABLISHED:
        text_template(t, sum->tls_resumed ? M_P_TLS_OK_RESUMED : M_P_TLS_OK, b);
        if (sum->has_tls_handshake_time) {
            tp_time_format(time_text, sizeof(time_text), sum->tls_handshake_time, 6);
            b->t = time_text;
            text_template(t, M_P_TLS_TIME, b);
        }
        break;
    case TLS_RESULT_FAILED:
        /* The alert that failed it first, then the verdict. */
        if (st->alert_frame != 0) {
            tls_alert_sentence(t, st, b);
            alert_told = true;
        }
        b->f[0] = st->tls_failed_frame;
        text_template(t,
                      st->tls_failed_frame && st->tls_failed_frame != st->alert_frame
                          ? M_P_TLS_FAILED
                          : M_P_TLS_FAILED_NOFRAME,
                      b);
        break;
    case TLS_RESULT_IN_PROGRESS: text_template(t, M_P_TLS_PROGRESS, b); break;
    default: break;
    }
    if (st->app_first_frame != 0) {
        b->n = st->app_records[0];
        b->m = st->app_records[1];
        b->f[0] = st->app_first_frame;
        b->f[1] = st->app_last_frame;
        text_template(t, M_P_TLS_APP, b);
    }
    if (st->alert_frame != 0 && !alert_told)
        tls_alert_sentence(t, st, b);
}

static void
para_exchange(text_t *t, const explain_story_t *st, const conv_summary_t *sum, blanks_t *b)
{
    char ttfb[32];

    if (sum->bytes_to_server == 0 && sum->bytes_to_client == 0) {
        if (st->hs_ack_frame != 0)
            text_sentence(t, M_P_EX_NO_DATA, b);
        return;
    }
    if (st->requests > 0) {
        b->who = TP_ROLE_CLIENT;
        b->n = st->requests;
        b->app = st->first_request;
        b->f[0] = st->first_request_frame;
        text_sentence(t, st->requests == 1 ? M_P_EX_REQ_ONE : M_P_EX_REQ_MANY, b);
        b->n = st->responses;
        b->app = st->first_response;
        b->f[1] = st->first_response_frame;
        text_template(t,
                      st->responses == 0       ? M_P_EX_RESP_NONE
                          : st->responses == 1 ? M_P_EX_RESP_ONE
                                               : M_P_EX_RESP_MANY,
                      b);
    }
    b->n = sum->bytes_to_server;
    b->m = sum->bytes_to_client;
    text_template(t, M_P_EX_BYTES, b);
    if (sum->has_ttfb) {
        tp_time_format(ttfb, sizeof(ttfb), sum->ttfb, 6);
        b->t = ttfb;
        text_template(t, M_P_EX_TTFB, b);
    }
}

static void
para_teardown(text_t *t, const explain_story_t *st, const conv_summary_t *sum, blanks_t *b)
{
    if (st->refused_frame != 0)
        return; /* told with the handshake */
    if (sum->close == TP_CLOSE_GRACEFUL && st->first_fin_frame != 0 && st->second_fin_frame != 0) {
        b->who = st->first_fin_role;
        b->f[0] = st->first_fin_frame;
        b->f[1] = st->second_fin_frame;
        b->f[2] = st->last_ack_frame;
        text_sentence(t, st->last_ack_frame ? M_P_TD_GRACEFUL : M_P_TD_GRACEFUL_NO_ACK, b);
        if (st->after_fin_first != 0) {
            b->f[0] = st->after_fin_first;
            b->f[1] = st->after_fin_last;
            text_sentence(t,
                          st->after_fin_first == st->after_fin_last ? M_P_TD_HALF_DATA_ONE
                                                                    : M_P_TD_HALF_DATA,
                          b);
        }
        if (st->rst_frame != 0) {
            b->who = st->rst_role;
            b->f[0] = st->rst_frame;
            text_template(t, M_P_TD_RST_AFTER, b);
        }
    } else if (sum->close == TP_CLOSE_RESET && st->rst_frame != 0) {
        if (st->first_fin_frame != 0 && st->first_fin_frame < st->rst_frame) {
            b->who = st->first_fin_role;
            b->f[0] = st->first_fin_frame;
            b->f[1] = st->rst_frame;
            text_sentence(
                t, st->rst_role == st->first_fin_role ? M_P_TD_FIN_OWN_RST : M_P_TD_FIN_THEN_RST,
                b);
        } else {
            b->who = st->rst_role;
            b->f[0] = st->rst_frame;
            /* Never established: the RST gives up the attempt. */
            text_sentence(
                t, st->hs_ack_frame == 0 && !st->midstream ? M_P_TD_RESET_ATTEMPT : M_P_TD_RESET,
                b);
        }
    } else if (sum->close == TP_CLOSE_HALF_CLOSED && st->first_fin_frame != 0) {
        b->who = st->first_fin_role;
        b->f[0] = st->first_fin_frame;
        text_sentence(t, M_P_TD_HALF, b);
    } else if (sum->close == TP_CLOSE_OPEN && (st->hs_ack_frame != 0 || st->midstream)) {
        text_sentence(t, M_P_TD_OPEN, b);
    }
}

size_t
explain_paragraph(explain_para_t para, const explain_story_t *story, const conv_summary_t *sum,
                  explain_lang_t lang, char *buf, size_t size)
{
    blanks_t b = { .lang = lang, .who = TP_ROLE_CLIENT };
    text_t   t;

    if ((unsigned)lang >= EXPLAIN_LANG_COUNT)
        b.lang = EXPLAIN_LANG_EN;
    text_init(&t, buf, size);
    switch (para) {
    case EXPLAIN_PARA_HANDSHAKE: para_handshake(&t, story, sum, &b); break;
    case EXPLAIN_PARA_TLS: para_tls(&t, story, sum, &b); break;
    case EXPLAIN_PARA_EXCHANGE: para_exchange(&t, story, sum, &b); break;
    case EXPLAIN_PARA_TEARDOWN: para_teardown(&t, story, sum, &b); break;
    default: break;
    }
    /* A paragraph may begin with a template written to follow another. */
    if (t.len > 0 && buf[0] == ' ') {
        size_t skip = strspn(buf, " ");

        memmove(buf, buf + skip, t.len - skip + 1);
        t.len -= skip;
        capitalize(buf);
    }
    return t.len;
}
