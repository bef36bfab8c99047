// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The threaded embedder of the worker tests (mt_embedder.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mt_embedder.h"

static int mt_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
		      ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct mt_embedder *m = ctx;
	int rc = 0;

	(void)z;
	pthread_mutex_lock(&m->lock);
	/*
	 * The slot may have been freed (the free was deferred) and reused for
	 * a new page since the library isolated old_pfn: then the owner no
	 * longer holds old_pfn, which is -ENOENT (struct ga_ops), not an error.
	 */
	if (owner >= m->nr_threads * m->nr_per_thread)	/* never ours: a library bug */
		m->bad_owner++, rc = -ENOENT;
	else if (!m->obj[owner].live || m->obj[owner].pfn != old_pfn)
		rc = -ENOENT;
	else if (m->obj[owner].order != order)
		m->errors++, rc = -EBUSY;
	else
		m->obj[owner].pfn = new_pfn;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static const struct ga_ops mt_ops = { .migrate = mt_migrate };

struct ga_zone *mt_zone(struct mt_embedder *m, struct ga_zone_config *cfg,
			unsigned long nr_threads, unsigned long nr_per_thread,
			unsigned int workers)
{
	*m = (struct mt_embedder){ .nr_threads = nr_threads,
				   .nr_per_thread = nr_per_thread };
	pthread_mutex_init(&m->lock, NULL);
	m->obj = calloc(nr_threads * nr_per_thread, sizeof(*m->obj));
	if (!m->obj || ga_executor_create(&m->ex, GA_EXECUTOR_THREADS, workers)) {
		printf("Bail out! mt_zone: no memory or executor\n");
		exit(1);
	}
	cfg->nr_cpus = (unsigned int)nr_threads;
	cfg->ops = &mt_ops;
	cfg->ops_ctx = m;
	cfg->executor = m->ex;
	if (ga_zone_create(&m->zone, cfg)) {
		printf("Bail out! mt_zone: ga_zone_create\n");
		exit(1);
	}
	return m->zone;
}

void mt_destroy(struct mt_embedder *m)
{
	ga_zone_destroy(m->zone);
	ga_executor_destroy(m->ex);
	free(m->obj);
	pthread_mutex_destroy(&m->lock);
}

void mt_start(struct mt_embedder *m, struct mt_thread *t, pthread_t *th,
	      void *(*fn)(void *))
{
	for (unsigned long i = 0; i < m->nr_threads; i++) {
		t[i] = (struct mt_thread){ m, m->zone, (unsigned int)i,
					   i * m->nr_per_thread };
		pthread_create(&th[i], NULL, fn, &t[i]);
	}
}

void mt_join(struct mt_embedder *m, pthread_t *th)
{
	for (unsigned long i = 0; i < m->nr_threads; i++)
		pthread_join(th[i], NULL);
}

bool mt_alloc(struct mt_thread *t, unsigned long slot, unsigned int gfp)
{
	struct fake_obj *o = &t->m->obj[slot];
	ga_pfn_t pfn;

	if (ga_alloc(t->z, t->cpu, 0, gfp, slot, &pfn))
		return false;
	pthread_mutex_lock(&t->m->lock);
	o->order = 0;
	o->mt = (uint8_t)ga_gfp_migratetype(gfp);
	o->pfn = pfn;
	o->live = true;
	pthread_mutex_unlock(&t->m->lock);
	return true;
}

void mt_free(struct mt_thread *t, unsigned long slot)
{
	struct fake_obj *o = &t->m->obj[slot];

	pthread_mutex_lock(&t->m->lock);
	if (o->live) {
		if (ga_free(t->z, t->cpu, o->pfn, o->order))
			t->m->errors++;
		o->live = false;
	}
	pthread_mutex_unlock(&t->m->lock);
}

unsigned long mt_owner_errors(struct mt_embedder *m)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < m->nr_threads * m->nr_per_thread; i++) {
		struct ga_page_info pi;

		if (!m->obj[i].live)
			continue;
		if (ga_page_query(m->zone, m->obj[i].pfn, &pi) || pi.owner != i ||
		    pi.state != GA_PAGE_ALLOC)
			bad++;
	}
	return bad;
}
