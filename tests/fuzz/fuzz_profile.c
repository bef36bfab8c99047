// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target for the workload profile parser and the workload model
 * behind it (`make fuzz`; build/fuzz/fuzz_profile).
 *
 * The input is profile text. A refused profile must say why ("file:line:
 * ..."). An accepted one is run for a few simulated seconds on a 64 MiB
 * zone under a preset picked by the input's length: it aborts if the run
 * fails, if the simulator's anomaly counter (callbacks about pages the
 * workload does not own, i.e. the library and the owner disagreeing) is
 * not 0, or on any undefined behaviour in the model (UBSan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_profile p;
	static struct sim_result res;
	const char *const *presets = ga_policy_preset_names();
	struct sim_config cfg;
	char err[512] = "", *text;
	unsigned int nr_presets = 0;
	int rc;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	rc = sim_profile_parse(&p, text, "fuzz.profile", err, sizeof(err));
	free(text);
	if (rc) {
		if (strncmp(err, "fuzz.profile:", 13))
			abort();	/* an error without its place */
		return 0;
	}
	while (presets[nr_presets])
		nr_presets++;
	memset(&cfg, 0, sizeof(cfg));
	cfg.mem_bytes = 64ull << 20;
	cfg.cpus = 2;
	cfg.profile = &p;
	cfg.duration = 3;
	cfg.seed = size;
	cfg.no_gib_test = size & 1;
	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "%s",
		 presets[size / 2 % nr_presets]);
	ga_policy_preset(&cfg.policy, cfg.policy_name);
	memset(&res, 0, sizeof(res));
	rc = sim_run(&cfg, &res);
	if (rc || res.err) {
		fprintf(stderr, "fuzz_profile: run failed: %d %s\n", rc, res.errmsg);
		abort();
	}
	if (res.wstats.anomalies || res.anomaly[0] || res.wstats.errors) {
		fprintf(stderr, "fuzz_profile: %llu anomalies (%s), %llu errors\n",
			(unsigned long long)res.wstats.anomalies, res.anomaly,
			(unsigned long long)res.wstats.errors);
		abort();
	}
	sim_result_free(&res);
	return 0;
}
