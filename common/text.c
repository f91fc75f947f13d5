/* text — see text.h */
#include "common/text.h"

#include <stdio.h>
#include <string.h>

void text_fit(char *buf, size_t len, const char *text)
{
	size_t n = strlen(text), keep;

	if (!len)
		return;
	if (n < len) {
		memcpy(buf, text, n + 1);
		return;
	}
	if (len < sizeof TEXT_ELLIPSIS) {
		buf[0] = '\0';
		return;
	}
	/* room for " …": cut before the word that crosses the limit */
	keep = len - sizeof TEXT_ELLIPSIS;
	while (keep && text[keep] != ' ')
		keep--;
	while (keep && (text[keep - 1] == ' ' || text[keep - 1] == ';' ||
			text[keep - 1] == ',' || text[keep - 1] == ':'))
		keep--;
	memcpy(buf, text, keep);
	snprintf(buf + keep, len - keep, "%s" TEXT_ELLIPSIS, keep ? " " : "");
}
