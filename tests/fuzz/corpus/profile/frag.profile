# frag: adversarial.
#
# Fill memory with order-0 movable pages, then free three of every four
# pages of each 2 MB pageblock (keep pfn % 4 == 0): free memory is plenty
# but no free block is larger than order 1, in every pageblock. Then
# kernel memory arrives and must fall back into movable pageblocks, while
# anonymous memory churns in what is left. A policy that keeps unmovable
# memory together shows it here; one that does not taints every region.
name frag
description Adversarial: fill, free 3/4 of every 2 MB chunk, then allocate kernel memory
duration 120s

consumer filler
	gfp movable
	size 95%
	lifetime inf
	stop 2s
end

at 2s free-pattern filler keep 1/4

consumer kernel
	gfp unmovable
	orders 0:70 1:10 2:10 3:10
	size 6%
	fill 0.5%/s
	lifetime 50% exp 30s | 50% inf
	start 2s
end

consumer dentries
	gfp reclaimable
	size 2%
	fill 0.2%/s
	lifetime 50% exp 30s | 50% inf
	evict yes
	busy 50%
	start 2s
end

consumer anon
	gfp movable
	thp 30%
	size 40%
	fill 5%/s
	lifetime exp 30s
	start 2s
end
