// lockfree_stack: the Go program that docs/examples/lockfree_stack.cc ports.
// A Treiber stack: push and pop are one CompareAndSwap on the top pointer. In
// Go the garbage collector makes it safe: a popped node stays alive while any
// goroutine still looks at it, so it cannot be freed or reused under a
// concurrent Pop (no ABA). goro::lockfree::Stack does that job with hazard
// pointers. Run it from docs/examples/go:
//
//	go run ./lockfree_stack
//
// It prints what docs/examples/lockfree_stack.expected holds.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

type node[T any] struct {
	value T
	next  *node[T]
}

// Stack is a lock-free LIFO stack.
type Stack[T any] struct {
	top atomic.Pointer[node[T]]
}

func (s *Stack[T]) Push(v T) {
	n := &node[T]{value: v}
	for {
		n.next = s.top.Load()
		if s.top.CompareAndSwap(n.next, n) {
			return
		}
	}
}

func (s *Stack[T]) Pop() (T, bool) {
	for {
		top := s.top.Load()
		if top == nil {
			var zero T
			return zero, false
		}
		if s.top.CompareAndSwap(top, top.next) {
			return top.value, true
		}
	}
}

func main() {
	var s Stack[string]
	s.Push("a")
	s.Push("b")
	s.Push("c")
	for {
		v, ok := s.Pop()
		if !ok {
			break
		}
		fmt.Print(v, " ")
	}
	fmt.Println("(last in, first out)")

	const producers, perProducer = 4, 1000
	var work Stack[int]
	var popped, sum atomic.Int64
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 1; i <= perProducer; i++ {
				work.Push(p*perProducer + i)
			}
		}(p)
	}
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for popped.Load() < producers*perProducer {
				if v, ok := work.Pop(); ok {
					sum.Add(int64(v))
					popped.Add(1)
				} else {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	n := int64(producers * perProducer)
	fmt.Println("popped:", popped.Load(), "sum:", sum.Load(), "want:", n*(n+1)/2)
	_, ok := work.Pop()
	fmt.Println("empty:", !ok)
}
