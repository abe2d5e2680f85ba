// semaphore_limit: bounded parallel work with a weighted semaphore.
//
// Jobs of different sizes share a memory budget of 8 MB: semaphore::Weighted
// lets as many run at once as fit, a big job takes a big share (Acquire(ctx,
// job.memory)), and the program waits for all of them by acquiring the whole
// budget. Then, with the budget all taken, it shows TryAcquire failing, an
// Acquire whose timeout passes, and a request larger than the budget, which
// only waits for its context.
//
// Each goro line carries the Go line it stands for in a comment; the Go program
// is docs/examples/go/semaphore_limit/main.go. The output is the same on every
// run and for every GOMAXPROCS: each job writes only its own line, printed in
// the jobs' order once all are done. meson test checks it against
// docs/examples/semaphore_limit.expected.
#include <goro/goro.h>
#include <goro/semaphore.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using namespace goro;  // as goro's header examples do: context::, time::, semaphore::

namespace {

// budget is the memory, in MB, that the jobs may hold at once.
constexpr int64_t budget = 8;                   // const budget = 8

// A Job needs memory MB while it runs and computes the Collatz steps of n.
struct Job {                                    // type Job struct {
  std::string name;                             //     name   string
  int64_t memory;                               //     memory int64
  int n;                                        //     n      int
};                                              // }

// collatzSteps counts the steps from n down to 1.
int collatzSteps(int64_t n) {                   // func collatzSteps(n int) int {
  int steps = 0;                                //     steps := 0
  for (; n != 1; steps++) {                     //     for ; n != 1; steps++ {
    if (n % 2 == 0) {                           //         if n%2 == 0 {
      n /= 2;                                   //             n /= 2
    } else {                                    //         } else {
      n = 3 * n + 1;                            //             n = 3*n + 1
    }                                           //         }
  }                                             //     }
  return steps;                                 //     return steps
}                                               // }

// Go's %v of an error: "<nil>" or the message.
std::string Str(const absl::Status& err) {
  return err.ok() ? "<nil>" : std::string(err.message());
}

}  // namespace

int main() {                                    // func main() {
  context::Context ctx = context::Background(); //     ctx := context.Background()
  auto sem = semaphore::NewWeighted(budget);    //     sem := semaphore.NewWeighted(budget)
  const std::vector<Job> jobs = {               //     jobs := []Job{
      {"thumbnail", 1, 27}, {"preview", 2, 97}, {"poster", 6, 871},  // {"thumbnail", 1, 27}, {"preview", 2, 97}, {"poster", 6, 871},
      {"icon", 1, 6171}, {"banner", 4, 77031}, {"print", 8, 837799},  // {"icon", 1, 6171}, {"banner", 4, 77031}, {"print", 8, 837799},
      {"avatar", 1, 9}, {"cover", 3, 230631},   //         {"avatar", 1, 9}, {"cover", 3, 230631},
  };                                            //     }
  std::vector<std::string> out(jobs.size());    //     out := make([]string, len(jobs))
  std::atomic<int64_t> inUse{0}, peak{0};       //     var inUse, peak atomic.Int64
  for (std::size_t i = 0; i < jobs.size(); i++) {  // for i, job := range jobs {
    const Job& job = jobs[i];
    // Acquire blocks until job.memory MB are free: the 8 MB print job
    // waits for every job before it to finish.
    if (absl::Status err = sem.Acquire(ctx, job.memory); !err.ok()) {  // if err := sem.Acquire(ctx, job.memory); err != nil {
      std::printf("acquire: %s\n", Str(err).c_str());  //     fmt.Println("acquire:", err)
      break;                                    //         break
    }                                           //     }
    go([&, sem](std::size_t i, Job job) {       //     go func(i int, job Job) {
      int64_t now = inUse.fetch_add(job.memory) + job.memory;  // now := inUse.Add(job.memory)
      for (int64_t p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
      }                                         //         for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {}
      time::Sleep(5 * time::Millisecond);       //         time.Sleep(5 * time.Millisecond) // the work holds its memory a while
      char line[128];                           //         out[i] = fmt.Sprintf("%-9s %d MB  collatz(%d) = %d steps",
      std::snprintf(line, sizeof line, "%-9s %lld MB  collatz(%d) = %d steps",  // job.name, job.memory, job.n, collatzSteps(job.n))
                    job.name.c_str(), static_cast<long long>(job.memory), job.n,
                    collatzSteps(job.n));
      out[i] = line;
      inUse.fetch_sub(job.memory);              //         inUse.Add(-job.memory)
      sem.Release(job.memory);                  //         defer sem.Release(job.memory)
    }, i, job);                                 //     }(i, job)
  }                                             // }

  // Wait for every job: the whole budget is free only when all are done.
  if (absl::Status err = sem.Acquire(ctx, budget); !err.ok()) {  // if err := sem.Acquire(ctx, budget); err != nil {
    std::printf("acquire: %s\n", Str(err).c_str());  // fmt.Println("acquire:", err)
    return 0;                                   //     return
  }                                             // }
  for (const std::string& line : out) {         // for _, line := range out {
    std::printf("%s\n", line.c_str());          //     fmt.Println(line)
  }                                             // }
  std::printf("memory in use never above %lld MB: %s\n",  // fmt.Printf("memory in use never above %d MB: %t\n",
              static_cast<long long>(budget), peak.load() <= budget ? "true" : "false");  // budget, peak.Load() <= budget)

  // The budget is all taken now: nothing else fits.
  std::printf("TryAcquire(1) while full: %s\n",  // fmt.Println("TryAcquire(1) while full:", sem.TryAcquire(1))
              sem.TryAcquire(1) ? "true" : "false");
  auto [tctx, cancel] = context::WithTimeout(ctx, 20 * time::Millisecond);  // tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
  std::printf("Acquire(1) with a 20ms timeout while full: %s\n",  // fmt.Println("Acquire(1) with a 20ms timeout while full:", sem.Acquire(tctx, 1))
              Str(sem.Acquire(tctx, 1)).c_str());
  // A request larger than the budget can never succeed: it only waits for
  // its context, without holding anyone else back.
  std::printf("Acquire(9) with the same, expired, context: %s\n",  // fmt.Println("Acquire(9) with the same, expired, context:", sem.Acquire(tctx, budget+1))
              Str(sem.Acquire(tctx, budget + 1)).c_str());
  sem.Release(budget);                          // sem.Release(budget)
  std::printf("TryAcquire(8) after the release: %s\n",  // fmt.Println("TryAcquire(8) after the release:", sem.TryAcquire(budget))
              sem.TryAcquire(budget) ? "true" : "false");
  cancel();                                     // defer cancel()
}                                               // }
