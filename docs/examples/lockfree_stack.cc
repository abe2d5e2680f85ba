// lockfree_stack: a stack shared by producer and consumer goroutines without
// a mutex: goro::lockfree::Stack, a Treiber stack whose popped nodes are
// reclaimed with hazard pointers.
//
// The Go twin (docs/examples/go/lockfree_stack/main.go) writes the Treiber
// stack itself on atomic.Pointer, which is safe in Go because the garbage
// collector keeps a popped node alive while a concurrent Pop still reads it.
// In C++ that is exactly the hard part (use after free, ABA), so goro ships
// the structure: the goro lines below stand for the Go lines of main().
//
// The output is the same on every run and for every GOMAXPROCS; meson test
// checks it against docs/examples/lockfree_stack.expected.
#include <goro/atomic.h>
#include <goro/goro.h>
#include <goro/lockfree.h>

#include <cstdio>
#include <string>

using namespace goro;

int main() {                                    // func main() {
  lockfree::Stack<std::string> s;               //     var s Stack[string]
  s.Push("a");                                  //     s.Push("a")
  s.Push("b");                                  //     s.Push("b")
  s.Push("c");                                  //     s.Push("c")
  for (;;) {                                    //     for {
    auto v = s.Pop();                           //         v, ok := s.Pop()
    if (!v) {                                   //         if !ok {
      break;                                    //             break
    }                                           //         }
    std::printf("%s ", v->c_str());             //         fmt.Print(v, " ")
  }                                             //     }
  std::printf("(last in, first out)\n");        //     fmt.Println("(last in, first out)")

  const int producers = 4, perProducer = 1000;  //     const producers, perProducer = 4, 1000
  lockfree::Stack<int> work;                    //     var work Stack[int]
  atomic::Int64 popped, sum;                    //     var popped, sum atomic.Int64
  sync::WaitGroup wg;                           //     var wg sync.WaitGroup
  for (int p = 0; p < producers; p++) {         //     for p := 0; p < producers; p++ {
    wg.Add(1);                                  //         wg.Add(1)
    go([&](int p) {                             //         go func(p int) {
      for (int i = 1; i <= perProducer; i++) {  //             for i := 1; i <= perProducer; i++ {
        work.Push(p * perProducer + i);         //                 work.Push(p*perProducer + i)
      }                                         //             }
      wg.Done();                                //             defer wg.Done()
    }, p);                                      //         }(p)
  }                                             //     }
  for (int c = 0; c < 4; c++) {                 //     for c := 0; c < 4; c++ {
    wg.Add(1);                                  //         wg.Add(1)
    go([&] {                                    //         go func() {
      while (popped.Load() < producers * perProducer) {  //   for popped.Load() < producers*perProducer {
        if (auto v = work.Pop()) {              //                 if v, ok := work.Pop(); ok {
          sum.Add(*v);                          //                     sum.Add(int64(v))
          popped.Add(1);                        //                     popped.Add(1)
        } else {                                //                 } else {
          runtime::Gosched();                   //                     runtime.Gosched()
        }                                       //                 }
      }                                         //             }
      wg.Done();                                //             defer wg.Done()
    });                                         //         }()
  }                                             //     }
  wg.Wait();                                    //     wg.Wait()
  int64_t n = producers * perProducer;          //     n := int64(producers * perProducer)
  std::printf("popped: %lld sum: %lld want: %lld\n", (long long)popped.Load(),  // fmt.Println("popped:", popped.Load(),
              (long long)sum.Load(), (long long)(n * (n + 1) / 2));  // "sum:", sum.Load(), "want:", n*(n+1)/2)
  bool ok = work.Pop().has_value();             //     _, ok := work.Pop()
  std::printf("empty: %s\n", !ok ? "true" : "false");  // fmt.Println("empty:", !ok)
}                                               // }
