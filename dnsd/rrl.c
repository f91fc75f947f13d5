/* rrl — see rrl.h */
#include "dnsd/rrl.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/config.h"
#include "dnsd/cookie.h"
#include "dnsd/dname.h"

/* balance in thousandths of a response, so that credit accrues per millisecond */
enum { MILLI = 1000 };

struct rrl_bucket {
	_Atomic uint64_t key;		/* 0 = never used */
	_Atomic uint64_t state;		/* time (ms, low 32 bits) | balance (int32, high) */
};

struct rrl {
	size_t mask;
	uint8_t seed[16];
	struct rrl_bucket *b;
};

struct rrl *rrl_new(size_t buckets)
{
	size_t n = 1024;
	while (n < buckets && n < ((size_t)1 << 30))
		n <<= 1;
	struct rrl *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->b = calloc(n, sizeof *t->b);
	if (!t->b) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	if (getrandom(t->seed, sizeof t->seed, 0) != (ssize_t)sizeof t->seed) {
		/* the seed only makes bucket collisions hard to aim at */
		uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)t;
		memcpy(t->seed, &x, sizeof x);
	}
	return t;
}

void rrl_free(struct rrl *t)
{
	if (!t)
		return;
	free(t->b);
	free(t);
}

size_t rrl_size(const struct rrl *t)
{
	return t->mask + 1;
}

static inline uint64_t st_pack(uint32_t ms, int32_t bal)
{
	return (uint64_t)(uint32_t)bal << 32 | ms;
}

static inline uint32_t st_time(uint64_t s)
{
	return (uint32_t)s;
}

static inline int32_t st_bal(uint64_t s)
{
	return (int32_t)(uint32_t)(s >> 32);
}

/* the source's prefix: family byte, then the address with host bits zero */
static size_t rrl_source(const struct rrl_params *p, const struct sockaddr *from, uint8_t *out)
{
	const uint8_t *a;
	unsigned bits, bytes;
	if (from->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
		bits = p->v4_prefix;
		bytes = 4;
	} else if (from->sa_family == AF_INET6) {
		a = (const uint8_t *)&((const struct sockaddr_in6 *)from)->sin6_addr;
		bits = p->v6_prefix;
		bytes = 16;
	} else {
		out[0] = 0;
		return 1;
	}
	if (bits > bytes * 8)
		bits = bytes * 8;
	out[0] = (uint8_t)bytes;
	memset(out + 1, 0, bytes);
	memcpy(out + 1, a, bits / 8);
	if (bits % 8)
		out[1 + bits / 8] = (uint8_t)(a[bits / 8] & (0xff00 >> (bits % 8)));
	return 1 + bytes;
}

static bool in_prefix(const struct sockaddr *from, int family, const uint8_t *net, unsigned len)
{
	const uint8_t *a;
	if (from->sa_family != family)
		return false;
	if (family == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
	else
		a = (const uint8_t *)&((const struct sockaddr_in6 *)from)->sin6_addr;
	if (memcmp(a, net, len / 8) != 0)
		return false;
	if (len % 8) {
		uint8_t m = (uint8_t)(0xff00 >> (len % 8));
		return (a[len / 8] & m) == (net[len / 8] & m);
	}
	return true;
}

bool rrl_exempt(const struct rrl_params *p, const struct sockaddr *from)
{
	for (size_t i = 0; i < p->nexempt; i++)
		if (in_prefix(from, p->exempt[i].family, p->exempt[i].addr, p->exempt[i].len))
			return true;
	for (size_t i = 0; i < p->nprobes; i++) {
		const struct cfg_addr *s = p->probes[i].source;
		if (!s)
			continue;
		const uint8_t *net = s->family == AF_INET
			? (const uint8_t *)&((const struct sockaddr_in *)&s->ss)->sin_addr
			: (const uint8_t *)&((const struct sockaddr_in6 *)&s->ss)->sin6_addr;
		if (in_prefix(from, s->family, net, s->family == AF_INET ? 32 : 128))
			return true;
	}
	return false;
}

static uint64_t rrl_key(const struct rrl *t, const struct rrl_params *p,
			const struct sockaddr *from, const struct rrl_resp *r)
{
	uint8_t msg[1 + 16 + 1 + 2 + DNAME_MAX];
	size_t n = rrl_source(p, from, msg);
	msg[n++] = (uint8_t)r->cls;
	uint16_t qt = r->cls == RRL_ANSWER ? r->qtype : 0;
	msg[n++] = (uint8_t)(qt >> 8);
	msg[n++] = (uint8_t)qt;
	size_t nl = r->cls == RRL_ERROR ? 0 : r->namelen;
	if (nl > DNAME_MAX)
		nl = DNAME_MAX;
	memcpy(msg + n, r->name, nl);
	n += nl;
	uint64_t k = cookie_siphash24(t->seed, msg, n);
	return k ? k : 1;
}

/* the bucket of key: found, else the least recently credited is claimed
 * (an unused or idle bucket is always older than a busy one) */
static struct rrl_bucket *rrl_bucket(struct rrl *t, uint64_t key, uint32_t now, int32_t full)
{
	size_t i0 = (size_t)(key >> 20) & t->mask;
	struct rrl_bucket *victim = NULL;
	uint32_t victim_age = 0;
	for (unsigned w = 0; w < RRL_WAYS; w++) {
		struct rrl_bucket *b = &t->b[(i0 + w) & t->mask];
		uint64_t k = atomic_load_explicit(&b->key, memory_order_relaxed);
		if (k == key)
			return b;
		uint32_t age = k ? now - st_time(atomic_load_explicit(&b->state, memory_order_relaxed))
				 : UINT32_MAX;
		if (!victim || age > victim_age) {
			victim = b;
			victim_age = age;
		}
	}
	atomic_store_explicit(&victim->state, st_pack(now, full), memory_order_relaxed);
	atomic_store_explicit(&victim->key, key, memory_order_relaxed);
	return victim;
}

enum rrl_verdict rrl_check(struct rrl *t, const struct rrl_params *p, const struct sockaddr *from,
			   const struct rrl_resp *r, uint32_t now_ms, uint32_t *slip_ctr)
{
	if (!t || p->rate == 0)
		return RRL_PASS;
	const int32_t full = (int32_t)(p->rate * MILLI);
	const int32_t floor = -(int32_t)(p->rate * MILLI * (p->window - 1));
	const uint32_t horizon = p->window * 1000u + 1000u;
	uint64_t key = rrl_key(t, p, from, r);
	struct rrl_bucket *b = rrl_bucket(t, key, now_ms, full);
	bool pass;
	uint64_t old = atomic_load_explicit(&b->state, memory_order_relaxed), nu;
	do {
		uint32_t el = now_ms - st_time(old);
		int64_t bal = st_bal(old);
		if (el > horizon)
			el = horizon;
		/* a clock step back leaves el huge (capped): the bucket refills */
		bal += (int64_t)el * p->rate;
		if (bal > full)
			bal = full;
		pass = bal >= MILLI;
		/* over the limit a response runs into debt (window > 1) but
		 * never eats the fraction earned towards the next one */
		if (pass || bal - MILLI >= floor)
			bal -= MILLI;
		nu = st_pack(el ? now_ms : st_time(old), (int32_t)bal);
	} while (!atomic_compare_exchange_weak_explicit(&b->state, &old, nu, memory_order_relaxed,
						       memory_order_relaxed));
	if (pass)
		return RRL_PASS;
	if (rrl_exempt(p, from))
		return RRL_EXEMPT;
	if (p->slip == 0)
		return RRL_DROP;
	return ++*slip_ctr % p->slip == 0 ? RRL_SLIP : RRL_DROP;
}
