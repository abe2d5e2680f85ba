// barrier_phases: the Go program that docs/examples/barrier_phases.cc ports.
// Conway's Game of Life, computed by four goroutines that meet at a barrier
// twice per generation. Run it from docs/examples/go:
//
//	go run ./barrier_phases
//
// It prints what docs/examples/barrier_phases.expected holds. Go has no
// barrier: Barrier below is the usual Mutex-and-Cond one, with the Wait that
// goro's sync::Barrier has (true for the last goroutine to arrive).
package main

import (
	"fmt"
	"strings"
	"sync"
)

// Barrier makes n goroutines meet, phase after phase.
type Barrier struct {
	mu      sync.Mutex
	cond    *sync.Cond
	n       int
	arrived int
	phase   uint64 // completed phases
}

func NewBarrier(n int) *Barrier {
	b := &Barrier{n: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// Wait blocks until n goroutines have called it in this phase, and returns
// true in the last of them.
func (b *Barrier) Wait() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	phase := b.phase
	b.arrived++
	if b.arrived == b.n {
		b.arrived = 0
		b.phase++
		b.cond.Broadcast()
		return true
	}
	for phase == b.phase { // a new phase, not a spurious wake-up
		b.cond.Wait()
	}
	return false
}

// Phase returns the number of completed phases.
func (b *Barrier) Phase() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.phase
}

const rows, cols = 8, 8
const workers = 4
const generations = 8

type Board []string // '#' alive, '.' dead

// alive reports whether cell (r, c) of b lives in the next generation.
func alive(b Board, r, c int) bool {
	n := 0
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			if dr == 0 && dc == 0 {
				continue
			}
			rr := (r + dr + rows) % rows
			cc := (c + dc + cols) % cols
			if b[rr][cc] == '#' {
				n++
			}
		}
	}
	return n == 3 || (n == 2 && b[r][c] == '#')
}

// print prints the generation's population and, every fourth one, the board.
func print(gen int, b Board) {
	alive := 0
	for _, row := range b {
		alive += strings.Count(row, "#")
	}
	fmt.Printf("generation %d: %d alive\n", gen, alive)
	if gen%4 != 0 {
		return
	}
	for _, row := range b {
		fmt.Printf("  %s\n", row)
	}
}

func main() {
	cur := Board{
		"..#.....",
		"...#....",
		".###....",
		"........",
		"........",
		"........",
		"........",
		"........",
	}
	next := make(Board, rows) // filled in by the workers
	print(0, cur)

	b := NewBarrier(workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			for gen := 1; gen <= generations; gen++ {
				for r := w; r < rows; r += workers {
					row := []byte(strings.Repeat(".", cols))
					for c := 0; c < cols; c++ {
						if alive(cur, r, c) {
							row[c] = '#'
						}
					}
					next[r] = string(row)
				}
				if b.Wait() { // the last to arrive
					cur, next = next, cur
					print(gen, cur)
				}
				b.Wait() // nobody reads cur before the swap
			}
			wg.Done()
		}(w)
	}
	wg.Wait()
	fmt.Println("phases:", b.Phase())
}
