/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Platform layer: locks, relaxed atomics, assertions. The allocator logic
 * includes this and never an OS header directly, so an embedder can port
 * gigalloc by replacing this file.
 */
#ifndef GA_PLATFORM_H
#define GA_PLATFORM_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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
#define GA_DEBUG_CHECKS 1	/* for cross-checks that need more than a condition */
#define GA_BUG_ON(cond)							\
	do {								\
		if (ga_unlikely(cond)) {				\
			fprintf(stderr, "gigalloc BUG at %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)
#else
#define GA_DEBUG_CHECKS 0
#define GA_BUG_ON(cond) ((void)sizeof(cond))
#endif

/*
 * Memory for ga_zone_create's metadata (12 bytes a page: 200 MB for 64 GiB,
 * touched at random by every free). On Linux it is mapped 2 MiB-aligned and
 * marked for transparent huge pages, so a random page struct costs one TLB
 * entry per 2 MiB instead of a page walk per 4 KiB; where THP is off (or
 * "never"), it is ordinary memory. NULL on failure; 64-byte aligned.
 */
#define GA_HUGE_SIZE	((size_t)2 << 20)

static inline void *ga_meta_alloc(size_t size)
{
	size_t len = size + GA_HUGE_SIZE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start, end, pg = (uintptr_t)sysconf(_SC_PAGESIZE);

	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + GA_HUGE_SIZE - 1) & ~(uintptr_t)(GA_HUGE_SIZE - 1);
	end = start + size;
	/* Keep only [start, end): trim the head and what follows end's page. */
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	end = (end + pg - 1) & ~(pg - 1);
	if ((uintptr_t)p + len > end)
		munmap((void *)end, (uintptr_t)p + len - end);
#ifdef MADV_HUGEPAGE
	madvise((void *)start, size, MADV_HUGEPAGE);	/* a hint: may fail */
#endif
	return (void *)start;
}

static inline void ga_meta_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

#define ga_min(a, b) ((a) < (b) ? (a) : (b))
#define ga_max(a, b) ((a) > (b) ? (a) : (b))
#define ga_clamp(v, lo, hi) ga_min(ga_max((v), (lo)), (hi))

#endif /* GA_PLATFORM_H */
