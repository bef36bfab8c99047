/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Platform layer: locks, relaxed atomics, assertions. The allocator logic
 * includes this and never an OS header directly, so an embedder can port
 * gigalloc by replacing this file.
 */
#ifndef GA_PLATFORM_H
#define GA_PLATFORM_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ga_likely(x)	__builtin_expect(!!(x), 1)
#define ga_unlikely(x)	__builtin_expect(!!(x), 0)

#define GA_CACHELINE 64
#define ga_cacheline_aligned __attribute__((aligned(GA_CACHELINE)))

/*
 * Fields written under a lock and read without it (free page counters,
 * zone flags, pcp sizes) go through these, as READ_ONCE/WRITE_ONCE do in the
 * kernel. They compile to plain moves on x86 but are data-race free for the
 * C11 memory model and ThreadSanitizer.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ga_set_bit(nr, addr)	__atomic_fetch_or((addr), 1ul << (nr), __ATOMIC_RELAXED)
#define ga_clear_bit(nr, addr)	__atomic_fetch_and((addr), ~(1ul << (nr)), __ATOMIC_RELAXED)
#define ga_test_bit(nr, addr)	((__atomic_load_n((addr), __ATOMIC_RELAXED) >> (nr)) & 1ul)
#define ga_test_and_clear_bit(nr, addr) \
	((__atomic_fetch_and((addr), ~(1ul << (nr)), __ATOMIC_RELAXED) >> (nr)) & 1ul)

/*
 * A test-and-test-and-set spinlock, like the kernel's zone->lock and
 * pcp->lock. Inline rather than pthread_spin_*, which is a library call on
 * the pcp fast path; acquire/release atomics let ThreadSanitizer see the
 * ordering it provides.
 */
typedef struct {
	int l;
} ga_lock_t;

static inline void ga_lock_init(ga_lock_t *lock)
{
	__atomic_store_n(&lock->l, 0, __ATOMIC_RELAXED);
}

static inline void ga_lock_destroy(ga_lock_t *lock)
{
	(void)lock;
}

static inline int ga_trylock(ga_lock_t *lock)
{
	return !__atomic_load_n(&lock->l, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(&lock->l, 1, __ATOMIC_ACQUIRE);
}

static inline void ga_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline void ga_lock(ga_lock_t *lock)
{
	while (!ga_trylock(lock))
		ga_cpu_relax();
}

static inline void ga_unlock(ga_lock_t *lock)
{
	__atomic_store_n(&lock->l, 0, __ATOMIC_RELEASE);
}

/*
 * Internal consistency assertions (the kernel's VM_BUG_ON). Compiled in
 * when GA_DEBUG is defined (tests build with it); they catch allocator bugs,
 * never caller misuse, which is reported through return values.
 */
#ifdef GA_DEBUG
#define GA_BUG_ON(cond)							\
	do {								\
		if (ga_unlikely(cond)) {				\
			fprintf(stderr, "gigalloc BUG at %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)
#else
#define GA_BUG_ON(cond) ((void)sizeof(cond))
#endif

#define ga_min(a, b) ((a) < (b) ? (a) : (b))
#define ga_max(a, b) ((a) > (b) ? (a) : (b))
#define ga_clamp(v, lo, hi) ga_min(ga_max((v), (lo)), (hi))

#endif /* GA_PLATFORM_H */
