/* ladder.h
 * The ladder (sequence) diagram and the narrative of one TCP conversation,
 * written from rows the tap collected (docs/spec.md section 9): text with
 * UTF-8 or ASCII arrows, SVG, and the narrative as text or Markdown.
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_LADDER_H
#define TCPPHASE_LADDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conv_summary.h"
#include "explain.h"
#include "tp_time.h"

/* One packet of the conversation. */
typedef struct {
    uint32_t         frame;
    tp_time_t        time;     /* since the conversation's first packet */
    uint8_t          dir;      /* tp_dir_t */
    uint8_t          phase;    /* tp_phase_t */
    const char      *label;    /* explain_label() */
    const char      *sentence; /* explain_sentence(), for the narrative */
    explain_packet_t in;       /* its facts, for the narrative's summary */
} ladder_row_t;

typedef struct {
    uint32_t              stream;
    const char           *client, *server; /* "addr:port" */
    const ladder_row_t   *rows;
    size_t                count;
    const conv_summary_t *sum;
} ladder_conv_t;

typedef struct {
    explain_lang_t lang;
    bool           ascii; /* ASCII arrows instead of UTF-8 */
    bool           all;   /* no summary of long data phases */
} ladder_opts_t;

/* A data phase of more than LADDER_SUMMARY_OVER packets is summarised:
 * its first and last LADDER_KEEP are shown, the rest counted. */
#define LADDER_SUMMARY_OVER 24
#define LADDER_KEEP         4

void ladder_write_text(FILE *out, const ladder_conv_t *conv, const ladder_opts_t *opts);
void ladder_write_svg(FILE *out, const ladder_conv_t *convs, size_t count,
                      const ladder_opts_t *opts);
/* markdown: headings, and the ladder in a code block. */
void narrative_write(FILE *out, const ladder_conv_t *conv, const ladder_opts_t *opts,
                     bool markdown);

#endif /* TCPPHASE_LADDER_H */
