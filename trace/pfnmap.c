// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Kernel pfn -> simulated allocation. Keys are page frame numbers, which
 * cluster; a multiplicative hash spreads them over the table.
 */
#include <errno.h>
#include <stdlib.h>

#include "pfnmap.h"

static size_t hash(uint64_t k, size_t mask)
{
	return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

int pfnmap_init(struct pfnmap *m, size_t expect)
{
	size_t cap = 1024;

	while (cap < expect * 2)
		cap *= 2;
	m->slot = calloc(cap, sizeof(*m->slot));
	if (!m->slot)
		return -ENOMEM;
	m->mask = cap - 1;
	m->nr = 0;
	return 0;
}

void pfnmap_destroy(struct pfnmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->nr = 0;
}

struct pfnmap_entry *pfnmap_find(const struct pfnmap *m, uint64_t kpfn)
{
	for (size_t i = hash(kpfn, m->mask);; i = (i + 1) & m->mask) {
		struct pfnmap_entry *e = &m->slot[i];

		if (!e->used)
			return NULL;
		if (e->kpfn == kpfn)
			return e;
	}
}

static void place(struct pfnmap *m, const struct pfnmap_entry *e)
{
	size_t i = hash(e->kpfn, m->mask);

	while (m->slot[i].used)
		i = (i + 1) & m->mask;
	m->slot[i] = *e;
	m->slot[i].used = true;
}

/* Keep the load at most 1/2 so probes stay short. */
static int grow(struct pfnmap *m)
{
	struct pfnmap old = *m;

	m->slot = calloc((old.mask + 1) * 2, sizeof(*m->slot));
	if (!m->slot) {
		*m = old;
		return -ENOMEM;
	}
	m->mask = old.mask * 2 + 1;
	for (size_t i = 0; i <= old.mask; i++)
		if (old.slot[i].used)
			place(m, &old.slot[i]);
	free(old.slot);
	return 0;
}

int pfnmap_insert(struct pfnmap *m, const struct pfnmap_entry *e)
{
	if ((m->nr + 1) * 2 > m->mask + 1 && grow(m))
		return -ENOMEM;
	place(m, e);
	m->nr++;
	return 0;
}

/*
 * Backward-shift deletion: move later entries of the probe run into the
 * hole when their home slot does not lie cyclically in (hole, here].
 */
void pfnmap_delete(struct pfnmap *m, struct pfnmap_entry *e)
{
	size_t hole = (size_t)(e - m->slot), i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & m->mask;
		if (!m->slot[i].used)
			break;
		home = hash(m->slot[i].kpfn, m->mask);
		if (((i - home) & m->mask) < ((i - hole) & m->mask))
			continue;
		m->slot[hole] = m->slot[i];
		hole = i;
	}
	m->slot[hole].used = false;
	m->nr--;
}
