package forecast

import (
	"sync"
	"sync/atomic"
)

// forEach calls f(i) for every i in [0, n) on up to workers goroutines, handing out indexes in
// order as workers free up. f must write only results of its own index, so what is computed does
// not depend on the scheduling.
func forEach(n, workers int, f func(i int)) {
	workers = min(max(1, workers), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
