// atomic_counter: counters and flags shared by many goroutines, with
// goro::atomic instead of a mutex (Go's sync/atomic typed values).
//
// Fifty goroutines count operations with atomic::Int64::Add, track the largest
// job id with a CompareAndSwap loop, raise an atomic::Bool on failure, and read
// a shared configuration from an atomic::Value that main later replaces. The
// last line shows Value's panic when a store changes the type.
//
// Each goro line carries the Go line it stands for in a comment; the Go program
// is docs/examples/go/atomic_counter/main.go. The output is the same on every
// run and for every GOMAXPROCS; meson test checks it against
// docs/examples/atomic_counter.expected.
#include <goro/atomic.h>
#include <goro/goro.h>

#include <cstdio>
#include <string>

using namespace goro;

struct Config {                                 // type Config struct {
  std::string Name;                             //     Name    string
  int Workers = 0;                              //     Workers int
  bool operator==(const Config&) const = default;  // (Go compares structs with ==)
};                                              // }

int main() {                                    // func main() {
  atomic::Int64 ops;                            //     var ops atomic.Int64     // how many operations ran
  atomic::Int64 maxSeen;                        //     var maxSeen atomic.Int64 // the largest job id seen, kept with a CAS loop
  atomic::Bool failed;                          //     var failed atomic.Bool   // did any job fail?
  atomic::Value config;                         //     var config atomic.Value  // read by every worker, replaced by main
  config.Store(Config{"v1", 50});               //     config.Store(Config{Name: "v1", Workers: 50})

  sync::WaitGroup wg;                           //     var wg sync.WaitGroup
  for (int w = 0; w < 50; w++) {                //     for w := 0; w < 50; w++ {
    wg.Add(1);                                  //         wg.Add(1)
    go([&](int w) {                             //         go func(w int) {
      Config cfg = *config.Load<Config>();      //             cfg := config.Load().(Config)
      for (int i = 0; i < 1000; i++) {          //             for i := 0; i < 1000; i++ {
        ops.Add(1);                             //                 ops.Add(1)
        int64_t id = w * 1000 + i;              //                 id := int64(w*1000 + i)
        for (;;) {                              //                 for {
          int64_t old = maxSeen.Load();         //                     old := maxSeen.Load()
          if (id <= old || maxSeen.CompareAndSwap(old, id)) {  //      if id <= old || maxSeen.CompareAndSwap(old, id) {
            break;                              //                         break
          }                                     //                     }
        }                                       //                 }
      }                                         //             }
      if (cfg.Workers != 50) {                  //             if cfg.Workers != 50 {
        failed.Store(true);                     //                 failed.Store(true)
      }                                         //             }
      wg.Done();                                //             defer wg.Done()
    }, w);                                      //         }(w)
  }                                             //     }
  wg.Wait();                                    //     wg.Wait()
  std::printf("ops: %lld\n", (long long)ops.Load());  // fmt.Println("ops:", ops.Load())
  std::printf("max job id: %lld\n", (long long)maxSeen.Load());  // fmt.Println("max job id:", maxSeen.Load())
  std::printf("failed: %s\n", failed.Load() ? "true" : "false");  // fmt.Println("failed:", failed.Load())

  std::any old = config.Swap(Config{"v2", 8});  //     old := config.Swap(Config{Name: "v2", Workers: 8})
  std::printf("old config: %s\n", std::any_cast<Config>(old).Name.c_str());  // fmt.Println("old config:", old.(Config).Name)
  bool swapped = config.CompareAndSwap(Config{"v2", 8}, Config{"v3", 8});
  // swapped := config.CompareAndSwap(Config{Name: "v2", Workers: 8}, Config{Name: "v3", Workers: 8})
  std::printf("v2 -> v3: %s %s\n", swapped ? "true" : "false",  // fmt.Println("v2 -> v3:", swapped,
              config.Load<Config>()->Name.c_str());             //     config.Load().(Config).Name)

  try {                                         //     defer func() { fmt.Println("recovered:", recover()) }()
    config.Store(std::string("not a Config"));  //     config.Store("not a Config")
  } catch (const Panic& p) {
    std::printf("recovered: %s\n", p.what());
  }
}                                               // }
