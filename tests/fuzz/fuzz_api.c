// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target for the library API (`make fuzz`; build/fuzz/fuzz_api).
 *
 * The input is a geometry header followed by an operation sequence. The
 * header picks an odd zone: pageblock order 4..9, max order up to 3 above
 * it, SPB order up to 3 above that, holes, a CMA range, mobility grouping
 * off, pcp off, a preset (vanilla, evacuate, spb or whatever presets
 * exist), 1..4 CPUs. Each operation is a few bytes: allocations of every
 * order and mobility (and invalid ones), frees of live allocations and of
 * arbitrary pfns and orders (double frees, tails, holes, out of range),
 * pins, long-term pins, contiguous ranges (whole and partial frees),
 * compaction, drains, vmstat ticks, the executor's pending work and
 * memory hotplug (ga_zone_resize: grow to an SPB boundary or max_end_pfn,
 * shrink, and invalid ends) on a zone the header may make growable.
 *
 * An owner table shadows every allocation; the migrate, drop and reclaim
 * callbacks update it and count any callback about a page the owner does
 * not hold. It aborts when the invariant checker fails (after every batch
 * of 8 operations and at the end), when a callback names a page its owner
 * does not hold, when a live owner's head page is not its allocation, or
 * when a call returns an error its documentation does not list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gigalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OBJ 512
#define MAX_CONTIG 16

struct obj {
	ga_pfn_t pfn;
	uint8_t order, pins;
	bool live, clean, busy;
};

struct rig {
	struct ga_zone *z;
	struct obj obj[MAX_OBJ];
	struct { ga_pfn_t start, end; bool live; } contig[MAX_CONTIG];
	unsigned int nr_cpus;
	const uint8_t *p, *end;
};

static void die(struct rig *r, const char *what)
{
	char err[512] = "";

	ga_zone_check(r->z, err, sizeof(err));
	fprintf(stderr, "fuzz_api: %s (checker: %s)\n", what, err[0] ? err : "ok");
	abort();
}

static unsigned int byte(struct rig *r)
{
	return r->p < r->end ? *r->p++ : 0;
}

static uint64_t word(struct rig *r)
{
	uint64_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | byte(r);
	return v;
}

/* Callbacks: the owner table is the truth the library must agree with. */
static struct obj *owned(struct rig *r, uint64_t owner, ga_pfn_t pfn,
			 unsigned int order)
{
	struct obj *o;

	if (owner >= MAX_OBJ)
		die(r, "callback for an owner that never existed");
	o = &r->obj[owner];
	if (!o->live || o->pfn != pfn || o->order != order)
		die(r, "callback for a page its owner does not hold");
	return o;
}

static int cb_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
		      ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct rig *r = ctx;
	struct obj *o = owned(r, owner, old_pfn, order);
	struct ga_page_info pi;

	if (o->busy)
		return -EBUSY;
	if (o->pins)
		die(r, "migrate callback for a pinned allocation");
	if (ga_page_query(z, new_pfn, &pi) || pi.head_pfn != new_pfn ||
	    pi.order != order)
		die(r, "migration target is not a block of the right order");
	o->pfn = new_pfn;
	return 0;
}

static int cb_drop(void *ctx, struct ga_zone *z, uint64_t owner, ga_pfn_t pfn,
		   unsigned int order)
{
	struct rig *r = ctx;
	struct obj *o = owned(r, owner, pfn, order);

	(void)z;
	if (!o->clean || o->busy)
		return -EBUSY;
	if (o->pins)
		die(r, "drop callback for a pinned allocation");
	o->live = false;
	return 0;
}

static unsigned long cb_reclaim(void *ctx, struct ga_zone *z,
				const struct ga_reclaim_request *req)
{
	struct rig *r = ctx;
	unsigned long freed = 0;

	for (unsigned int i = 0; i < MAX_OBJ && freed < req->nr_to_reclaim; i++) {
		struct obj *o = &r->obj[i];

		if (!o->live || !o->clean || o->pins)
			continue;
		if (ga_free(z, req->cpu, o->pfn, o->order))
			die(r, "reclaim could not free a live allocation");
		o->live = false;
		freed += 1ul << o->order;
	}
	return freed;
}

static const struct ga_ops ops = {
	.reclaim = cb_reclaim, .migrate = cb_migrate, .drop = cb_drop,
};

/* ------------------------------------------------------------------------ */

static void conserved(struct rig *r)
{
	for (unsigned int i = 0; i < MAX_OBJ; i++) {
		struct obj *o = &r->obj[i];
		struct ga_page_info pi;

		if (!o->live)
			continue;
		if (ga_page_query(r->z, o->pfn, &pi) || pi.state != GA_PAGE_ALLOC ||
		    pi.owner != i || pi.order != o->order || pi.pins != o->pins)
			die(r, "a live owner's allocation is not where it thinks");
	}
}

static void check(struct rig *r)
{
	char err[512];

	if (ga_zone_check(r->z, err, sizeof(err))) {
		fprintf(stderr, "fuzz_api: checker: %s\n", err);
		abort();
	}
	conserved(r);
}

static void expect(struct rig *r, int rc, int ok_mask_errs, const int *errs,
		   const char *what)
{
	if (rc >= 0)
		return;
	for (int i = 0; i < ok_mask_errs; i++)
		if (rc == errs[i])
			return;
	fprintf(stderr, "fuzz_api: %s returned %d\n", what, rc);
	die(r, "undocumented error");
}

static ga_pfn_t any_pfn(struct rig *r, const struct ga_zone_info *zi)
{
	uint64_t w = word(r);

	switch (w & 3) {
	case 0:		/* anywhere, even outside */
		return (w >> 2) & 0xffffff;
	default:
		return zi->start_pfn + (w >> 2) % (zi->end_pfn - zi->start_pfn);
	}
}

static void op_alloc(struct rig *r, unsigned int a, unsigned int b)
{
	static const unsigned int gfps[] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
		GA_GFP_ATOMIC, GA_GFP_NOWAIT, GA_GFP_TRANSHUGE, GA_GFP_TRANSHUGE_LIGHT,
		GA_GFP_HIGHUSER_MOVABLE | GA_GFP_NORETRY, GA_GFP_MOVABLE | GA_GFP_RECLAIMABLE,
		1u << 12,
	};
	static const int errs[] = { -ENOMEM, -EINVAL, -E2BIG };
	unsigned int slot = b % MAX_OBJ, order = a % 12, cpu = (a >> 4) % (r->nr_cpus + 1);
	unsigned int gfp = gfps[(b >> 1) % (sizeof(gfps) / sizeof(gfps[0]))];
	struct obj *o = &r->obj[slot];
	ga_pfn_t pfn;
	int rc;

	if (o->live)
		return;
	rc = ga_alloc(r->z, cpu, order, gfp, slot, &pfn);
	expect(r, rc, 3, errs, "ga_alloc");
	if (rc)
		return;
	if (cpu >= r->nr_cpus)
		die(r, "ga_alloc accepted a CPU out of range");
	*o = (struct obj){ .pfn = pfn, .order = (uint8_t)order, .live = true,
			   .clean = !(b & 0x40), .busy = (b & 0x81) == 0x81 };
}

static void op_free(struct rig *r, unsigned int a, unsigned int b)
{
	struct obj *o = &r->obj[b % MAX_OBJ];
	int rc;

	if (!o->live || o->pins)
		return;
	rc = ga_free(r->z, a % r->nr_cpus, o->pfn, o->order);
	if (rc)
		die(r, "ga_free of a live allocation failed");
	o->live = false;
}

/* Frees the documentation says are refused: they must change nothing. */
static void op_bad_free(struct rig *r, const struct ga_zone_info *zi, unsigned int a)
{
	static const int errs[] = { -ERANGE, -E2BIG, -EINVAL, -EPERM, -EALREADY,
				    -ENOENT, -EBADSLT };
	ga_pfn_t pfn = any_pfn(r, zi);
	unsigned int order = a % 24, cpu = (a >> 5) % (r->nr_cpus + 1);
	struct ga_page_info pi;
	int rc;

	/* A live allocation at exactly this pfn and order would really go. */
	if (!ga_page_query(r->z, pfn, &pi) && pi.state == GA_PAGE_ALLOC &&
	    pi.head_pfn == pfn && pi.order == order && cpu < r->nr_cpus)
		return;
	rc = ga_free(r->z, cpu, pfn, order);
	if (!rc)
		die(r, "ga_free of something not allocated succeeded");
	expect(r, rc, 7, errs, "ga_free (bad)");
}

static void op_pin(struct rig *r, unsigned int a, unsigned int b)
{
	static const int errs[] = { -EOVERFLOW, -EAGAIN, -EINVAL, -ENOENT };
	struct obj *o = &r->obj[b % MAX_OBJ];
	ga_pfn_t where;
	int rc;

	if (!o->live)
		return;
	switch (a % 3) {
	case 0:
		rc = ga_pin(r->z, o->pfn);
		expect(r, rc, 4, errs, "ga_pin");
		if (!rc)
			o->pins++;
		break;
	case 1:
		if (!o->pins)
			return;
		if (ga_unpin(r->z, o->pfn))
			die(r, "ga_unpin of a pinned allocation failed");
		o->pins--;
		break;
	default:
		rc = ga_pin_longterm(r->z, (a >> 2) % r->nr_cpus, o->pfn, &where);
		expect(r, rc, 4, errs, "ga_pin_longterm");
		if (rc)
			break;
		if (where != o->pfn)	/* the migrate callback moved it */
			die(r, "pinned somewhere the owner did not hear of");
		o->pins++;
		break;
	}
}

static void op_contig(struct rig *r, const struct ga_zone_info *zi, unsigned int a,
		      unsigned int b)
{
	static const int errs[] = { -EINVAL, -ERANGE, -EBUSY, -ENOMEM };
	unsigned int slot = b % MAX_CONTIG, cpu = a % r->nr_cpus;
	ga_pfn_t pb = 1ull << zi->pageblock_order;
	unsigned long nr_pb = zi->nr_pageblocks;
	ga_pfn_t start = zi->start_pfn + (word(r) % nr_pb) * pb;
	ga_pfn_t end = start + (1 + (a >> 2) % 8) * pb;
	struct ga_contig_report rep;
	ga_pfn_t pfn;
	int rc;

	if (r->contig[slot].live)
		return;
	if (a & 2) {
		unsigned int order = zi->pageblock_order + (b >> 4) % 4;

		rc = ga_alloc_contig_pages(r->z, cpu, order, 0x10000 + slot, &pfn, &rep);
		expect(r, rc, 4, errs, "ga_alloc_contig_pages");
		start = pfn;
		end = pfn + (1ull << order);
	} else {
		rc = ga_alloc_contig_range(r->z, cpu, start, end, 0x10000 + slot, &rep);
		expect(r, rc, 4, errs, "ga_alloc_contig_range");
	}
	if (rc)
		return;
	r->contig[slot].start = start;
	r->contig[slot].end = end;
	r->contig[slot].live = true;
}

static void op_contig_free(struct rig *r, const struct ga_zone_info *zi,
			   unsigned int a, unsigned int b)
{
	unsigned int slot = b % MAX_CONTIG;
	ga_pfn_t pb = 1ull << zi->pageblock_order, s, e;
	int rc;

	if (!r->contig[slot].live)
		return;
	s = r->contig[slot].start;
	e = r->contig[slot].end;
	if (a & 1 && e - s > pb) {	/* a part of it: refused */
		if (a & 2)
			s += pb;
		else
			e -= pb;
		rc = ga_free_contig_range(r->z, a % r->nr_cpus, s, e);
		if (rc != -ENOENT)
			die(r, "a part of a contiguous range was not refused");
		return;
	}
	rc = ga_free_contig_range(r->z, a % r->nr_cpus, s, e);
	if (rc)
		die(r, "freeing a whole contiguous range failed");
	r->contig[slot].live = false;
	if (ga_free_contig_range(r->z, 0, s, e) != -ENOENT)
		die(r, "a contiguous range freed twice");
}

/*
 * Hot-add or hot-remove: a successful resize moves the end exactly there,
 * a refused one changes nothing. Live allocations above a shrink's new end
 * must have been migrated (the callback moves them) or dropped.
 */
static void op_resize(struct rig *r, struct ga_zone_info *zi, unsigned int a,
		      unsigned int b)
{
	static const int errs[] = { -EINVAL, -ERANGE, -EBUSY, -ENOMEM };
	ga_pfn_t spb = 1ull << zi->spb_order, old_end = zi->end_pfn, end;
	unsigned int cpu = (a >> 2) % (r->nr_cpus + 1);
	ga_pfn_t first = (zi->start_pfn + spb) & ~(spb - 1), n;
	struct ga_contig_report rep;
	int rc;

	switch (b % 4) {
	case 0:
		end = zi->max_end_pfn;
		break;
	case 1:		/* an SPB boundary above start, maybe beyond max_end */
		n = zi->max_end_pfn > first ? (zi->max_end_pfn - first) / spb : 0;
		end = first + (word(r) % (n + 2)) * spb;
		break;
	case 2:
		end = any_pfn(r, zi);
		break;
	default:
		end = old_end;
		break;
	}
	rc = ga_zone_resize(r->z, cpu, end, (b & 4) ? &rep : NULL);
	expect(r, rc, 4, errs, "ga_zone_resize");
	ga_zone_info(r->z, zi);
	if (!rc && zi->end_pfn != end)
		die(r, "ga_zone_resize succeeded but the end is elsewhere");
	if (rc && zi->end_pfn != old_end)
		die(r, "a refused ga_zone_resize moved the end");
	if (!rc && cpu >= r->nr_cpus)
		die(r, "ga_zone_resize accepted a CPU out of range");
	for (unsigned int i = 0; i < MAX_CONTIG; i++)
		if (r->contig[i].live && r->contig[i].end > zi->end_pfn)
			die(r, "a contiguous range was offlined under its owner");
}

static void run_ops(struct rig *r, struct ga_executor *ex)
{
	struct ga_zone_info zi;
	unsigned int n = 0;

	ga_zone_info(r->z, &zi);
	while (r->p < r->end) {
		unsigned int op = byte(r), a = byte(r), b = byte(r);

		switch (op % 16) {
		case 0: case 1: case 2: case 3: case 4:
			op_alloc(r, a, b);
			break;
		case 5: case 6: case 7:
			op_free(r, a, b);
			break;
		case 8:
			op_bad_free(r, &zi, a);
			break;
		case 9:
			op_pin(r, a, b);
			break;
		case 10:
			op_contig(r, &zi, a, b);
			break;
		case 11:
			op_contig_free(r, &zi, a, b);
			break;
		case 12: {
			static const int errs[] = { -EINVAL, -EOPNOTSUPP, -EAGAIN };
			int order = (int)(a % (zi.max_page_order + 3)) - 1;

			expect(r, ga_compact_zone(r->z, b % (r->nr_cpus + 1), order, b & 0x80),
			       3, errs, "ga_compact_zone");
			break;
		}
		case 13:
			if (a & 1)
				ga_drain_all_pcp(r->z);
			else if (ga_drain_pcp(r->z, b % (r->nr_cpus + 1)) &&
				 b % (r->nr_cpus + 1) < r->nr_cpus)
				die(r, "ga_drain_pcp of a valid CPU failed");
			break;
		case 14:
			ga_vmstat_tick(r->z);
			break;
		default:
			if ((a & 3) == 3)
				op_resize(r, &zi, a, b);
			else
				ga_executor_run_pending(ex);
			break;
		}
		if (++n % 8 == 0)
			check(r);
	}
}

/* Geometry from the header; 0 if it is one the library accepts. */
static int make_zone(struct rig *r, struct ga_executor *ex)
{
	static struct ga_pfn_range holes[2], cma;
	const char *const *presets = ga_policy_preset_names();
	unsigned int h0 = byte(r), h1 = byte(r), h2 = byte(r), h3 = byte(r);
	unsigned int h4 = byte(r), h5 = byte(r);
	struct ga_zone_config cfg;
	struct ga_policy p;
	unsigned int nr_presets = 0;
	ga_pfn_t pb, start, nr;
	int rc;

	while (presets[nr_presets])
		nr_presets++;
	ga_zone_config_default(&cfg, 0, 0, 1 + h0 % 4);
	cfg.pageblock_order = 4 + (h0 >> 2) % 6;
	cfg.max_page_order = cfg.pageblock_order + (h0 >> 5) % 4;
	if (cfg.max_page_order > 10)
		cfg.max_page_order = 10;
	cfg.spb_order = cfg.max_page_order + h1 % 4;
	pb = 1ull << cfg.pageblock_order;
	nr = 4 + (h1 >> 2) % 60;		/* pageblocks */
	while (nr * pb > 65536)
		nr /= 2;
	start = (h2 & 0x80) ? ((ga_pfn_t)(h2 & 0x7f) << 12) : (h2 % 8) * pb;
	cfg.start_pfn = start;
	cfg.end_pfn = start + nr * pb;
	ga_policy_preset(&p, presets[h3 % nr_presets]);
	p.min_free_kbytes = 16 + (h4 % 4) * 64;
	p.watermark_scale_factor = 1 + (h4 >> 2) % 20;
	p.mobility_grouping = !(h3 & 0x10);
	p.pcp = !(h3 & 0x20);
	p.highatomic = !(h3 & 0x40);
	p.evacuate_pool = 1 + h5 % 8;
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = r;
	cfg.executor = ex;
	if (h5 & 0x10) {	/* a hole, maybe a second one, at byte-given places */
		ga_pfn_t span = cfg.end_pfn - cfg.start_pfn;

		holes[0].start = start + (byte(r) * span / 256);
		holes[0].end = holes[0].start + 1 + byte(r) * pb / 16;
		holes[1].start = start + (byte(r) * span / 256);
		holes[1].end = holes[1].start + 1 + byte(r) * 2;
		if (holes[0].end > cfg.end_pfn)
			holes[0].end = cfg.end_pfn;
		if (holes[1].end > cfg.end_pfn)
			holes[1].end = cfg.end_pfn;
		cfg.holes = holes;
		cfg.nr_holes = (h5 & 0x20) ? 2 : 1;
	}
	if (h5 & 0x40) {	/* a CMA range of whole pageblocks */
		cma.start = start + (byte(r) % nr) * pb;
		cma.end = cma.start + (1 + byte(r) % 4) * pb;
		if (cma.end > cfg.end_pfn)
			cma.end = cfg.end_pfn;
		cfg.cma = &cma;
		cfg.nr_cma = 1;
	}
	if (h5 & 0x80) {	/* growable: end on an SPB boundary, room above */
		ga_pfn_t spb = 1ull << cfg.spb_order;

		cfg.end_pfn = (cfg.end_pfn + spb - 1) & ~(spb - 1);
		cfg.max_end_pfn = cfg.end_pfn + 2 * spb - ((h5 & 0x08) ? pb : 0);
	}
	r->nr_cpus = cfg.nr_cpus;
	rc = ga_zone_config_check(&cfg, NULL, 0);
	if (rc)
		return rc;
	rc = ga_zone_create(&r->z, &cfg);
	if (rc == -EINVAL)	/* every page a hole */
		return rc;
	if (rc)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rig r;
	struct ga_executor *ex;

	memset(&r, 0, sizeof(r));
	r.p = data;
	r.end = data + size;
	if (ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0))
		abort();
	if (make_zone(&r, ex)) {
		ga_executor_destroy(ex);
		return 0;
	}
	check(&r);
	run_ops(&r, ex);
	ga_executor_run_pending(ex);
	check(&r);
	ga_zone_destroy(r.z);
	ga_executor_destroy(ex);
	return 0;
}
