# thp-always: the mixed workload with THP faults that compact.
#
# Same consumers as mixed, but half of the anonymous memory comes from a
# consumer whose faults are order-9 GFP_TRANSHUGE allocations: direct
# reclaim and compaction allowed, as with
# /sys/kernel/mm/transparent_hugepage/defrag = always (mixed's THP faults
# are GFP_TRANSHUGE_LIGHT, the madvise default, and never compact). A
# failed fault is counted, not retried with small pages. This is the
# workload where RFC 17's "evacuate a clean-SPB window before compaction"
# hook (spb_contig_movable) shows; see docs/SPB.md.
name thp-always
description mixed, with THP faults that may reclaim and compact (defrag=always)
duration 120s

consumer anon
	gfp movable
	size 20%
	fill 2%/s
	lifetime 85% exp 60s | 15% exp 1200s
end

consumer anon-thp			# THP defrag=always: faults compact
	gfp transhuge
	orders 9:1
	size 20%
	fill 2%/s
	lifetime 85% exp 60s | 15% exp 1200s
end

consumer pinned				# RDMA/vfio buffers: long-term pinned anon,
	gfp movable			# registered at start-up, rarely replaced
	thp 95%
	size 0.2%
	fill 0.2%/s
	pin 100% exp 7200s
end

consumer pagecache
	gfp movable
	orders 0:70 2:15 4:15		# large folios
	size 100%			# whatever is free: reclaim balances it
	fill 1%/s			# the read stream
	lifetime 85% inf | 15% exp 120s	# temporary files are deleted
	evict yes
	dirty 5%			# dirty or mapped: written back, unmapped in time
end

consumer slab-reclaimable		# dentries, inodes
	gfp reclaimable
	orders 0:60 1:20 2:10 3:10
	size 3%
	fill 0.5%/s
	lifetime 60% inf | 40% exp 60s
	evict yes
	busy 40%			# objects in use pin their slab page
end

consumer slab-unmovable			# kmalloc
	gfp unmovable
	orders 0:60 1:15 2:10 3:15
	size 1.5%
	fill 0.2%/s
	lifetime 70% exp 60s | 30% exp 1200s
end

consumer pagetables
	gfp unmovable
	size 0.4%
	fill 0.1%/s
	lifetime exp 90s
end

consumer kstacks			# THREAD_SIZE 16 KiB
	gfp unmovable
	orders 2:1
	size 0.1%
	fill 0.05%/s
	lifetime exp 30s
end

consumer netbuf				# skb data and page frags
	gfp atomic
	orders 0:50 1:20 2:15 3:15
	size 0.05%
	lifetime exp 200ms
end
