// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The inspect reports: a text table per zone, JSON, and the Prometheus
 * text exposition format for node_exporter's textfile collector (write it
 * to a *.prom file in --collector.textfile.directory, atomically: to a
 * temporary name, then rename).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"
#include "json.h"
#include "provenance.h"

#define U(x) ((unsigned long long)(x))

static double mib(const struct inspect *in, uint64_t pages)
{
	return (double)(pages << in->page_shift) / (1024.0 * 1024.0);
}

/* The three largest unmovable classes of a region, in MiB. */
static void blockers(const struct inspect *in, const uint64_t pages[KC_NR],
		     char *b, size_t n)
{
	bool used[KC_NR] = { false };
	size_t k = 0;

	*b = '\0';
	for (int round = 0; round < 3; round++) {
		int best = -1;

		for (int c = 0; c < KC_NR; c++)
			if (kpf_group_of((enum kpf_class)c) == KG_UNMOVABLE && !used[c] &&
			    pages[c] && (best < 0 || pages[c] > pages[best]))
				best = c;
		if (best < 0)
			break;
		used[best] = true;
		k += (size_t)snprintf(b + k, k < n ? n - k : 0, "%s%s %.1f", k ? ", " : "",
				      kpf_class_name[best], mib(in, pages[best]));
	}
}

static void zone_text(FILE *f, const struct inspect *in, const struct insp_zone *z)
{
	fprintf(f, "\nNode %d, zone %s: pfn 0x%llx-0x%llx, present %.0f MiB, managed %.0f MiB\n",
		z->z.node, z->z.name, U(z->z.start_pfn), U(z->z.start_pfn + z->z.spanned),
		mib(in, z->z.present), mib(in, z->z.managed));
	fprintf(f, "  %5s %-9s %5s %9s %9s %9s %9s %9s %9s  %s\n", "GiB", "state",
		"whole", "free", "movable", "unevict", "unmovable", "unmanaged", "hole",
		"unmovable by kind (MiB)");
	for (size_t i = 0; i < z->nr_regions; i++) {
		const struct insp_region *r = &in->reg[z->first_region + i];
		char b[160];

		blockers(in, r->pages, b, sizeof(b));
		fprintf(f, "  %5llu %-9s %5s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f  %s\n",
			U(r->index), insp_state_name[r->state], r->complete ? "yes" : "no",
			mib(in, r->pages[KC_FREE]), mib(in, insp_group_pages(r->pages, KG_MOVABLE)),
			mib(in, r->pages[KC_UNEVICTABLE]),
			mib(in, insp_group_pages(r->pages, KG_UNMOVABLE)),
			mib(in, r->pages[KC_UNMANAGED]), mib(in, r->pages[KC_HOLE]), b);
	}
	fprintf(f, "  1 GiB pages: %llu now, %llu after migrating movable pages (estimate)\n",
		U(z->gib_now), U(z->gib_after));
}

void inspect_print_text(FILE *f, const struct inspect *in)
{
	uint64_t free_pages = 0, present = 0;

	for (size_t i = 0; i < in->nr_zones; i++) {
		free_pages += in->zone[i].pages[KC_FREE];
		present += in->zone[i].z.present;
	}
	fprintf(f, "gigalloc inspect: %zu zones, %zu regions of 1 GiB, %.0f MiB present, "
		"scanned in %.2f s\n", in->nr_zones, in->nr_reg, mib(in, present), in->scan_s);
	fprintf(f, "MiB per region; free = free buddy pages, movable = LRU anon/file, THP, "
		"hugetlb; unevict = mlocked/unevictable\n");
	for (size_t i = 0; i < in->nr_zones; i++)
		zone_text(f, in, &in->zone[i]);
	fprintf(f, "\n1 GiB pages: %llu now (wholly free regions), %llu after migrating "
		"movable pages (estimate)\n", U(in->gib_now), U(in->gib_after));
	fprintf(f, "free pages: %llu in kpageflags; /proc/buddyinfo: %llu before, %llu "
		"after the scan\n", U(free_pages), U(in->buddy_before), U(in->buddy_after));
	fprintf(f, "%s%s%snot visible: reclaimable slab (counted unmovable), long-term "
		"pins (kpagecount is a mapcount)\n",
		in->have_iomem ? "" : "no /proc/iomem: holes only where kpageflags says NOPAGE; ",
		in->have_kpagecount ? "" : "no kpagecount; ",
		in->unevictable_movable ? "" : "compact_unevictable_allowed=0: unevictable "
		"pages block migration; ");
	provenance_lines(f, "");
}

/* ------------------------------------------------------------------------ */

static void j_pages(struct jw *j, const uint64_t pages[KC_NR])
{
	jw_obj(j, "pages");
	for (int c = 0; c < KC_NR; c++)
		jw_u64(j, kpf_class_name[c], pages[c]);
	jw_close_obj(j);
	jw_obj(j, "groups");
	for (int g = 0; g < KG_NR; g++)
		jw_u64(j, kpf_group_name[g], insp_group_pages(pages, (enum kpf_group)g));
	jw_close_obj(j);
}

static void j_zone(struct jw *j, const struct inspect *in, const struct insp_zone *z)
{
	jw_obj(j, NULL);
	jw_i64(j, "node", z->z.node);
	jw_str(j, "zone", z->z.name);
	jw_u64(j, "start_pfn", z->z.start_pfn);
	jw_u64(j, "end_pfn", z->z.start_pfn + z->z.spanned);
	jw_u64(j, "present_pages", z->z.present);
	jw_u64(j, "managed_pages", z->z.managed);
	jw_u64(j, "gib_pages_now", z->gib_now);
	jw_u64(j, "gib_pages_after_migration", z->gib_after);
	j_pages(j, z->pages);
	jw_arr(j, "regions");
	for (size_t i = 0; i < z->nr_regions; i++) {
		const struct insp_region *r = &in->reg[z->first_region + i];

		jw_obj(j, NULL);
		jw_u64(j, "gib", r->index);
		jw_u64(j, "start_pfn", r->start_pfn);
		jw_u64(j, "end_pfn", r->end_pfn);
		jw_bool(j, "complete", r->complete);
		jw_str(j, "state", insp_state_name[r->state]);
		if (in->have_kpagecount)
			jw_u64(j, "mapped_pages", r->mapped);
		else
			jw_null(j, "mapped_pages");
		j_pages(j, r->pages);
		jw_close_obj(j);
	}
	jw_close_arr(j);
	jw_close_obj(j);
}

void inspect_print_json(FILE *f, const struct inspect *in)
{
	struct jw j;

	jw_begin(&j, f);
	jw_u64(&j, "gigalloc_inspect_format", 1);
	provenance_json(&j);
	jw_u64(&j, "page_size", 1ull << in->page_shift);
	jw_u64(&j, "region_pages", 1ull << in->region_order);
	jw_u64(&j, "gib_pages_now", in->gib_now);
	jw_u64(&j, "gib_pages_after_migration", in->gib_after);
	jw_u64(&j, "buddyinfo_free_pages_before", in->buddy_before);
	jw_u64(&j, "buddyinfo_free_pages_after", in->buddy_after);
	jw_dbl(&j, "scan_seconds", in->scan_s);
	jw_obj(&j, "sources");
	jw_bool(&j, "iomem", in->have_iomem);
	jw_bool(&j, "kpagecount", in->have_kpagecount);
	jw_bool(&j, "pagetypeinfo", in->have_pagetypeinfo);
	jw_bool(&j, "compact_unevictable_allowed", in->unevictable_movable);
	jw_close_obj(&j);
	jw_obj(&j, "visible");
	jw_bool(&j, "reclaimable_slab", false);
	jw_bool(&j, "long_term_pins", false);
	jw_close_obj(&j);
	jw_arr(&j, "zones");
	for (size_t i = 0; i < in->nr_zones; i++)
		j_zone(&j, in, &in->zone[i]);
	jw_close_arr(&j);
	jw_end(&j);
}

/* ------------------------------------------------------------------------ */

static void prom_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_regions(FILE *f, const struct inspect *in)
{
	prom_head(f, "gigalloc_inspect_region_pages",
		  "Pages of a 1 GiB physical region by kind (from /proc/kpageflags).");
	for (size_t i = 0; i < in->nr_reg; i++) {
		const struct insp_region *r = &in->reg[i];
		const struct gt_zone *z = &in->zone[r->zone].z;

		for (int g = 0; g < KG_NR; g++)
			fprintf(f, "gigalloc_inspect_region_pages{node=\"%d\",zone=\"%s\","
				"gib=\"%llu\",kind=\"%s\"} %llu\n", z->node, z->name,
				U(r->index), kpf_group_name[g],
				U(insp_group_pages(r->pages, (enum kpf_group)g)));
	}
	prom_head(f, "gigalloc_inspect_region_tainted",
		  "1 if the region holds unmovable pages, else 0.");
	for (size_t i = 0; i < in->nr_reg; i++) {
		const struct insp_region *r = &in->reg[i];
		const struct gt_zone *z = &in->zone[r->zone].z;

		fprintf(f, "gigalloc_inspect_region_tainted{node=\"%d\",zone=\"%s\","
			"gib=\"%llu\"} %d\n", z->node, z->name, U(r->index),
			r->state == RS_TAINTED);
	}
}

static void prom_zones(FILE *f, const struct inspect *in)
{
	prom_head(f, "gigalloc_inspect_zone_pages",
		  "Pages of a zone by class (from /proc/kpageflags).");
	for (size_t i = 0; i < in->nr_zones; i++)
		for (int c = 0; c < KC_NR; c++)
			fprintf(f, "gigalloc_inspect_zone_pages{node=\"%d\",zone=\"%s\","
				"class=\"%s\"} %llu\n", in->zone[i].z.node, in->zone[i].z.name,
				kpf_class_name[c], U(in->zone[i].pages[c]));
	prom_head(f, "gigalloc_inspect_regions", "1 GiB regions of a zone by state.");
	for (size_t i = 0; i < in->nr_zones; i++) {
		const struct insp_zone *z = &in->zone[i];
		uint64_t n[RS_NR] = { 0 };

		for (size_t k = 0; k < z->nr_regions; k++)
			n[in->reg[z->first_region + k].state]++;
		for (int s = 0; s < RS_NR; s++)
			fprintf(f, "gigalloc_inspect_regions{node=\"%d\",zone=\"%s\","
				"state=\"%s\"} %llu\n", z->z.node, z->z.name,
				insp_state_name[s], U(n[s]));
	}
	prom_head(f, "gigalloc_inspect_gib_pages",
		  "1 GiB pages obtainable: now (wholly free regions) and after migration (estimate).");
	for (size_t i = 0; i < in->nr_zones; i++) {
		const struct insp_zone *z = &in->zone[i];

		fprintf(f, "gigalloc_inspect_gib_pages{node=\"%d\",zone=\"%s\",when=\"now\"} %llu\n",
			z->z.node, z->z.name, U(z->gib_now));
		fprintf(f, "gigalloc_inspect_gib_pages{node=\"%d\",zone=\"%s\","
			"when=\"after_migration\"} %llu\n", z->z.node, z->z.name, U(z->gib_after));
	}
}

void inspect_print_prometheus(FILE *f, const struct inspect *in)
{
	provenance_lines(f, "# gigalloc ");
	prom_zones(f, in);
	prom_regions(f, in);
	prom_head(f, "gigalloc_inspect_scan_seconds", "Time the kpageflags scan took.");
	fprintf(f, "gigalloc_inspect_scan_seconds %.3f\n", in->scan_s);
}
