/* enum_list.h
 * Every enum whose labels users see is one X-macro list of
 * X(NAME, value, "label") entries: the single source of the enum, of its
 * value_string in the plugin and of its name function, built here.
 *
 * Pure C: no epan headers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ENUM_LIST_H
#define TCPPHASE_ENUM_LIST_H

/* clang-format off */
#define ENUM_LIST_ENTRY(name, value, label) name = value,
#define ENUM_LIST_NAME_CASE(name, value, label) case name: return label;

/* const char *FUNCTION(TYPE value): the label of value, "?" for a value
 * not in LIST. */
#define ENUM_LIST_NAME_FUNCTION(function, type, list) \
    const char *function(type value) \
    { \
        switch (value) { list(ENUM_LIST_NAME_CASE) default: break; } \
        return "?"; \
    }
/* clang-format on */

#endif /* TCPPHASE_ENUM_LIST_H */
