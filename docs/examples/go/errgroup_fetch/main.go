// errgroup_fetch: the Go program that docs/examples/errgroup_fetch.cc ports.
// Fetch several URLs in parallel, at most three at a time; the first failure
// cancels the fetches still running and those not yet started. Run it from
// docs/examples/go, offline, against Debian's golang-golang-x-sync-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run ./errgroup_fetch
//
// It prints what docs/examples/errgroup_fetch.expected holds. (x/sync v0.3 and
// later also cancel the context with the first error as its cause; Go 1.19
// has no context.Cause, so this program does not print it.)
package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// A Page is what a fake server answers for a URL after a delay.
type Page struct {
	url    string
	delay  time.Duration
	status int // 200 or an HTTP error status
	size   int // the body's length when the status is 200
}

// fetch pretends to download page: it waits for the page's delay or for ctx,
// whichever comes first.
func fetch(ctx context.Context, page Page) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err // cancelled before it started
	}
	select {
	case <-time.After(page.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if page.status != 200 {
		return "", fmt.Errorf("fetch %s: status %d", page.url, page.status)
	}
	return fmt.Sprintf("%d bytes", page.size), nil
}

// fetchAll fetches every page, at most limit at a time. It returns one line
// per page, in the pages' order, the most fetches seen running at once, and
// the first error.
func fetchAll(pages []Page, limit int) ([]string, int64, error) {
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(limit)
	results := make([]string, len(pages)) // one slot per page: no lock needed
	var inFlight, most atomic.Int64
	for i, page := range pages {
		i, page := i, page
		g.Go(func() error { // blocks while limit fetches are running
			n := inFlight.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			defer inFlight.Add(-1)
			body, err := fetch(ctx, page)
			if err != nil {
				results[i] = page.url + ": " + err.Error()
				return err
			}
			results[i] = page.url + ": " + body
			return nil
		})
	}
	err := g.Wait() // every goroutine has returned: results is complete
	return results, most.Load(), err
}

func report(title string, pages []Page) {
	fmt.Println("==", title)
	const limit = 3
	results, most, err := fetchAll(pages, limit)
	for _, line := range results {
		fmt.Println("  " + line)
	}
	fmt.Println("  never more than", limit, "at once:", most <= limit)
	fmt.Println("  first error:", err)
}

func main() {
	report("all succeed", []Page{
		{"https://example.com/a", 30 * time.Millisecond, 200, 1270},
		{"https://example.com/b", 10 * time.Millisecond, 200, 512},
		{"https://example.com/c", 20 * time.Millisecond, 200, 2048},
		{"https://example.com/d", 10 * time.Millisecond, 200, 96},
		{"https://example.com/e", 30 * time.Millisecond, 200, 4000},
	})
	// a and b finish long before broken fails; c and d are under way when it
	// does; e cannot start before a place frees up, after the failure.
	report("one fails", []Page{
		{"https://example.com/a", 10 * time.Millisecond, 200, 1270},
		{"https://example.com/b", 10 * time.Millisecond, 200, 512},
		{"https://example.com/broken", 300 * time.Millisecond, 503, 0},
		{"https://example.com/c", time.Hour, 200, 2048},
		{"https://example.com/d", time.Hour, 200, 96},
		{"https://example.com/e", 10 * time.Millisecond, 200, 4000},
	})
}
