package model

import (
	"errors"
	"sync"
)

// eachIndex runs fn for every index in 0..n-1 over at most workers goroutines and joins the errors;
// each index is computed on its own, so the results do not depend on the number of workers.
func eachIndex(n, workers int, fn func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}
