/* ladder.c
 * Writes the ladder diagram and the narrative of ladder.h. Both show the
 * same rows: every packet, except that a data phase longer than
 * LADDER_SUMMARY_OVER packets keeps its first and last LADDER_KEEP and
 * counts the rest, unless every packet was asked for (docs/spec.md
 * section 9).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ladder.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_flags.h"
#include "tcp_phase.h"
#include "tls_stage.h"

/* ---- which rows are shown ---- */

typedef enum { ITEM_PHASE, ITEM_ROW, ITEM_MORE } item_kind_t;

typedef struct {
    item_kind_t kind;
    size_t      row; /* ITEM_ROW: index; ITEM_PHASE: first row of the phase */
    size_t      n;   /* ITEM_MORE: rows left out; ITEM_PHASE: rows in it */
} item_t;

/* The items of a conversation, in order; *count set. Free with free(). */
static item_t *
plan_items(const ladder_conv_t *conv, const ladder_opts_t *opts, size_t *count)
{
    item_t *items = malloc((2 * conv->count + 1) * sizeof(item_t));
    size_t  n = 0, i = 0;

    if (items == NULL) {
        *count = 0;
        return NULL;
    }
    while (i < conv->count) {
        size_t end = i;

        while (end < conv->count && conv->rows[end].phase == conv->rows[i].phase)
            end++;
        items[n++] = (item_t){ ITEM_PHASE, i, end - i };
        for (size_t r = i; r < end; r++) {
            size_t pos = r - i, len = end - i;

            if (!opts->all && conv->rows[i].phase == TP_PHASE_DATA && len > LADDER_SUMMARY_OVER &&
                pos >= LADDER_KEEP && pos < len - LADDER_KEEP) {
                if (pos == LADDER_KEEP)
                    items[n++] = (item_t){ ITEM_MORE, r, len - 2 * LADDER_KEEP };
                continue;
            }
            items[n++] = (item_t){ ITEM_ROW, r, 0 };
        }
        i = end;
    }
    *count = n;
    return items;
}

static explain_word_t
phase_word(uint8_t phase)
{
    return phase == TP_PHASE_HANDSHAKE ? EXPLAIN_WORD_HANDSHAKE
        : phase == TP_PHASE_DATA       ? EXPLAIN_WORD_DATA
                                       : EXPLAIN_WORD_TEARDOWN;
}

/* Columns a UTF-8 string takes (one per code point). */
static size_t
text_width(const char *s)
{
    size_t w = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    }
    return w;
}

/* ---- text ---- */

#define LADDER_WIDTH  52                    /* columns between the two lifelines */
#define LADDER_PREFIX "                   " /* frame and time columns */

typedef struct {
    const char *bar, *dash, *right, *left, *fill;
} glyphs_t;

static const glyphs_t utf8_glyphs = { "\u2502", "\u2500", "\u25b6", "\u25c0", "\u00b7" };
static const glyphs_t ascii_glyphs = { "|", "-", ">", "<", "." };

static void
put_repeat(FILE *out, const char *s, size_t n)
{
    while (n-- > 0)
        fputs(s, out);
}

/* A line between the lifelines: text centered in fill. */
static void
put_centered(FILE *out, const glyphs_t *g, const char *fill, const char *text)
{
    size_t w = text_width(text) + 2;
    size_t left = w < LADDER_WIDTH ? (LADDER_WIDTH - w) / 2 : 0;
    size_t right = w < LADDER_WIDTH ? LADDER_WIDTH - w - left : 0;

    fputs(LADDER_PREFIX, out);
    fputs(g->bar, out);
    put_repeat(out, fill, left);
    fprintf(out, " %s ", text);
    put_repeat(out, fill, right);
    fputs(g->bar, out);
    fputc('\n', out);
}

static void
put_arrow(FILE *out, const glyphs_t *g, const ladder_row_t *row)
{
    char   time_text[32];
    size_t w = text_width(row->label) + 2;
    bool   inside = w + 4 <= LADDER_WIDTH;
    size_t body = LADDER_WIDTH - 1; /* dashes and label, without the head */
    size_t left = inside ? (body - w) / 2 : body;
    size_t right = inside ? body - w - left : 0;

    tp_time_format(time_text, sizeof(time_text), row->time, 6);
    fprintf(out, "%6u  %9s  ", row->frame, time_text);
    fputs(g->bar, out);
    if (row->dir == TP_DIR_TO_CLIENT)
        fputs(g->left, out);
    put_repeat(out, g->dash, left);
    if (inside)
        fprintf(out, " %s ", row->label);
    put_repeat(out, g->dash, right);
    if (row->dir != TP_DIR_TO_CLIENT)
        fputs(g->right, out);
    fputs(g->bar, out);
    if (!inside)
        fprintf(out, "  %s", row->label);
    fputc('\n', out);
}

void
ladder_write_text(FILE *out, const ladder_conv_t *conv, const ladder_opts_t *opts)
{
    const glyphs_t *g = opts->ascii ? &ascii_glyphs : &utf8_glyphs;
    char            word[128], client_word[64], server_word[64];
    size_t          count;
    item_t         *items = plan_items(conv, opts, &count);

    explain_word(EXPLAIN_WORD_CONVERSATION, opts->lang, 0, NULL, word, sizeof(word));
    explain_word(EXPLAIN_WORD_CLIENT, opts->lang, 0, NULL, client_word, sizeof(client_word));
    explain_word(EXPLAIN_WORD_SERVER, opts->lang, 0, NULL, server_word, sizeof(server_word));
    fprintf(out, "%s %u: %s %s, %s %s\n\n", word, conv->stream, client_word, conv->client,
            server_word, conv->server);
    /* Lifeline names over the bars. */
    fprintf(out, "%s%s", LADDER_PREFIX, client_word);
    put_repeat(out, " ", LADDER_WIDTH + 2 - text_width(client_word) - text_width(server_word));
    fprintf(out, "%s\n", server_word);
    for (size_t i = 0; i < count; i++) {
        const item_t *it = &items[i];

        if (it->kind == ITEM_PHASE) {
            explain_word(phase_word(conv->rows[it->row].phase), opts->lang, 0, NULL, word,
                         sizeof(word));
            put_centered(out, g, g->fill, word);
        } else if (it->kind == ITEM_MORE) {
            explain_word(EXPLAIN_WORD_MORE_PACKETS, opts->lang, it->n, NULL, word, sizeof(word));
            put_centered(out, g, " ", word);
        } else {
            put_arrow(out, g, &conv->rows[it->row]);
        }
    }
    fputc('\n', out);
    for (unsigned line = 0; explain_verdict_line(conv->sum, opts->lang, line, word, sizeof(word));
         line++) {
        if (word[0] != '\0')
            fprintf(out, "  %s\n", word);
    }
    fputc('\n', out);
    free(items);
}

/* ---- SVG ---- */

#define SVG_WIDTH 900
#define SVG_LEFT  190 /* client lifeline */
#define SVG_RIGHT 740 /* server lifeline */
#define SVG_ROW   26
#define SVG_HEAD  64
#define SVG_LINE  18

static void
svg_text(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out); break;
        }
    }
}

static unsigned
verdict_lines(const conv_summary_t *sum, explain_lang_t lang)
{
    char     line[256];
    unsigned n = 0;

    for (unsigned i = 0; explain_verdict_line(sum, lang, i, line, sizeof(line)); i++)
        n += line[0] != '\0';
    return n;
}

static unsigned
svg_height(const ladder_conv_t *conv, const ladder_opts_t *opts)
{
    size_t  count;
    item_t *items = plan_items(conv, opts, &count);

    free(items);
    return SVG_HEAD + (unsigned)count * SVG_ROW + 16 +
        verdict_lines(conv->sum, opts->lang) * SVG_LINE + 24;
}

static void
svg_conv(FILE *out, const ladder_conv_t *conv, const ladder_opts_t *opts, unsigned top)
{
    char     word[256], client_word[64], server_word[64], time_text[32];
    size_t   count;
    item_t  *items = plan_items(conv, opts, &count);
    unsigned y = top + SVG_HEAD, bottom = top + SVG_HEAD + (unsigned)count * SVG_ROW;

    explain_word(EXPLAIN_WORD_CONVERSATION, opts->lang, 0, NULL, word, sizeof(word));
    explain_word(EXPLAIN_WORD_CLIENT, opts->lang, 0, NULL, client_word, sizeof(client_word));
    explain_word(EXPLAIN_WORD_SERVER, opts->lang, 0, NULL, server_word, sizeof(server_word));
    fprintf(out, "<text x=\"10\" y=\"%u\" class=\"title\">", top + 20);
    svg_text(out, word);
    fprintf(out, " %u</text>\n", conv->stream);
    fprintf(out, "<text x=\"%d\" y=\"%u\" class=\"who\">", SVG_LEFT, top + 44);
    svg_text(out, client_word);
    fputc(' ', out);
    svg_text(out, conv->client);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"%u\" class=\"who\">", SVG_RIGHT, top + 44);
    svg_text(out, server_word);
    fputc(' ', out);
    svg_text(out, conv->server);
    fputs("</text>\n", out);
    fprintf(out, "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" class=\"life\"/>\n", SVG_LEFT,
            top + 50, SVG_LEFT, bottom);
    fprintf(out, "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" class=\"life\"/>\n", SVG_RIGHT,
            top + 50, SVG_RIGHT, bottom);
    for (size_t i = 0; i < count; i++) {
        const item_t *it = &items[i];
        unsigned      mid = y + SVG_ROW / 2;

        if (it->kind == ITEM_PHASE) {
            explain_word(phase_word(conv->rows[it->row].phase), opts->lang, 0, NULL, word,
                         sizeof(word));
            fprintf(out, "<line x1=\"10\" y1=\"%u\" x2=\"%d\" y2=\"%u\" class=\"phase\"/>\n", mid,
                    SVG_WIDTH - 10, mid);
            fprintf(out, "<text x=\"%d\" y=\"%u\" class=\"phasename\">", (SVG_LEFT + SVG_RIGHT) / 2,
                    mid + 4);
            svg_text(out, word);
            fputs("</text>\n", out);
        } else if (it->kind == ITEM_MORE) {
            explain_word(EXPLAIN_WORD_MORE_PACKETS, opts->lang, it->n, NULL, word, sizeof(word));
            fprintf(out, "<text x=\"%d\" y=\"%u\" class=\"more\">", (SVG_LEFT + SVG_RIGHT) / 2,
                    mid + 4);
            svg_text(out, word);
            fputs("</text>\n", out);
        } else {
            const ladder_row_t *row = &conv->rows[it->row];
            bool                to_server = row->dir != TP_DIR_TO_CLIENT;

            tp_time_format(time_text, sizeof(time_text), row->time, 6);
            fprintf(out,
                    "<text x=\"10\" y=\"%u\" class=\"frame\">%u</text>"
                    "<text x=\"60\" y=\"%u\" class=\"frame\">%s</text>\n",
                    mid + 8, row->frame, mid + 8, time_text);
            fprintf(out,
                    "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" class=\"%s\" "
                    "marker-end=\"url(#head)\"/>\n",
                    to_server ? SVG_LEFT : SVG_RIGHT, mid + 4,
                    to_server ? SVG_RIGHT - 2 : SVG_LEFT + 2, mid + 4, to_server ? "c2s" : "s2c");
            fprintf(out, "<text x=\"%d\" y=\"%u\" class=\"label\">", (SVG_LEFT + SVG_RIGHT) / 2,
                    mid);
            svg_text(out, row->label);
            fputs("</text>\n", out);
        }
        y += SVG_ROW;
    }
    y += 16;
    for (unsigned line = 0; explain_verdict_line(conv->sum, opts->lang, line, word, sizeof(word));
         line++) {
        if (word[0] == '\0')
            continue;
        fprintf(out, "<text x=\"10\" y=\"%u\" class=\"verdict\">", y);
        svg_text(out, word);
        fputs("</text>\n", out);
        y += SVG_LINE;
    }
    free(items);
}

void
ladder_write_svg(FILE *out, const ladder_conv_t *convs, size_t count, const ladder_opts_t *opts)
{
    unsigned height = 10;

    for (size_t i = 0; i < count; i++)
        height += svg_height(&convs[i], opts);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%u\" "
            "viewBox=\"0 0 %d %u\">\n",
            SVG_WIDTH, height, SVG_WIDTH, height);
    fputs("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
          "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
          "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n"
          "<style>text{font-family:sans-serif;font-size:13px;fill:#222}"
          ".title{font-size:15px;font-weight:bold}.who{font-weight:bold;text-anchor:middle}"
          ".life{stroke:#888;stroke-width:2}.c2s{stroke:#1f5fa8;stroke-width:1.5}"
          ".s2c{stroke:#a8431f;stroke-width:1.5}.phase{stroke:#bbb;stroke-dasharray:4 4}"
          ".phasename{text-anchor:middle;font-style:italic;fill:#666}"
          ".more{text-anchor:middle;fill:#666}.label{text-anchor:middle}"
          ".frame{font-family:monospace;font-size:12px;fill:#555}"
          ".verdict{font-size:13px}</style>\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
          out);
    height = 10;
    for (size_t i = 0; i < count; i++) {
        svg_conv(out, &convs[i], opts, height);
        height += svg_height(&convs[i], opts);
    }
    fputs("</svg>\n", out);
}

/* ---- narrative ---- */

static uint8_t
row_role(const ladder_row_t *row)
{
    return row->dir == TP_DIR_TO_CLIENT ? TP_ROLE_SERVER : TP_ROLE_CLIENT;
}

/* Messages that make up the handshake flights (a New Session Ticket sent
 * before the server's Finished belongs to its flight). */
static bool
is_flight_stage(uint8_t stage)
{
    return (stage >= TLS_STAGE_CLIENT_HELLO && stage <= TLS_STAGE_ENCRYPTED_HANDSHAKE) ||
        stage == TLS_STAGE_NEW_SESSION_TICKET;
}

static void
story_tls(explain_story_t *st, const ladder_row_t *row, bool *app_started)
{
    const explain_packet_t *in = &row->in;
    uint8_t                 role = row_role(row);

    for (unsigned i = 0; i < in->tls_count; i++) {
        uint8_t stage = in->tls_stages[i];

        if (is_flight_stage(stage) && !*app_started) {
            if (role != st->flight_role) { /* the other side's turn: a new flight */
                st->flight_role = role;
                if (st->flight_count < EXPLAIN_FLIGHTS) {
                    explain_flight_t *next = &st->flights[st->flight_count++];

                    next->role = role;
                    next->first_frame = row->frame;
                } else {
                    st->flights_left_out++;
                }
            }
            if (st->flights_left_out == 0) {
                explain_flight_t *flight = &st->flights[st->flight_count - 1];

                if (flight->count < EXPLAIN_FLIGHT_STAGES)
                    flight->stages[flight->count++] = stage;
                flight->last_frame = row->frame;
            }
        } else if (stage == TLS_STAGE_APPLICATION_DATA) {
            *app_started = true;
            st->app_records[role == TP_ROLE_SERVER]++;
            if (st->app_first_frame == 0)
                st->app_first_frame = row->frame;
            st->app_last_frame = row->frame;
        } else if ((stage == TLS_STAGE_ALERT || stage == TLS_STAGE_ENCRYPTED_ALERT) &&
                   st->alert_frame == 0) {
            st->alert_frame = row->frame;
            st->alert_role = role;
            st->alert_stage = stage;
            st->alert_count = in->tls_alert_count;
            if (in->tls_alert_count > 0)
                st->alert_desc = in->tls_alerts[0];
        }
    }
}

/* What the summary tells, from every row (a summarised data phase
 * included). */
static void
story_of(const ladder_conv_t *conv, explain_story_t *st)
{
    bool app_started = false;

    memset(st, 0, sizeof(*st));
    for (size_t r = 0; r < conv->count; r++) {
        const ladder_row_t     *row = &conv->rows[r];
        const explain_packet_t *in = &row->in;
        uint8_t                 role = row_role(row);

        switch (in->step) {
        case TP_STEP_SYN:
            if (role == TP_ROLE_CLIENT) {
                st->syns++;
                if (st->syn_frame == 0)
                    st->syn_frame = row->frame;
            }
            break;
        case TP_STEP_SYN_ACK:
            if (st->syn_ack_frame == 0)
                st->syn_ack_frame = row->frame;
            break;
        case TP_STEP_HANDSHAKE_ACK:
            if (st->hs_ack_frame == 0)
                st->hs_ack_frame = row->frame;
            break;
        case TP_STEP_LAST_ACK:
            if (st->last_ack_frame == 0)
                st->last_ack_frame = row->frame;
            break;
        case TP_STEP_RST:
            if ((in->events & TP_EVENT_REFUSED) && st->refused_frame == 0)
                st->refused_frame = row->frame;
            if (st->rst_frame == 0) {
                st->rst_frame = row->frame;
                st->rst_role = role;
            }
            break;
        default: break;
        }
        if ((in->tcp_flags & TCP_FLAG_FIN) && !(in->tcp_flags & TCP_FLAG_RST)) {
            if (st->first_fin_frame == 0) {
                st->first_fin_frame = row->frame;
                st->first_fin_role = role;
            } else if (role != st->first_fin_role && st->second_fin_frame == 0) {
                st->second_fin_frame = row->frame;
            }
        }
        if (in->events & TP_EVENT_MIDSTREAM)
            st->midstream = true;
        if (in->events & TP_EVENT_DATA_AFTER_FIN) {
            if (st->after_fin_first == 0)
                st->after_fin_first = row->frame;
            st->after_fin_last = row->frame;
        }
        if (in->app_line != NULL && in->tls_count == 0) {
            bool status = strncmp(in->app_line, "HTTP/", 5) == 0;

            if (role == TP_ROLE_CLIENT && !status) {
                if (st->requests++ == 0) {
                    st->first_request = in->app_line;
                    st->first_request_frame = row->frame;
                }
            } else if (role == TP_ROLE_SERVER && status) {
                if (st->responses++ == 0) {
                    st->first_response = in->app_line;
                    st->first_response_frame = row->frame;
                }
            }
        }
        story_tls(st, row, &app_started);
        if (in->tls_failed_here && st->tls_failed_frame == 0)
            st->tls_failed_frame = row->frame;
    }
}

#define NARRATIVE_WIDTH 78 /* columns of a wrapped paragraph, indent included */

/* True for the space after a counter such as "(2)", which stays with
 * the word after it. */
static bool
binds_next(const char *text, const char *space)
{
    const char *p = space;

    if (p == text || p[-1] != ')')
        return false;
    for (p -= 2; p > text && *p >= '0' && *p <= '9'; p--)
        ;
    return *p == '(' && p < space - 2;
}

/* Text wrapped at spaces, every line indented by two. */
static void
put_wrapped(FILE *out, const char *text)
{
    const char *p = text;

    while (*p != '\0') {
        const char *line = p, *cut = NULL;
        size_t      width = 2;

        for (; *p != '\0'; p++) {
            if (*p == ' ' && !binds_next(text, p))
                cut = p;
            if (((unsigned char)*p & 0xC0) != 0x80 && ++width > NARRATIVE_WIDTH && cut != NULL)
                break;
        }
        if (*p == '\0')
            cut = p;
        fprintf(out, "  %.*s\n", (int)(cut - line), line);
        p = cut;
        while (*p == ' ')
            p++;
    }
}

/* A paragraph: one line in Markdown, else wrapped. */
static void
put_paragraph(FILE *out, const char *text, bool markdown)
{
    if (markdown)
        fputs(text, out);
    else
        put_wrapped(out, text);
    fputs(markdown ? "\n\n" : "\n", out);
}

static void
narrative_summary(FILE *out, const ladder_conv_t *conv, const ladder_opts_t *opts, bool markdown)
{
    explain_story_t story;
    char            text[2048];

    story_of(conv, &story);
    explain_word(EXPLAIN_WORD_SUMMARY, opts->lang, 0, NULL, text, sizeof(text));
    fprintf(out, "%s%s\n\n", markdown ? "### " : "", text);
    for (unsigned para = 0; para < EXPLAIN_PARA_COUNT; para++) {
        if (explain_paragraph((explain_para_t)para, &story, conv->sum, opts->lang, text,
                              sizeof(text)) > 0)
            put_paragraph(out, text, markdown);
    }
}

void
narrative_write(FILE *out, const ladder_conv_t *conv, const ladder_opts_t *opts, bool markdown)
{
    char    word[1024], frames[64], range[32], client_word[64], server_word[64];
    size_t  count;
    item_t *items = plan_items(conv, opts, &count);

    explain_word(EXPLAIN_WORD_CONVERSATION, opts->lang, 0, NULL, word, sizeof(word));
    explain_word(EXPLAIN_WORD_CLIENT, opts->lang, 0, NULL, client_word, sizeof(client_word));
    explain_word(EXPLAIN_WORD_SERVER, opts->lang, 0, NULL, server_word, sizeof(server_word));
    fprintf(out, "%s%s %u: %s %s, %s %s\n\n", markdown ? "## " : "", word, conv->stream,
            client_word, conv->client, server_word, conv->server);
    narrative_summary(out, conv, opts, markdown);
    for (size_t i = 0; i < count; i++) {
        const item_t *it = &items[i];

        if (it->kind == ITEM_PHASE) {
            const ladder_row_t *first = &conv->rows[it->row];
            const ladder_row_t *last = &conv->rows[it->row + it->n - 1];

            if (i > 0)
                fputc('\n', out);
            explain_word(phase_word(first->phase), opts->lang, 0, NULL, word, sizeof(word));
            if (word[0] >= 'a' && word[0] <= 'z')
                word[0] = (char)(word[0] - 'a' + 'A');
            snprintf(range, sizeof(range), "%u-%u", first->frame, last->frame);
            explain_word(EXPLAIN_WORD_FRAMES, opts->lang, 0, range, frames, sizeof(frames));
            fprintf(out, "%s%s (%s)\n\n", markdown ? "### " : "", word, frames);
        } else if (it->kind == ITEM_MORE) {
            explain_word(EXPLAIN_WORD_MORE_PACKETS, opts->lang, it->n, NULL, word, sizeof(word));
            fprintf(out, "%s%s\n", markdown ? "- " : "  ", word);
        } else {
            const ladder_row_t *row = &conv->rows[it->row];

            if (markdown)
                fprintf(out, "- **%u** %s\n", row->frame, row->sentence);
            else
                fprintf(out, "  %u. %s\n", row->frame, row->sentence);
        }
    }
    explain_word(EXPLAIN_WORD_VERDICT, opts->lang, 0, NULL, word, sizeof(word));
    fprintf(out, "\n%s%s\n\n", markdown ? "### " : "", word);
    for (unsigned line = 0; explain_verdict_line(conv->sum, opts->lang, line, word, sizeof(word));
         line++) {
        if (word[0] != '\0')
            fprintf(out, "%s%s\n", markdown ? "- " : "  ", word);
        if (line > 0 ||
            explain_history_words(conv->sum->history, opts->lang, word, sizeof(word)) == 0)
            continue;
        if (markdown)
            fprintf(out, "- %s\n", word);
        else
            put_wrapped(out, word);
    }
    if (markdown) {
        explain_word(EXPLAIN_WORD_LADDER, opts->lang, 0, NULL, word, sizeof(word));
        fprintf(out, "\n### %s\n\n```text\n", word);
        ladder_write_text(out, conv, opts);
        fputs("```\n", out);
    }
    fputc('\n', out);
    free(items);
}
