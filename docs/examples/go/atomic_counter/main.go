// atomic_counter: the Go program that docs/examples/atomic_counter.cc ports.
// Counters and flags shared by many goroutines, with sync/atomic instead of a
// mutex. Run it from docs/examples/go:
//
//	go run ./atomic_counter
//
// It prints what docs/examples/atomic_counter.expected holds.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

type Config struct {
	Name    string
	Workers int
}

func main() {
	var ops atomic.Int64     // how many operations ran
	var maxSeen atomic.Int64 // the largest job id seen, kept with a CAS loop
	var failed atomic.Bool   // did any job fail?
	var config atomic.Value  // read by every worker, replaced by main
	config.Store(Config{Name: "v1", Workers: 50})

	var wg sync.WaitGroup
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cfg := config.Load().(Config)
			for i := 0; i < 1000; i++ {
				ops.Add(1)
				id := int64(w*1000 + i)
				for {
					old := maxSeen.Load()
					if id <= old || maxSeen.CompareAndSwap(old, id) {
						break
					}
				}
			}
			if cfg.Workers != 50 {
				failed.Store(true)
			}
		}(w)
	}
	wg.Wait()
	fmt.Println("ops:", ops.Load())
	fmt.Println("max job id:", maxSeen.Load())
	fmt.Println("failed:", failed.Load())

	old := config.Swap(Config{Name: "v2", Workers: 8})
	fmt.Println("old config:", old.(Config).Name)
	swapped := config.CompareAndSwap(Config{Name: "v2", Workers: 8}, Config{Name: "v3", Workers: 8})
	fmt.Println("v2 -> v3:", swapped, config.Load().(Config).Name)

	defer func() { fmt.Println("recovered:", recover()) }()
	config.Store("not a Config")
}
