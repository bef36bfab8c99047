# webserver: a web or cache server.
#
# Most memory is page cache of static files that stays hot; the process
# heaps are long lived, request memory is short lived; network buffers are
# the busiest consumer (atomic, orders 0-3); many threads mean kernel
# stacks and page tables; io_uring registered buffers are pinned.
name webserver
description Web/cache server: large hot page cache, heavy network buffers, short-lived request memory
duration 300s

consumer heap
	gfp movable
	thp 30%
	size 20%
	fill 2%/s
	lifetime exp 1800s
end

consumer io-buffers			# io_uring registered buffers (huge
	gfp movable			# pages where possible): pinned
	thp 90%
	size 0.1%
	fill 0.1%/s
	pin 100% exp 3600s
end

consumer requests
	gfp movable
	size 5%
	fill 2%/s
	lifetime exp 5s
end

consumer pagecache
	gfp movable
	orders 0:60 2:20 4:20
	size 100%
	fill 0.5%/s
	lifetime 95% inf | 5% exp 300s
	evict yes
	dirty 2%
end

consumer slab-reclaimable
	gfp reclaimable
	orders 0:60 1:20 2:10 3:10
	size 2%
	fill 0.2%/s
	lifetime 80% inf | 20% exp 600s
	evict yes
	busy 30%
end

consumer slab-unmovable
	gfp unmovable
	orders 0:50 1:20 2:10 3:20
	size 1%
	fill 0.2%/s
	lifetime 50% exp 10s | 50% exp 600s
end

consumer pagetables
	gfp unmovable
	size 0.3%
	fill 0.05%/s
	lifetime exp 600s
end

consumer kstacks
	gfp unmovable
	orders 2:1
	size 0.2%
	fill 0.05%/s
	lifetime exp 300s
end

consumer netbuf
	gfp atomic
	orders 0:40 1:20 2:20 3:20
	size 0.1%
	lifetime exp 200ms
end
