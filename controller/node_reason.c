/*
 * node_reason — one-line reasons for people (see node_priv.h).
 *
 * Contract: a round's reason names every probe once, failing ones first,
 * grouped by the same failure, so five probes refused by one dead server
 * read as one failure, not five.  "nothing listens on <the probe's own
 * target>" becomes "nothing listens on port <p>" so the IPv4 and IPv6
 * probes of one service group together (the probe's name says which
 * address).  Output never exceeds the buffer and is never cut mid-word:
 * what does not fit is left off as "… (N more)", N probes.
 */
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "common/text.h"
#include "controller/node_priv.h"
#include "probes/judge.h"

/* a failing probe's reason, short: without the question, the target's
 * address made a port (see above) */
static void node_reason_probe(const struct node_probe *p, char *out, size_t len)
{
	const char *r = p->last.reason, *at;
	char q[160], pat[96];
	size_t ql;

	judge_describe(p->spec, q, sizeof q);
	ql = strlen(q);
	if (strncmp(r, q, ql) == 0 && strncmp(r + ql, ": ", 2) == 0)
		r += ql + 2;
	if (!r[0])
		r = probe_verdict_name(p->last.verdict);
	at = NULL;
	if (p->spec->target) {
		snprintf(pat, sizeof pat, "nothing listens on %s", p->spec->target->text);
		at = strstr(r, pat);
	}
	if (!at) {
		snprintf(out, len, "%s", r);
		return;
	}
	snprintf(out, len, "%.*snothing listens on port %u%s", (int)(at - r), r,
		 (unsigned)p->spec->target->port, at + strlen(pat));
}

/* "a, b, c: reason" (or "a, b ok") for the group led by probe g */
static size_t node_reason_group(const struct node_svc *s, char (*why)[PROBE_REASON_MAX],
			       const size_t *group, size_t g, char *text, size_t len)
{
	size_t t = 0, cnt = 0;

	text[0] = '\0';
	for (size_t i = g; i < s->npr; i++) {
		if (group[i] != g || t >= len - 1)
			continue;
		t += (size_t)snprintf(text + t, len - t, "%s%s", cnt++ ? ", " : "",
				      s->pr[i].spec->name);
	}
	if (t < len - 1)
		snprintf(text + t, len - t, "%s%s", why[g][0] ? ": " : " ok", why[g]);
	return cnt;
}

void node_reason_round(const struct node_svc *s, char *buf, size_t len)
{
	size_t np = s->npr, n = 0, left = np, ng = 0;
	char why[np ? np : 1][PROBE_REASON_MAX];
	size_t group[np ? np : 1];   /* index of the group's first probe */
	size_t order[np ? np : 1];   /* group leaders, failing ones first */
	char text[HEALTH_WHY_MAX];
	const size_t spare = sizeof "; " TEXT_ELLIPSIS " (999 more)";

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < np; i++) {
		const struct node_probe *p = &s->pr[i];
		if (p->last.verdict == PROBE_OK)
			why[i][0] = '\0';
		else
			node_reason_probe(p, why[i], sizeof why[i]);
		group[i] = i;
		for (size_t j = 0; j < i && group[i] == i; j++)
			if (strcmp(why[j], why[i]) == 0)
				group[i] = j;
	}
	for (int ok = 0; ok <= 1; ok++)
		for (size_t g = 0; g < np; g++)
			if (group[g] == g && (why[g][0] == '\0') == ok)
				order[ng++] = g;
	for (size_t k = 0; k < ng; k++) {
		size_t cnt = node_reason_group(s, why, group, order[k], text, sizeof text);
		const char *sep = n ? "; " : "";
		size_t need = n + strlen(sep) + strlen(text) + (k + 1 < ng ? spare : 0);

		if (need < len) {
			n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, text);
			left -= cnt;
			continue;
		}
		if (n) {
			snprintf(buf + n, len - n, "; " TEXT_ELLIPSIS " (%zu more)", left);
			return;
		}
		/* not even the first group fits: as many of its words as do */
		text_fit(buf, len > 2 * spare ? len - spare : len, text);
		left -= cnt;
		n = strlen(buf);
		if (left)
			snprintf(buf + n, len - n, " (%zu more)", left);
		return;
	}
}
