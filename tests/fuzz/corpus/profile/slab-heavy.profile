# slab-heavy: the RFC's btrfs case.
#
# Reclaimable slab (btrfs extent buffers, inodes, dentries) grows from
# 0.7% to 5% of memory over the run -- the RFC's 1.7 -> 11.7 GB on a
# 247 GB machine, where tainted superpageblocks went from 4 to 16. Most of
# the slab is in use and cannot be shrunk; the rest of memory is anonymous
# memory and page cache under steady pressure.
name slab-heavy
description The RFC's btrfs case: reclaimable slab grows from 0.7% to 5% of memory
duration 600s

consumer anon
	gfp movable
	thp 50%
	size 35%
	fill 4%/s
	lifetime 80% exp 120s | 20% exp 1800s
end

consumer pinned				# RDMA buffers, long-term pinned
	gfp movable
	thp 95%
	size 0.2%
	fill 0.2%/s
	pin 100% exp 7200s
end

consumer pagecache
	gfp movable
	orders 0:70 2:15 4:15
	size 100%
	fill 0.5%/s
	lifetime 90% inf | 10% exp 120s
	evict yes
	dirty 5%
end

consumer btrfs-slab
	gfp reclaimable
	orders 0:50 1:20 2:10 3:20
	size 0.7% -> 5%
	fill 0.05%/s
	lifetime 90% inf | 10% exp 120s
	evict yes
	busy 70%
end

consumer slab-unmovable
	gfp unmovable
	orders 0:60 1:15 2:10 3:15
	size 1%
	fill 0.2%/s
	lifetime 70% exp 60s | 30% exp 1200s
end

consumer pagetables
	gfp unmovable
	size 0.3%
	fill 0.1%/s
	lifetime exp 120s
end

consumer netbuf
	gfp atomic
	orders 0:50 1:20 2:15 3:15
	size 0.02%
	lifetime exp 100ms
end
