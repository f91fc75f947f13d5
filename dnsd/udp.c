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
#include <unistd.h>

#include "common/config.h"
#include "dnsd/dispatch.h"
#include "dnsd/query.h"
#include "dnsd/snapshot.h"

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

size_t udp_serve(int fd, bool pktinfo, struct udp_batch *b, const struct snapshot *snap,
		 struct query_stats *stats, unsigned max_rounds)
{
	size_t total = 0;
	for (unsigned round = 0; round < max_rounds; round++) {
		batch_arm(b, pktinfo);
		int n = recvmmsg(fd, b->rmsg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		total += (size_t)n;
		unsigned out = 0;
		for (int i = 0; i < n; i++) {
			struct msghdr *rh = &b->rmsg[i].msg_hdr;
			size_t len = b->rmsg[i].msg_len;
			if (rh->msg_flags & MSG_TRUNC)   /* larger than 64k: impossible for UDP/IP */
				len = 0;
			size_t rlen = dispatch_process(snap, b->in[i], len,
						       (const struct sockaddr *)&b->from[i],
						       rh->msg_namelen, b->out[out], UDP_SEND_MAX,
						       QUERY_UDP, stats);
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
