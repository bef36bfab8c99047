/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulator's random numbers: xorshift64* seeded through splitmix64.
 * Every stream is a pure function of its seed, so a run is reproducible
 * bit for bit; nothing here reads the clock or calls rand().
 */
#ifndef GA_SIM_RNG_H
#define GA_SIM_RNG_H

#include <math.h>
#include <stdint.h>

struct sim_rng {
	uint64_t s;
};

/* splitmix64: spreads any seed (0 included) to a well-mixed value. */
static inline uint64_t sim_splitmix(uint64_t x)
{
	uint64_t z = x + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Independent streams of one run differ by `stream`. */
static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed,
				uint64_t stream)
{
	uint64_t s = sim_splitmix(seed ^ sim_splitmix(stream));

	r->s = s ? s : 0x9e3779b97f4a7c15ull;	/* xorshift dies at 0 */
}

static inline uint64_t sim_rand(struct sim_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) by multiply-shift (no modulo bias worth caring for). */
static inline uint32_t sim_rand_below(struct sim_rng *r, uint32_t n)
{
	return (uint32_t)(((sim_rand(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in (0, 1]: never 0, so -log(u) is finite. */
static inline double sim_rand_unit(struct sim_rng *r)
{
	return (double)((sim_rand(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/* True with probability p (p in [0, 1]). */
static inline int sim_rand_chance(struct sim_rng *r, double p)
{
	return sim_rand_unit(r) <= p;
}

#endif /* GA_SIM_RNG_H */
