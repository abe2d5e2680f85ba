// context_values: the Go program that docs/examples/context_values.cc ports.
// Request-scoped values and a deadline, carried by a context into the
// goroutines that serve one request. Run it from docs/examples/go:
//
//	go run ./context_values
//
// It prints what docs/examples/context_values.expected holds.
package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// A User is who made the request.
type User struct {
	Name  string
	Admin bool
}

// The request's keys: an unexported key type, so no other package's key can
// match them. (goro's context::Key<T> is this and the type of the value.)
type ctxKey int

const (
	requestIDKey ctxKey = iota
	userKey
)

// A key of another type never matches, even with the same underlying value.
type otherKey int

const otherRequestIDKey otherKey = 0

type traceKey struct{}

// describe prints the request id and user that ctx carries.
func describe(who string, ctx context.Context) {
	id, _ := ctx.Value(requestIDKey).(string)
	user, _ := ctx.Value(userKey).(User)
	fmt.Printf("%s: request %s, user %s\n",
		who, id, user.Name)
}

func main() {
	// WithValue derives a child; the parent is unchanged.
	ctx := context.Background()
	ctx = context.WithValue(ctx, requestIDKey, "req-42")
	ctx = context.WithValue(ctx, userKey, User{"gopher", false})
	describe("handler", ctx)

	// A retry layer sets its own request id: the innermost value wins, and the
	// user is still found further up the chain.
	retry := context.WithValue(ctx, requestIDKey, "req-42/retry")
	describe("retry", retry)
	describe("handler again", ctx)

	// A missing key gives nil (and ok == false).
	_, ok := retry.Value(otherRequestIDKey).(string)
	fmt.Println("another key named request-id:", ok)
	trace, ok := retry.Value(traceKey{}).(string)
	fmt.Println("trace id before:", ok)
	traced := context.WithValue(retry, traceKey{}, "trace-7")
	trace, ok = traced.Value(traceKey{}).(string)
	fmt.Println("trace id after:", trace)

	// A deadline for the whole request. Deadline() reports it; Background has none.
	_, ok = context.Background().Deadline()
	fmt.Println("background has a deadline:", ok)
	rctx, cancel := context.WithTimeout(traced, 2*time.Second)
	deadline, ok := rctx.Deadline()
	fmt.Printf("request deadline: %v, in %v\n", ok,
		time.Until(deadline).Round(time.Second))

	// A child cannot extend its parent's deadline: the earlier one wins.
	child, cancelChild := context.WithTimeout(rctx, time.Hour)
	childDeadline, _ := child.Deadline()
	fmt.Println("an hour-long child keeps the request's deadline:",
		childDeadline.Equal(deadline))
	cancelChild()

	// Values and the deadline flow into the goroutines started for the request.
	results := make(chan string, 3)
	var wg sync.WaitGroup
	for w := 1; w <= 3; w++ {
		wg.Add(1)
		go func(w int) {
			id := rctx.Value(requestIDKey).(string)
			user := rctx.Value(userKey).(User)
			trace := rctx.Value(traceKey{}).(string)
			d, ok := rctx.Deadline()
			results <- fmt.Sprintf("worker %d: %s for %s, trace %s, same deadline: %v",
				w, id, user.Name, trace, ok && d.Equal(deadline))
			wg.Done()
		}(w)
	}
	wg.Wait()
	close(results)
	var lines []string
	for line := range results {
		lines = append(lines, line)
	}
	sort.Strings(lines)
	for _, line := range lines {
		fmt.Println(line)
	}

	cancel() // always: releases the deadline's timer now
	fmt.Println("after cancel:", rctx.Err())
}
