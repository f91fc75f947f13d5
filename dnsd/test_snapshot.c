/* unit tests for snapshot: publication and quiescent-state reclamation */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "dnsd/snapshot.h"
#include "dnsd/zoneset.h"

static struct raiz_config *cfg_new(const char *nsid, const char *version)
{
	struct raiz_config *cfg = calloc(1, sizeof *cfg);
	assert_non_null(cfg);
	cfg->dnsd.nsid = (char *)nsid;
	cfg->dnsd.identity = (char *)"id.example";
	cfg->dnsd.version = (char *)version;
	cfg->dnsd.edns_buffer_size = 1400;
	return cfg;
}

static struct snapshot *snap_new(struct raiz_config *cfg, const struct snapshot *prev)
{
	struct zoneset *zs = zoneset_build(cfg, NULL);
	assert_non_null(zs);
	struct snapshot *s = snapshot_new(cfg, false, zs, prev);
	assert_non_null(s);
	return s;
}

static void test_opts(void **state)
{
	(void)state;
	struct raiz_config *cfg = cfg_new("gru1", NULL);
	struct snapshot *s = snap_new(cfg, NULL);
	assert_int_equal(s->generation, 1);
	assert_int_equal(s->opts.nsid_len, 4);
	assert_memory_equal(s->opts.nsid, "gru1", 4);
	assert_string_equal(s->opts.identity, "id.example");
	assert_null(s->opts.version);
	assert_int_equal(s->opts.edns_size, 1400);
	struct snapshot *s2 = snap_new(cfg, s);
	assert_int_equal(s2->generation, 2);
	snapshot_free(s);
	snapshot_free(s2);

	/* empty nsid: no NSID option */
	cfg->dnsd.nsid = (char *)"";
	s = snap_new(cfg, NULL);
	assert_null(s->opts.nsid);
	assert_int_equal(s->opts.nsid_len, 0);
	snapshot_free(s);
	free(cfg);
}

static void test_quiescent(void **state)
{
	(void)state;
	struct raiz_config *cfg = cfg_new("a", NULL);
	struct snapshot *s1 = snap_new(cfg, NULL);
	struct snapshot *s2 = snap_new(cfg, s1);
	struct snapshot_rcu *rcu = snapshot_rcu_new(2, s1);
	struct snapshot_reader *r0 = snapshot_rcu_reader(rcu, 0);
	struct snapshot_reader *r1 = snapshot_rcu_reader(rcu, 1);
	assert_null(snapshot_rcu_reader(rcu, 2));

	/* reader 0 inside with s1, reader 1 outside */
	assert_ptr_equal(snapshot_enter(r0), s1);
	uint64_t epoch;
	struct snapshot *old = snapshot_publish(rcu, s2, &epoch);
	assert_ptr_equal(old, s1);
	assert_ptr_equal(snapshot_current(rcu), s2);
	assert_false(snapshot_quiescent(rcu, epoch));
	/* a reader entering after the swap sees the new one and does not block */
	assert_ptr_equal(snapshot_enter(r1), s2);
	assert_false(snapshot_quiescent(rcu, epoch));
	snapshot_leave(r0);
	assert_true(snapshot_quiescent(rcu, epoch));
	/* re-entering also counts as having passed a quiescent point */
	assert_ptr_equal(snapshot_enter(r0), s2);
	assert_true(snapshot_quiescent(rcu, epoch));
	snapshot_leave(r0);
	snapshot_leave(r1);
	snapshot_synchronize(rcu, epoch);
	snapshot_free(old);
	snapshot_rcu_free(rcu);     /* frees s2 */
	free(cfg);
}

/* readers hammer the pointer while a writer swaps and frees: every
 * snapshot a reader sees must still be intact (ASan catches use after free) */
struct stress {
	struct snapshot_rcu *rcu;
	unsigned id;
	atomic_bool stop;
	uint64_t reads;
};

static void *reader_main(void *arg)
{
	struct stress *st = arg;
	struct snapshot_reader *r = snapshot_rcu_reader(st->rcu, st->id);
	uint64_t last = 0;
	while (!atomic_load(&st->stop)) {
		const struct snapshot *s = snapshot_enter(r);
		uint64_t g = s->generation;
		/* hold it a while, as a worker answering a batch does */
		for (volatile int spin = 0; spin < 2000; spin++)
			;
		assert_true(g >= last);           /* never goes back */
		assert_int_equal(s->opts.edns_size, 1400);
		last = g;
		snapshot_leave(r);
		st->reads++;
	}
	return NULL;
}

static void test_stress(void **state)
{
	(void)state;
	enum { NR = 3, SWAPS = 1000 };
	struct raiz_config *cfg = cfg_new("a", NULL);
	struct snapshot *cur = snap_new(cfg, NULL);
	struct snapshot_rcu *rcu = snapshot_rcu_new(NR, cur);
	struct stress st[NR];
	pthread_t th[NR];
	for (unsigned i = 0; i < NR; i++) {
		st[i].rcu = rcu;
		st[i].id = i;
		st[i].reads = 0;
		atomic_init(&st[i].stop, false);
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &st[i]), 0);
	}
	for (int i = 0; i < SWAPS; i++) {
		struct snapshot *next = snap_new(cfg, cur);
		uint64_t epoch;
		struct snapshot *old = snapshot_publish(rcu, next, &epoch);
		snapshot_synchronize(rcu, epoch);
		/* poison before freeing: a reader still using it would see it */
		old->opts.edns_size = 0;
		snapshot_free(old);
		cur = next;
	}
	for (unsigned i = 0; i < NR; i++) {
		atomic_store(&st[i].stop, true);
		pthread_join(th[i], NULL);
	}
	assert_int_equal(snapshot_current(rcu)->generation, SWAPS + 1);
	snapshot_rcu_free(rcu);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_quiescent),
		cmocka_unit_test(test_stress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
