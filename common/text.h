/*
 * text — shortening one-line messages for people.
 *
 * Contract: text_fit() copies text into buf (len bytes with the NUL).  Text
 * that does not fit is cut before the word that crosses the limit, with
 * trailing separators dropped, and ends in " …"; it is never cut mid-word
 * (a single over-long word is dropped whole).  Never writes past len.
 */
#ifndef RAIZ_TEXT_H
#define RAIZ_TEXT_H

#include <stddef.h>

#define TEXT_ELLIPSIS "\xe2\x80\xa6"   /* U+2026 in UTF-8 */

void text_fit(char *buf, size_t len, const char *text);

#endif
