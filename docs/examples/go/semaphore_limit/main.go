// semaphore_limit: the Go program that docs/examples/semaphore_limit.cc ports.
// Jobs of different sizes share a memory budget: a weighted semaphore lets as
// many run at once as fit, a big job takes a big share, and the program waits
// for all of them by acquiring the whole budget. Run it from
// docs/examples/go, offline, against Debian's golang-golang-x-sync-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run ./semaphore_limit
//
// It prints what docs/examples/semaphore_limit.expected holds.
package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// budget is the memory, in MB, that the jobs may hold at once.
const budget = 8

// A Job needs memory MB while it runs and computes the Collatz steps of n.
type Job struct {
	name   string
	memory int64
	n      int
}

// collatzSteps counts the steps from n down to 1.
func collatzSteps(n int) int {
	steps := 0
	for ; n != 1; steps++ {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
	}
	return steps
}

func main() {
	ctx := context.Background()
	sem := semaphore.NewWeighted(budget)
	jobs := []Job{
		{"thumbnail", 1, 27}, {"preview", 2, 97}, {"poster", 6, 871},
		{"icon", 1, 6171}, {"banner", 4, 77031}, {"print", 8, 837799},
		{"avatar", 1, 9}, {"cover", 3, 230631},
	}
	out := make([]string, len(jobs))
	var inUse, peak atomic.Int64
	for i, job := range jobs {
		// Acquire blocks until job.memory MB are free: the 8 MB print job
		// waits for every job before it to finish.
		if err := sem.Acquire(ctx, job.memory); err != nil {
			fmt.Println("acquire:", err)
			break
		}
		go func(i int, job Job) {
			defer sem.Release(job.memory)
			now := inUse.Add(job.memory)
			for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
			}
			time.Sleep(5 * time.Millisecond) // the work holds its memory a while
			out[i] = fmt.Sprintf("%-9s %d MB  collatz(%d) = %d steps",
				job.name, job.memory, job.n, collatzSteps(job.n))
			inUse.Add(-job.memory)
		}(i, job)
	}

	// Wait for every job: the whole budget is free only when all are done.
	if err := sem.Acquire(ctx, budget); err != nil {
		fmt.Println("acquire:", err)
		return
	}
	for _, line := range out {
		fmt.Println(line)
	}
	fmt.Printf("memory in use never above %d MB: %t\n", budget, peak.Load() <= budget)

	// The budget is all taken now: nothing else fits.
	fmt.Println("TryAcquire(1) while full:", sem.TryAcquire(1))
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	fmt.Println("Acquire(1) with a 20ms timeout while full:", sem.Acquire(tctx, 1))
	// A request larger than the budget can never succeed: it only waits for
	// its context, without holding anyone else back.
	fmt.Println("Acquire(9) with the same, expired, context:", sem.Acquire(tctx, budget+1))
	sem.Release(budget)
	fmt.Println("TryAcquire(8) after the release:", sem.TryAcquire(budget))
}
