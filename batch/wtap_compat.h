/* wtap_compat.h
 * The one place where tcpphase-batch meets the Wireshark version: the
 * differences of libwiretap's API, and the tcp.stream rule set to follow.
 *
 * 4.0: wtap_read() fills a caller's Buffer and wtap_rec_init() takes only
 * the record. From 4.6 on the record carries its own buffer (rec->data):
 * wtap_rec_init(rec, size) and wtap_read() without a Buffer argument; 4.2
 * and 4.4 keep the 4.0 form. 4.0 is built and tested here, 4.4 and 4.6 by
 * scripts/matrix.sh; against 4.2.2's headers tcpphase_batch.c has only
 * been compiled (gcc -fsyntax-only, the project's warnings, -Werror).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_BATCH_WTAP_COMPAT_H
#define TCPPHASE_BATCH_WTAP_COMPAT_H

#include <ws_version.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/wslog.h>

#include "stream_rules.h"

#if WIRESHARK_VERSION_MAJOR > 4 || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR >= 6)
#define TP_WTAP_REC_OWNS_BUFFER 1
#endif

typedef struct {
    wtap_rec rec;
#ifndef TP_WTAP_REC_OWNS_BUFFER
    Buffer buf;
#endif
    gint64 offset; /* where the record starts in the (uncompressed) file */
} tp_wtap_record_t;

static inline void
tp_wtap_record_init(tp_wtap_record_t *r)
{
#ifdef TP_WTAP_REC_OWNS_BUFFER
    wtap_rec_init(&r->rec, 2048);
#else
    wtap_rec_init(&r->rec);
    ws_buffer_init(&r->buf, 2048);
#endif
    r->offset = 0;
}

static inline void
tp_wtap_record_free(tp_wtap_record_t *r)
{
    wtap_rec_cleanup(&r->rec);
#ifndef TP_WTAP_REC_OWNS_BUFFER
    ws_buffer_free(&r->buf);
#endif
}

/* Wireshark's log, which prints every debug line until it is set up;
 * WIRESHARK_LOG_LEVEL still works. 4.6 dropped the program name. */
static inline void
tp_wtap_log_init(const char *progname)
{
#ifdef TP_WTAP_REC_OWNS_BUFFER
    (void)progname;
    ws_log_init(NULL);
#else
    ws_log_init(progname, NULL);
#endif
}

/* Next record; false at the end or on an error (*err != 0). */
static inline bool
tp_wtap_next(wtap *wth, tp_wtap_record_t *r, int *err, char **err_info)
{
    /* Each read hangs a new options block on the record: drop the last
     * one, or memory grows with every packet. */
    wtap_rec_reset(&r->rec);
#ifdef TP_WTAP_REC_OWNS_BUFFER
    return wtap_read(wth, &r->rec, err, err_info, &r->offset);
#else
    return wtap_read(wth, &r->rec, &r->buf, err, err_info, &r->offset);
#endif
}

static inline const uint8_t *
tp_wtap_data(tp_wtap_record_t *r)
{
#ifdef TP_WTAP_REC_OWNS_BUFFER
    return ws_buffer_start_ptr(&r->rec.data);
#else
    return ws_buffer_start_ptr(&r->buf);
#endif
}

/* Wireshark's TCP dissector numbers port reuse differently from one
 * release to the next: follow the release these headers (and the
 * libwiretap linked with them) come from (docs/batch.md, section 2). */
static inline const stream_rules_t *
tp_wtap_stream_rules(void)
{
    return stream_rules_for_version(WIRESHARK_VERSION_MAJOR, WIRESHARK_VERSION_MINOR);
}

#endif /* TCPPHASE_BATCH_WTAP_COMPAT_H */
