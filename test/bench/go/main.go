// Command gorobench is the Go twin of test/bench/goro_bench.cc: the same
// workloads, written the way a Go programmer writes them, printing one line
// `go <workload> <metric> <value>`. test/bench/run.sh runs both and compares.
// W5 is the body of BenchmarkSelectUncontended in Go's
// src/runtime/chan_test.go.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	w1Items     = 10_000_000
	w2Items     = 10_000_000
	w2Producers = 4
	w2Consumers = 4
	w3Trips     = 200_000
	w4Tasks     = 1_000_000
	w5Ops       = 10_000_000 // total, over all goroutines
	w6Producers = 100
	w6PerProd   = 100_000
	memN        = 100_000
	timers      = 100_000
	timerN      = 1_000_000
	ctxN        = 1_000_000
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-bench: "+format+"\n", args...)
	os.Exit(1)
}

// W1: buffered chan cap 128, 1 producer, 1 consumer, 10M ints.
func w1() {
	c := make(chan int, 128)
	var wg sync.WaitGroup
	var sum int64
	start := time.Now()
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < w1Items; i++ {
			c <- i
		}
		close(c)
	}()
	go func() {
		defer wg.Done()
		var s int64
		for v := range c {
			s += int64(v)
		}
		sum = s
	}()
	wg.Wait()
	el := time.Since(start)
	if want := int64(w1Items) * (w1Items - 1) / 2; sum != want {
		fail("W1: sum %d, want %d", sum, want)
	}
	fmt.Printf("go W1 ops/s %.0f\n", w1Items/el.Seconds())
}

// W2: cap 128, 4 producers and 4 consumers, 10M ints in total.
func w2() {
	c := make(chan int, 128)
	var prod, cons sync.WaitGroup
	var sum atomic.Int64
	per := w2Items / w2Producers
	start := time.Now()
	for p := 0; p < w2Producers; p++ {
		prod.Add(1)
		go func() {
			defer prod.Done()
			for i := 0; i < per; i++ {
				c <- 1
			}
		}()
	}
	for k := 0; k < w2Consumers; k++ {
		cons.Add(1)
		go func() {
			defer cons.Done()
			var s int64
			for v := range c {
				s += int64(v)
			}
			sum.Add(s)
		}()
	}
	go func() {
		prod.Wait()
		close(c)
	}()
	cons.Wait()
	el := time.Since(start)
	if got := sum.Load(); got != int64(per*w2Producers) {
		fail("W2: received %d, want %d", got, per*w2Producers)
	}
	fmt.Printf("go W2 ops/s %.0f\n", float64(per*w2Producers)/el.Seconds())
}

// W3: unbuffered ping-pong between two goroutines, 200k round trips.
func w3() {
	ping := make(chan int)
	pong := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < w3Trips; i++ {
			ping <- i
			if v := <-pong; v != i {
				fail("W3: got %d, want %d", v, i)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < w3Trips; i++ {
			pong <- <-ping
		}
	}()
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("go W3 ns/rtt %.1f\n", float64(el.Nanoseconds())/w3Trips)
}

// W4: spawn 1M tiny goroutines (one atomic increment each), wait with a WaitGroup.
func w4() {
	var wg sync.WaitGroup
	var n atomic.Int64
	start := time.Now()
	for i := 0; i < w4Tasks; i++ {
		wg.Add(1)
		go func() {
			n.Add(1)
			wg.Done()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if got := n.Load(); got != w4Tasks {
		fail("W4: %d increments, want %d", got, w4Tasks)
	}
	fmt.Printf("go W4 tasks/s %.0f\n", w4Tasks/el.Seconds())
}

// W5: BenchmarkSelectUncontended's body: one goroutine per P, each with its own
// two cap-1 channels, passing a token back and forth through a 2-case select.
func w5() {
	procs := runtime.GOMAXPROCS(0)
	per := w5Ops / procs
	var wg sync.WaitGroup
	start := time.Now()
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			myc1 := make(chan int, 1)
			myc2 := make(chan int, 1)
			myc1 <- 0
			for i := 0; i < per; i++ {
				select {
				case <-myc1:
					myc2 <- 0
				case <-myc2:
					myc1 <- 0
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("go W5 ops/s %.0f\n", float64(per*procs)/el.Seconds())
}

// W6: fan-in, 100 producers x 100k ints into one chan cap 1024, 1 consumer.
func w6() {
	c := make(chan int, 1024)
	var prod sync.WaitGroup
	var got int64
	done := make(chan struct{})
	start := time.Now()
	for p := 0; p < w6Producers; p++ {
		prod.Add(1)
		go func() {
			defer prod.Done()
			for i := 0; i < w6PerProd; i++ {
				c <- 1
			}
		}()
	}
	go func() {
		prod.Wait()
		close(c)
	}()
	go func() {
		var s int64
		for v := range c {
			s += int64(v)
		}
		got = s
		close(done)
	}()
	<-done
	el := time.Since(start)
	if want := int64(w6Producers * w6PerProd); got != want {
		fail("W6: received %d, want %d", got, want)
	}
	fmt.Printf("go W6 ops/s %.0f\n", float64(w6Producers*w6PerProd)/el.Seconds())
}

// rssBytes reads the resident set size from /proc/self/statm.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		fail("MEM: %v", err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		fail("MEM: %v", err)
	}
	return pages * int64(os.Getpagesize())
}

// MEM: resident memory per goroutine that exists but has not finished. Go
// allocates a goroutine's g and its first stack when `go` runs, so a queued
// goroutine and one parked on a channel cost the same; the goroutines here
// park on a channel receive, which keeps them alive without spinning.
func mem() {
	release := make(chan struct{})
	var wg sync.WaitGroup
	runtime.GC()
	before := rssBytes()
	for i := 0; i < memN; i++ {
		wg.Add(1)
		go func() {
			<-release
			wg.Done()
		}()
	}
	for runtime.NumGoroutine() < memN+1 {
		runtime.Gosched()
	}
	after := rssBytes()
	close(release)
	wg.Wait()
	fmt.Printf("go MEM bytes/goroutine %.0f\n", float64(after-before)/memN)
}

// TMEM: resident memory per pending timer (NewTimer(1h), held in a slice).
func tmem() {
	ts := make([]*time.Timer, 0, timers)
	runtime.GC()
	before := rssBytes()
	for i := 0; i < timers; i++ {
		ts = append(ts, time.NewTimer(time.Hour))
	}
	after := rssBytes()
	stopped := 0
	for _, t := range ts {
		if t.Stop() {
			stopped++
		}
	}
	if stopped != timers {
		fail("TMEM: %d of %d timers stopped", stopped, timers)
	}
	fmt.Printf("go TMEM bytes/timer %.0f\n", float64(after-before)/timers)
}

// TIMER: create and stop 1M timers while 100k others stay pending.
func timerOps() {
	pending := make([]*time.Timer, 0, timers)
	for i := 0; i < timers; i++ {
		pending = append(pending, time.NewTimer(time.Hour))
	}
	stopped := 0
	start := time.Now()
	for i := 0; i < timerN; i++ {
		t := time.NewTimer(time.Hour + time.Duration(i))
		if t.Stop() {
			stopped++
		}
	}
	el := time.Since(start)
	if stopped != timerN {
		fail("TIMER: %d of %d timers stopped", stopped, timerN)
	}
	for _, t := range pending {
		t.Stop()
	}
	fmt.Printf("go TIMER ops/s %.0f\n", float64(timerN)/el.Seconds())
}

// CTX: derive and cancel 1M children of one long-lived cancellable parent.
func ctxOps() {
	parent, cancelParent := context.WithCancel(context.Background())
	done := 0
	start := time.Now()
	for i := 0; i < ctxN; i++ {
		ctx, cancel := context.WithCancel(parent)
		cancel()
		if ctx.Err() != nil {
			done++
		}
	}
	el := time.Since(start)
	if done != ctxN {
		fail("CTX: %d of %d children cancelled", done, ctxN)
	}
	cancelParent()
	fmt.Printf("go CTX ops/s %.0f\n", float64(ctxN)/el.Seconds())
}

func warmUp() {
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: go-bench W1|W2|W3|W4|W5|W6|MEM|TMEM|TIMER|CTX")
	}
	runs := map[string]func(){"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "MEM": mem,
		"TMEM": tmem, "TIMER": timerOps, "CTX": ctxOps}
	f, ok := runs[os.Args[1]]
	if !ok {
		fail("unknown workload %q (want W1|W2|W3|W4|W5|W6|MEM|TMEM|TIMER|CTX)", os.Args[1])
	}
	warmUp()
	f()
}
