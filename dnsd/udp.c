/* udp — see udp.h */
#include "dnsd/udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "dnsd/dispatch.h"
#include "dnsd/query.h"
#include "dnsd/rrl.h"
#include "dnsd/snapshot.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

/* room for either pktinfo structure */
#define UDP_CMSG_SPACE CMSG_SPACE(sizeof(struct in6_pktinfo))

struct udp_batch {
	struct mmsghdr rmsg[UDP_BATCH];
	struct iovec riov[UDP_BATCH];
	struct sockaddr_storage from[UDP_BATCH];
	struct mmsghdr smsg[UDP_BATCH];
	struct iovec siov[UDP_BATCH];
	union {
		char buf[UDP_CMSG_SPACE];
		struct cmsghdr align;
	} rctl[UDP_BATCH], sctl[UDP_BATCH];
	uint32_t slip;                 /* over-limit responses seen (rrl.h) */
	struct query_client qc;
	struct zone_pf pf[UDP_BATCH];
	uint8_t out[UDP_BATCH][UDP_SEND_MAX];
	uint8_t in[UDP_BATCH][UDP_RECV_MAX];
};

static bool addr_is_wildcard(const struct cfg_addr *a)
{
	if (a->family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

int udp_open(const struct cfg_addr *a, bool *pktinfo, char *err, size_t errlen)
{
	int one = 1;
	int fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "udp socket for %s: %s", a->text, strerror(errno));
		return -1;
	}
	*pktinfo = addr_is_wildcard(a);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
		goto fail;
	if (a->family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
			goto fail;
		if (*pktinfo &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0)
			goto fail;
	} else if (*pktinfo) {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0)
			goto fail;
	}
	/* room for bursts between two wakeups of the worker */
	int bufsz = 1 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "udp %s: %s", a->text, strerror(errno));
	close(fd);
	return -1;
}

struct udp_batch *udp_batch_new(void)
{
	struct udp_batch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	for (int i = 0; i < UDP_BATCH; i++) {
		b->riov[i].iov_base = b->in[i];
		b->riov[i].iov_len = UDP_RECV_MAX;
	}
	return b;
}

void udp_batch_free(struct udp_batch *b)
{
	free(b);
}

static void batch_arm(struct udp_batch *b, bool pktinfo)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		struct msghdr *h = &b->rmsg[i].msg_hdr;
		h->msg_name = &b->from[i];
		h->msg_namelen = sizeof b->from[i];
		h->msg_iov = &b->riov[i];
		h->msg_iovlen = 1;
		h->msg_control = pktinfo ? b->rctl[i].buf : NULL;
		h->msg_controllen = pktinfo ? sizeof b->rctl[i].buf : 0;
		h->msg_flags = 0;
	}
}

/* copy the query's destination address into a reply's control data;
 * returns the control length */
static size_t reply_pktinfo(struct msghdr *rh, char *ctl)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(rh); c; c = CMSG_NXTHDR(rh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			struct cmsghdr *o = (struct cmsghdr *)ctl;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof pi);
			memcpy(CMSG_DATA(o), &pi, sizeof pi);
			return CMSG_SPACE(sizeof pi);
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			struct cmsghdr *o = (struct cmsghdr *)ctl;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof pi);
			memcpy(CMSG_DATA(o), &pi, sizeof pi);
			return CMSG_SPACE(sizeof pi);
		}
	}
	return 0;
}

static void send_all(int fd, struct udp_batch *b, unsigned n, struct query_stats *stats)
{
	unsigned done = 0;
	while (done < n) {
		int r = sendmmsg(fd, b->smsg + done, n - done, MSG_DONTWAIT);
		if (r > 0) {
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* the first message failed (EAGAIN, unreachable, ...): drop it */
		stats->dropped++;
		done++;
	}
}

/* the rate limits of this snapshot's configuration */
static void rrl_params_of(const struct raiz_config *cfg, struct rrl_params *p)
{
	const struct cfg_rrl *r = &cfg->dnsd.rrl;
	p->rate = r->rate;
	p->slip = r->slip;
	p->window = r->window ? r->window : 1;
	p->v4_prefix = r->ipv4_prefix;
	p->v6_prefix = r->ipv6_prefix;
	p->exempt = r->exempt;
	p->nexempt = r->nexempt;
	p->probes = cfg->ctl.probes;
	p->nprobes = cfg->ctl.nprobes;
}

static inline bool is_notify(const uint8_t *pkt, size_t len)
{
	return len >= 12 && !(pkt[2] & 0x80) && ((pkt[2] >> 3) & 0x0f) == 4;
}

/*
 * Did the query come from this host?  Its source is then the address it
 * was sent to (the socket's own, or the destination from pktinfo): the
 * kernel drops packets from outside that claim one of the host's own
 * addresses as their source (a martian), so such a query cannot be
 * spoofed.  The controller's probes asking the anycast address on the
 * loopback interface are such queries, with or without a probe `source`.
 */
static bool udp_from_self(const struct msghdr *rh, const struct sockaddr *local,
			  const struct sockaddr *from)
{
	const void *dst = NULL, *src;
	size_t alen;

	if (from->sa_family == AF_INET) {
		src = &((const struct sockaddr_in *)from)->sin_addr;
		alen = 4;
	} else if (from->sa_family == AF_INET6) {
		src = &((const struct sockaddr_in6 *)from)->sin6_addr;
		alen = 16;
	} else {
		return false;
	}
	if (local && local->sa_family == from->sa_family) {
		dst = from->sa_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)local)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)local)->sin6_addr;
		return memcmp(src, dst, alen) == 0;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)rh); c;
	     c = CMSG_NXTHDR((struct msghdr *)rh, c)) {
		if (alen == 4 && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			return memcmp(src, &pi.ipi_addr, 4) == 0;
		}
		if (alen == 16 && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			return memcmp(src, &pi.ipi6_addr, 16) == 0;
		}
	}
	return false;
}

/* one answer; 0 = nothing to send */
static size_t udp_answer(const struct snapshot *snap, struct udp_batch *b, const uint8_t *pkt,
			 size_t len, const struct sockaddr *from, socklen_t fromlen, uint8_t *out,
			 struct rrl *rrl, const struct rrl_params *rp, uint32_t now_ms,
			 bool self, struct query_stats *stats)
{
	if (is_notify(pkt, len))
		return dispatch_process(snap, pkt, len, from, fromlen, out, UDP_SEND_MAX, QUERY_UDP,
					stats);
	struct query_client *qc = &b->qc;
	size_t rlen = query_process_client(snap->zs, &snap->opts, pkt, len, out, UDP_SEND_MAX,
					   QUERY_UDP, stats, qc);
	if (qc->tsig) {
		/* dispatch.c verifies and signs; this NOTAUTH was counted once
		 * already (the query too): count its final rcode instead */
		struct query_stats scratch = { 0 };
		stats->rcode[9]--;			/* NOTAUTH */
		rlen = dispatch_process(snap, pkt, len, from, fromlen, out, UDP_SEND_MAX, QUERY_UDP,
					&scratch);
		if (rlen >= 12)
			stats->rcode[out[3] & 0x0f]++;
		return rlen;
	}
	if (rlen < 12 || rp->rate == 0 || !rrl || qc->cookie_valid)
		return rlen;
	if (self) {
		stats->rrl_exempt++;
		return rlen;
	}
	struct rrl_resp r = {
		.cls = (enum rrl_class)qc->rrl_class,
		.qtype = qc->qtype,
		.name = qc->name,
		.namelen = qc->namelen,
	};
	switch (rrl_check(rrl, rp, from, &r, now_ms, &b->slip)) {
	case RRL_PASS:
		return rlen;
	case RRL_EXEMPT:
		stats->rrl_exempt++;
		return rlen;
	case RRL_SLIP:
		/* header and question only, TC: a real client asks again over TCP */
		stats->rrl_slipped++;
		out[2] |= 0x02;
		memset(out + 6, 0, 6);
		return qc->qend <= rlen ? qc->qend : 12;
	case RRL_DROP:
	default:
		stats->rrl_dropped++;
		stats->rcode[out[3] & 0x0f]--;   /* not sent after all */
		return 0;
	}
}

/* the length of received message i; 0 (dropped) when truncated, larger
 * than 64k: impossible for UDP/IP */
static size_t batch_len(const struct udp_batch *b, int i)
{
	return b->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC ? 0 : b->rmsg[i].msg_len;
}

/* Warm the lookups of a batch before answering it: on a zone larger than
 * the caches, an answer waits on a chain of misses, and issuing those of
 * all the batch's queries together lets them overlap (zone.h). */
static void udp_warm(const struct snapshot *snap, struct udp_batch *b, int n)
{
	const uint8_t *pkt[UDP_BATCH];
	size_t len[UDP_BATCH];
	for (int i = 0; i < n; i++) {
		pkt[i] = b->in[i];
		len[i] = batch_len(b, i);
	}
	query_warm(snap->zs, b->pf, pkt, len, (unsigned)n);
}

size_t udp_serve(int fd, const struct sockaddr *local, bool pktinfo, struct udp_batch *b,
		 const struct snapshot *snap, struct rrl *rrl, struct query_stats *stats,
		 unsigned max_rounds)
{
	size_t total = 0;
	const struct cfg_dnsd *d = &snap->cfg->dnsd;
	struct rrl_params rp;
	rrl_params_of(snap->cfg, &rp);
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &mono);
	uint32_t now_ms = (uint32_t)((uint64_t)mono.tv_sec * 1000 + (uint64_t)mono.tv_nsec / 1000000);
	b->qc.cookie_secret = d->cookies ? d->cookie_secret : NULL;
	b->qc.cookie_previous = d->cookies && d->cookie_previous_set ? d->cookie_previous : NULL;
	b->qc.now = (uint32_t)time(NULL);
	for (unsigned round = 0; round < max_rounds; round++) {
		batch_arm(b, pktinfo);
		int n = recvmmsg(fd, b->rmsg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		total += (size_t)n;
		if (n > 1 && zoneset_warm(snap->zs))
			udp_warm(snap, b, n);
		unsigned out = 0;
		for (int i = 0; i < n; i++) {
			struct msghdr *rh = &b->rmsg[i].msg_hdr;
			size_t len = batch_len(b, i);
			const struct sockaddr *from = (const struct sockaddr *)&b->from[i];
			b->qc.from = from;
			bool self = rp.rate && udp_from_self(rh, pktinfo ? NULL : local, from);
			size_t rlen = udp_answer(snap, b, b->in[i], len, from, rh->msg_namelen,
						 b->out[out], rrl, &rp, now_ms, self, stats);
			if (rlen == 0)
				continue;
			struct msghdr *sh = &b->smsg[out].msg_hdr;
			memset(sh, 0, sizeof *sh);
			b->siov[out].iov_base = b->out[out];
			b->siov[out].iov_len = rlen;
			sh->msg_name = &b->from[i];
			sh->msg_namelen = rh->msg_namelen;
			sh->msg_iov = &b->siov[out];
			sh->msg_iovlen = 1;
			if (pktinfo) {
				size_t cl = reply_pktinfo(rh, b->sctl[out].buf);
				if (cl) {
					sh->msg_control = b->sctl[out].buf;
					sh->msg_controllen = cl;
				}
			}
			out++;
		}
		if (out)
			send_all(fd, b, out, stats);
		if (n < UDP_BATCH)
			break;
	}
	return total;
}
