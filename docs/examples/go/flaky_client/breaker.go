// A minimal stand-in for github.com/sony/gobreaker/v2, enough for main.go:
// the same names and the same state machine (generations, the closed-state
// Interval, the open-state Timeout, the half-open MaxRequests), without the
// rolling window, IsExcluded and TwoStepCircuitBreaker. Settings.Now is goro's
// injectable clock (gobreaker has none). Like gobreaker, it calls
// OnStateChange with its mutex held.
package main

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

type State int

const (
	StateClosed State = iota
	StateHalfOpen
	StateOpen
)

var (
	ErrTooManyRequests = errors.New("too many requests")
	ErrOpenState       = errors.New("circuit breaker is open")
)

func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateHalfOpen:
		return "half-open"
	case StateOpen:
		return "open"
	default:
		return fmt.Sprintf("unknown state: %d", s)
	}
}

type Counts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

type Settings struct {
	Name          string
	MaxRequests   uint32
	Interval      time.Duration
	Timeout       time.Duration
	ReadyToTrip   func(counts Counts) bool
	OnStateChange func(name string, from State, to State)
	IsSuccessful  func(err error) bool
	Now           func() time.Time // goro's extension: the clock
}

type CircuitBreaker[T any] struct {
	st         Settings
	mu         sync.Mutex
	state      State
	generation uint64
	counts     Counts
	expiry     time.Time
}

func NewCircuitBreaker[T any](st Settings) *CircuitBreaker[T] {
	if st.MaxRequests == 0 {
		st.MaxRequests = 1
	}
	if st.Interval < 0 {
		st.Interval = 0
	}
	if st.Timeout <= 0 {
		st.Timeout = 60 * time.Second
	}
	if st.ReadyToTrip == nil {
		st.ReadyToTrip = func(c Counts) bool { return c.ConsecutiveFailures > 5 }
	}
	if st.IsSuccessful == nil {
		st.IsSuccessful = func(err error) bool { return err == nil }
	}
	if st.Now == nil {
		st.Now = time.Now
	}
	cb := &CircuitBreaker[T]{st: st}
	cb.newGeneration(st.Now())
	return cb
}

func (cb *CircuitBreaker[T]) Name() string { return cb.st.Name }

func (cb *CircuitBreaker[T]) State() State {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	state, _ := cb.current(cb.st.Now())
	return state
}

func (cb *CircuitBreaker[T]) Counts() Counts {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.counts
}

func (cb *CircuitBreaker[T]) Execute(req func() (T, error)) (T, error) {
	generation, err := cb.before()
	if err != nil {
		var zero T
		return zero, err
	}
	defer func() {
		if e := recover(); e != nil {
			cb.after(generation, false)
			panic(e)
		}
	}()
	result, err := req()
	cb.after(generation, cb.st.IsSuccessful(err))
	return result, err
}

func (cb *CircuitBreaker[T]) before() (uint64, error) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	state, generation := cb.current(cb.st.Now())
	if state == StateOpen {
		return generation, ErrOpenState
	}
	if state == StateHalfOpen && cb.counts.Requests >= cb.st.MaxRequests {
		return generation, ErrTooManyRequests
	}
	cb.counts.Requests++
	return generation, nil
}

func (cb *CircuitBreaker[T]) after(before uint64, success bool) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	now := cb.st.Now()
	state, generation := cb.current(now)
	if generation != before {
		return
	}
	if success {
		cb.counts.TotalSuccesses++
		cb.counts.ConsecutiveSuccesses++
		cb.counts.ConsecutiveFailures = 0
		if state == StateHalfOpen && cb.counts.ConsecutiveSuccesses >= cb.st.MaxRequests {
			cb.setState(StateClosed, now)
		}
		return
	}
	switch state {
	case StateClosed:
		cb.counts.TotalFailures++
		cb.counts.ConsecutiveFailures++
		cb.counts.ConsecutiveSuccesses = 0
		if cb.st.ReadyToTrip(cb.counts) {
			cb.setState(StateOpen, now)
		}
	case StateHalfOpen:
		cb.setState(StateOpen, now)
	}
}

func (cb *CircuitBreaker[T]) current(now time.Time) (State, uint64) {
	switch cb.state {
	case StateClosed:
		if !cb.expiry.IsZero() && cb.expiry.Before(now) {
			cb.newGeneration(now)
		}
	case StateOpen:
		if cb.expiry.Before(now) {
			cb.setState(StateHalfOpen, now)
		}
	}
	return cb.state, cb.generation
}

func (cb *CircuitBreaker[T]) setState(state State, now time.Time) {
	if cb.state == state {
		return
	}
	prev := cb.state
	cb.state = state
	cb.newGeneration(now)
	if cb.st.OnStateChange != nil {
		cb.st.OnStateChange(cb.st.Name, prev, state)
	}
}

func (cb *CircuitBreaker[T]) newGeneration(now time.Time) {
	cb.generation++
	cb.counts = Counts{}
	switch cb.state {
	case StateClosed:
		if cb.st.Interval == 0 {
			cb.expiry = time.Time{}
		} else {
			cb.expiry = now.Add(cb.st.Interval)
		}
	case StateOpen:
		cb.expiry = now.Add(cb.st.Timeout)
	default:
		cb.expiry = time.Time{}
	}
}
