// flaky_client: the Go program that docs/examples/flaky_client.cc ports.
// A client calls a flaky service through a rate limiter and a circuit breaker
// and prints what happens to every call. Run it from docs/examples/go, offline,
// against Debian's golang-golang-x-time-dev (x/time v0.3.0):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run ./flaky_client
//
// It prints what docs/examples/flaky_client.expected holds.
//
// sony/gobreaker is not packaged for Debian, so breaker.go (package main)
// holds a minimal breaker with gobreaker v2's API and semantics for what this
// program uses (Settings, State, Counts, NewCircuitBreaker[T], Execute,
// ErrOpenState, ErrTooManyRequests), plus goro's Settings.Now clock. With the
// real module, import "github.com/sony/gobreaker/v2" and drop st.Now: time
// would then be real, and the run would take 3.5 seconds.
package main

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

var start = time.Unix(1700000000, 0)
var now = start // the simulated clock

// fetchStock is the flaky service: down (503) from 1s to 2.4s.
func fetchStock() (int, error) {
	t := now.Sub(start)
	if t >= time.Second && t < 2400*time.Millisecond {
		return 0, errors.New("503 service unavailable")
	}
	return 42, nil
}

func main() {
	lim := rate.NewLimiter(rate.Every(250*time.Millisecond), 2)
	var st Settings
	st.Name = "inventory"
	st.MaxRequests = 2
	st.Timeout = 600 * time.Millisecond
	st.ReadyToTrip = func(c Counts) bool {
		return c.ConsecutiveFailures >= 3
	}
	st.OnStateChange = func(name string, from, to State) {
		fmt.Printf("          breaker %s: %s -> %s\n",
			name, from, to)
	}
	st.Now = func() time.Time { return now } // goro's injectable clock
	cb := NewCircuitBreaker[int](st)

	sent, ok, failed, rejected, limited := 0, 0, 0, 0, 0
	for t := time.Duration(0); t <= 3500*time.Millisecond; t += 125 * time.Millisecond {
		now = start.Add(t)
		at := "t=" + t.String()
		if !lim.AllowN(now, 1) {
			fmt.Printf("%-8s held back by the limiter\n", at)
			limited++
			continue
		}
		stock, err := cb.Execute(func() (int, error) {
			sent++
			return fetchStock()
		})
		switch {
		case err == nil:
			fmt.Printf("%-8s ok: %d in stock\n", at, stock)
			ok++
		case errors.Is(err, ErrOpenState) ||
			errors.Is(err, ErrTooManyRequests):
			fmt.Printf("%-8s rejected: %v\n", at, err)
			rejected++
		default:
			fmt.Printf("%-8s failed: %v\n", at, err)
			failed++
		}
	}
	fmt.Printf("sent %d: %d ok, %d failed; rejected by the breaker %d, held back by the limiter %d\n",
		sent, ok, failed, rejected, limited)
	fmt.Printf("breaker %s is %s\n", cb.Name(), cb.State())
}
