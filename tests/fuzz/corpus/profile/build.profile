# build: a kernel compile (make -j on every CPU).
#
# Compiler processes live seconds: anonymous memory churns fast, with page
# tables and kernel stacks coming and going with them. Sources, headers and
# objects fill the page cache, and opening many thousands of files grows
# the dentry and inode caches (reclaimable slab) -- Weiner's 20-minute
# kernel build is the reference for the damage this does to pageblocks.
name build
description Kernel-compile-like: heavy page cache and dentry/inode slab, short-lived compiler processes
duration 120s

consumer cc1
	gfp movable
	thp 20%
	size 15%
	fill 10%/s
	lifetime exp 5s
end

consumer make-shell
	gfp movable
	size 2%
	fill 1%/s
	lifetime exp 120s
end

consumer pagecache
	gfp movable
	orders 0:70 2:15 4:15
	size 100%
	fill 2%/s
	lifetime 80% inf | 20% exp 30s		# temporary objects are deleted
	evict yes
	dirty 5%
end

consumer slab-reclaimable
	gfp reclaimable
	orders 0:60 1:20 2:10 3:10
	size 4%
	fill 0.5%/s
	lifetime 70% inf | 30% exp 20s
	evict yes
	busy 20%
end

consumer slab-unmovable
	gfp unmovable
	orders 0:60 1:15 2:10 3:15
	size 1%
	fill 0.2%/s
	lifetime 60% exp 5s | 40% exp 600s
end

consumer pagetables
	gfp unmovable
	size 0.3%
	fill 0.3%/s
	lifetime exp 5s
end

consumer kstacks
	gfp unmovable
	orders 2:1
	size 0.05%
	fill 0.05%/s
	lifetime exp 5s
end
