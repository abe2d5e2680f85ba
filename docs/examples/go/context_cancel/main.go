// context_cancel: the Go program that docs/examples/context_cancel.cc ports.
// A request handler that stops when its context is cancelled or its deadline
// passes, and leaves no goroutine behind. Run it from docs/examples/go:
//
//	go run ./context_cancel
//
// It prints what docs/examples/context_cancel.expected holds. Go 1.19 (this
// module's version) lacks context.WithCancelCause and context.Cause (Go 1.20):
// withCancelCause and cause below stand in for them, just enough for this
// program; with Go 1.20 or later, use the context package's own.
package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// A Request is done in steps; each step takes its own time.
type Request struct {
	name  string
	steps []time.Duration
}

// produce works through req's steps and sends a partial result after each.
// It watches ctx.Done() while it works and while it sends, so it stops, and
// its goroutine ends, as soon as nobody wants the rest.
//
// The trap: with a plain `out <- part`, a producer whose handler has given up
// would block on that send forever, one leaked goroutine per cancelled request.
func produce(ctx context.Context, req Request, out chan<- string) {
	for i, step := range req.steps {
		select {
		case <-time.After(step): // one step of work
		case <-ctx.Done():
			return
		}
		part := fmt.Sprintf("%s-%d", req.name, i+1)
		select {
		case out <- part:
		case <-ctx.Done(): // the fix: no leak
			return
		}
	}
	close(out) // every step is done
}

// handle serves req until every part has arrived or ctx is done, whichever
// comes first. It returns the parts it got and why it stopped.
func handle(ctx context.Context, req Request,
	wg *sync.WaitGroup) ([]string, error) {
	parts := make(chan string)
	wg.Add(1)
	go func() {
		produce(ctx, req, parts)
		wg.Done()
	}()
	var got []string
	for {
		select {
		case part, ok := <-parts:
			if !ok {
				return got, nil
			}
			got = append(got, part)
		case <-ctx.Done():
			return got, fmt.Errorf("%s: %w", req.name, ctx.Err())
		}
	}
}

// report prints what a request got and why it stopped.
func report(what string, parts []string, err error) {
	if err == nil {
		fmt.Printf("%s: done: %v\n", what, parts)
	} else {
		fmt.Printf("%s: stopped after %v: %v\n", what, parts, err)
	}
}

// 1. A request that finishes well within its timeout.
func fast(wg *sync.WaitGroup) {
	timeout := 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	// Always call cancel, also when the work finished first (vet: "lostcancel").
	defer cancel()
	parts, err := handle(ctx, Request{"fast", []time.Duration{20 * time.Millisecond,
		20 * time.Millisecond, 20 * time.Millisecond}}, wg)
	report("fast, timeout "+timeout.String(), parts, err)
}

// 2. A request that runs out of time: its third step would take an hour.
func slow(wg *sync.WaitGroup) {
	timeout := 500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	parts, err := handle(ctx, Request{"slow", []time.Duration{10 * time.Millisecond,
		10 * time.Millisecond, time.Hour}}, wg)
	report("slow, timeout "+timeout.String(), parts, err)
	fmt.Println("  deadline exceeded:",
		errors.Is(err, context.DeadlineExceeded))
}

// 3. A request whose caller gives up, from another goroutine, while the second
// step is under way.
func abandoned(wg *sync.WaitGroup) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // a second call does nothing
	wg.Add(1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
		wg.Done()
	}()
	parts, err := handle(ctx, Request{"abandoned", []time.Duration{10 * time.Millisecond, time.Hour}}, wg)
	report("abandoned by the caller", parts, err)
	fmt.Println("  canceled:",
		errors.Is(err, context.Canceled))
}

// 4. The same with a cause: Err() still says "context canceled"; cause says why.
func disconnected(wg *sync.WaitGroup) {
	ctx, cancel := withCancelCause(context.Background())
	defer cancel(nil)
	wg.Add(1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel(errors.New("client disconnected"))
		wg.Done()
	}()
	parts, err := handle(ctx, Request{"disconnected", []time.Duration{10 * time.Millisecond,
		10 * time.Millisecond, time.Hour}}, wg)
	report("disconnected", parts, err)
	fmt.Println("  cause:", cause(ctx))
}

// causeKey and causeBox emulate Go 1.20's WithCancelCause and Cause for a
// context made by withCancelCause (not for its children, unlike Go's).
type causeKey struct{}

type causeBox struct {
	mu    sync.Mutex
	cause error
}

func withCancelCause(parent context.Context) (context.Context, func(error)) {
	box := &causeBox{}
	ctx, cancel := context.WithCancel(context.WithValue(parent, causeKey{}, box))
	return ctx, func(err error) {
		box.mu.Lock()
		if box.cause == nil && ctx.Err() == nil { // only the first cancellation counts
			if err == nil {
				err = context.Canceled
			}
			box.cause = err
		}
		box.mu.Unlock()
		cancel()
	}
}

func cause(ctx context.Context) error {
	if box, ok := ctx.Value(causeKey{}).(*causeBox); ok {
		box.mu.Lock()
		defer box.mu.Unlock()
		if box.cause != nil {
			return box.cause
		}
	}
	return ctx.Err()
}

func main() {
	baseline := runtime.NumGoroutine()
	var wg sync.WaitGroup
	fast(&wg)
	slow(&wg)
	abandoned(&wg)
	disconnected(&wg)

	// No leak: every producer (and every cancelling goroutine) has called Done.
	// A goroutine still counts until it has returned from its function, so give
	// the last ones the moment they need to do so.
	wg.Wait()
	for runtime.NumGoroutine() > baseline {
		runtime.Gosched()
	}
	fmt.Printf("goroutines: %d at the start, %d at the end\n",
		baseline, runtime.NumGoroutine())
}
