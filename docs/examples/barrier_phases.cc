// barrier_phases: Conway's Game of Life, computed by four goroutines that
// meet at a sync::Barrier twice per generation.
//
// Each worker owns every fourth row of the board. A generation has two phases:
// in the first, every worker computes its rows of `next` from `cur`; the last
// worker to arrive at the barrier (its Wait returns true) runs the serial step,
// swapping the boards and printing the generation; the second Wait keeps
// everyone off the boards until that step is done. A glider crosses the board
// (a torus): after four generations it has moved one cell down and right.
//
// Each goro line carries the Go line it stands for in a comment. Go has no
// barrier: docs/examples/go/barrier_phases/main.go builds one from a Mutex and
// a Cond, with the same Wait. The output is the same on every run and for
// every GOMAXPROCS, whichever worker happens to run the serial step; meson
// test checks it against docs/examples/barrier_phases.expected.
#include <goro/goro.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

using namespace goro;

namespace {

constexpr int kRows = 8, kCols = 8;            // const rows, cols = 8, 8
constexpr int kWorkers = 4;                    // const workers = 4
constexpr int kGenerations = 8;                // const generations = 8

using Board = std::vector<std::string>;        // type Board []string // '#' alive, '.' dead

// Alive reports whether cell (r, c) of b lives in the next generation.
bool Alive(const Board& b, int r, int c) {     // func alive(b Board, r, c int) bool {
  int n = 0;                                   //     n := 0
  for (int dr = -1; dr <= 1; dr++) {           //     for dr := -1; dr <= 1; dr++ {
    for (int dc = -1; dc <= 1; dc++) {         //         for dc := -1; dc <= 1; dc++ {
      if (dr == 0 && dc == 0) continue;        //             if dr == 0 && dc == 0 { continue }
      int rr = (r + dr + kRows) % kRows;       //             rr := (r + dr + rows) % rows
      int cc = (c + dc + kCols) % kCols;       //             cc := (c + dc + cols) % cols
      if (b[rr][cc] == '#') n++;               //             if b[rr][cc] == '#' { n++ }
    }                                          //         }
  }                                            //     }
  return n == 3 || (n == 2 && b[r][c] == '#');  //    return n == 3 || (n == 2 && b[r][c] == '#')
}                                              // }

// Print prints the generation's population and, every fourth one, the board.
void Print(int gen, const Board& b) {          // func print(gen int, b Board) {
  int alive = 0;                               //     alive := 0
  for (const std::string& row : b) {           //     for _, row := range b {
    for (char cell : row) alive += cell == '#';  //       alive += strings.Count(row, "#")
  }                                            //     }
  std::printf("generation %d: %d alive\n", gen, alive);  // fmt.Printf("generation %d: %d alive\n", gen, alive)
  if (gen % 4 != 0) return;                    //     if gen%4 != 0 { return }
  for (const std::string& row : b) std::printf("  %s\n", row.c_str());  // for _, row := range b { fmt.Printf("  %s\n", row) }
}                                              // }

}  // namespace

int main() {                                   // func main() {
  Board cur = {                                //     cur := Board{
      "..#.....",                              //         "..#.....",
      "...#....",                              //         "...#....",
      ".###....",                              //         ".###....",
      "........",                              //         "........",
      "........",                              //         "........",
      "........",                              //         "........",
      "........",                              //         "........",
      "........",                              //         "........",
  };                                           //     }
  Board next(kRows, std::string(kCols, '.'));  //     next := make(Board, rows) // filled in by the workers
  Print(0, cur);                               //     print(0, cur)

  sync::Barrier b(kWorkers);                   //     b := NewBarrier(workers)
  sync::WaitGroup wg;                          //     var wg sync.WaitGroup
  for (int w = 0; w < kWorkers; w++) {         //     for w := 0; w < workers; w++ {
    wg.Add(1);                                 //         wg.Add(1)
    go([&, w] {                                //         go func(w int) {
      for (int gen = 1; gen <= kGenerations; gen++) {  //     for gen := 1; gen <= generations; gen++ {
        for (int r = w; r < kRows; r += kWorkers) {  //           for r := w; r < rows; r += workers {
          std::string row(kCols, '.');         //                     row := []byte(strings.Repeat(".", cols))
          for (int c = 0; c < kCols; c++) {    //                     for c := 0; c < cols; c++ {
            if (Alive(cur, r, c)) row[c] = '#';  //                       if alive(cur, r, c) { row[c] = '#' }
          }                                    //                     }
          next[r] = row;                       //                     next[r] = string(row)
        }                                      //                 }
        if (b.Wait()) {                        //                 if b.Wait() { // the last to arrive
          std::swap(cur, next);                //                     cur, next = next, cur
          Print(gen, cur);                     //                     print(gen, cur)
        }                                      //                 }
        b.Wait();                              //                 b.Wait() // nobody reads cur before the swap
      }                                        //             }
      wg.Done();                               //             wg.Done()
    });                                        //         }(w)
  }                                            //     }
  wg.Wait();                                   //     wg.Wait()
  std::printf("phases: %llu\n",                //     fmt.Println("phases:", b.Phase())
              static_cast<unsigned long long>(b.Phase()));
}                                              // }
