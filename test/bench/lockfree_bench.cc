// test/bench/lockfree_bench.cc: goro's lock-free structures against their
// mutex-based counterparts, at 1, 2 and 4 goroutines.
//
//   lockfree_bench [ops]      (ops per measurement, default 10000000)
//
// Workloads (every goroutine does ops/g operations; the figure is total
// operations per second of wall time, best of 3 runs):
//   queue    Push then Pop, repeated: lockfree::Queue vs std::deque + sync::Mutex
//   stack    Push then Pop, repeated: lockfree::Stack vs std::vector + sync::Mutex
//   config   read-mostly (1 write per 100 ops) on a 64-byte config:
//            lockfree::RCU (Load / Update) vs sync::Mutex vs sync::RWMutex
//            vs atomic::Value (Load / Store of a copy, Go's idiom)
//   counter  increment: atomic::Int64 CAS loop vs sync::Mutex vs atomic Add
//
// With g goroutines the run sets GOMAXPROCS to g, so 4 goroutines on a 2-core
// machine are 4 OS threads sharing 2 CPUs (the preemption case where lock-free
// code is supposed to shine). Each run checks its result (counts, sums) and
// exits 1 with a message if it is wrong, so a broken run never prints a number.
// The output is a markdown table, for docs/lockfree.md.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "goro/atomic.h"
#include "goro/goro.h"
#include "goro/lockfree.h"
#include "goro/sync.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "lockfree_bench: %s\n", what.c_str());
  std::exit(1);
}

// Run starts g goroutines, each calling body(id, n), releases them together
// and returns the wall time of the slowest, in seconds.
double Run(int g, int64_t n, const std::function<void(int, int64_t)>& body) {
  goro::sync::WaitGroup ready, done;
  auto start = goro::make_chan<goro::Empty>();
  for (int i = 0; i < g; i++) {
    ready.Add(1);
    done.Add(1);
    goro::go([&, i] {
      ready.Done();
      start.recv();
      body(i, n);
      done.Done();
    });
  }
  ready.Wait();
  auto t0 = Clock::now();
  goro::close(start);
  done.Wait();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Measure returns the median ops/s of three runs of `one`, which runs
// `total` operations over g goroutines and returns the elapsed seconds. (The
// median, not the best: on a loaded machine the best run is often the one in
// which the goroutines overlapped least.)
double Measure(int g, int64_t total, const std::function<double(int, int64_t)>& one) {
  goro::runtime::GOMAXPROCS(g);
  double r[3];
  for (double& x : r) x = double(total / g * g) / one(g, total / g);
  std::sort(r, r + 3);
  return r[1];
}

// ---- queue ----------------------------------------------------------------

double QueueLockFree(int g, int64_t n) {
  goro::lockfree::Queue<int64_t> q;
  goro::atomic::Int64 sum;
  double s = Run(g, n / 2, [&](int, int64_t m) {
    int64_t local = 0;
    for (int64_t i = 0; i < m; i++) {
      q.Push(i);
      if (auto v = q.Pop()) local += *v;
    }
    sum.Add(local);
  });
  while (auto v = q.Pop()) sum.Add(*v);
  if (sum.Load() != int64_t(g) * (n / 2) * (n / 2 - 1) / 2) Fail("queue: lost values");
  return s;
}

double QueueMutex(int g, int64_t n) {
  goro::sync::Mutex mu;
  std::deque<int64_t> q;
  goro::atomic::Int64 sum;
  double s = Run(g, n / 2, [&](int, int64_t m) {
    int64_t local = 0;
    for (int64_t i = 0; i < m; i++) {
      mu.Lock();
      q.push_back(i);
      mu.Unlock();
      mu.Lock();
      if (!q.empty()) {
        local += q.front();
        q.pop_front();
      }
      mu.Unlock();
    }
    sum.Add(local);
  });
  for (int64_t v : q) sum.Add(v);
  if (sum.Load() != int64_t(g) * (n / 2) * (n / 2 - 1) / 2) Fail("queue/mutex: lost values");
  return s;
}

// ---- stack ----------------------------------------------------------------

double StackLockFree(int g, int64_t n) {
  goro::lockfree::Stack<int64_t> st;
  goro::atomic::Int64 sum;
  double s = Run(g, n / 2, [&](int, int64_t m) {
    int64_t local = 0;
    for (int64_t i = 0; i < m; i++) {
      st.Push(i);
      if (auto v = st.Pop()) local += *v;
    }
    sum.Add(local);
  });
  while (auto v = st.Pop()) sum.Add(*v);
  if (sum.Load() != int64_t(g) * (n / 2) * (n / 2 - 1) / 2) Fail("stack: lost values");
  return s;
}

double StackMutex(int g, int64_t n) {
  goro::sync::Mutex mu;
  std::vector<int64_t> st;
  goro::atomic::Int64 sum;
  double s = Run(g, n / 2, [&](int, int64_t m) {
    int64_t local = 0;
    for (int64_t i = 0; i < m; i++) {
      mu.Lock();
      st.push_back(i);
      mu.Unlock();
      mu.Lock();
      if (!st.empty()) {
        local += st.back();
        st.pop_back();
      }
      mu.Unlock();
    }
    sum.Add(local);
  });
  for (int64_t v : st) sum.Add(v);
  if (sum.Load() != int64_t(g) * (n / 2) * (n / 2 - 1) / 2) Fail("stack/mutex: lost values");
  return s;
}

// ---- read-mostly config ----------------------------------------------------

struct Config {
  int64_t version = 0;
  int64_t f[7] = {1, 2, 3, 4, 5, 6, 7};
  bool operator==(const Config&) const = default;
};
constexpr int kWriteEvery = 100;

int64_t Read(const Config& c) { return c.f[c.version % 7]; }

double ConfigRCU(int g, int64_t n) {
  goro::lockfree::RCU<Config> cfg;
  goro::atomic::Int64 writes;
  double s = Run(g, n, [&](int, int64_t m) {
    int64_t sink = 0, w = 0;
    for (int64_t i = 0; i < m; i++) {
      if (i % kWriteEvery == 0) {
        cfg.Update([](const Config& c) {
          Config x = c;
          x.version++;
          return x;
        });
        w++;
      } else {
        sink += Read(*cfg.Load());
      }
    }
    if (sink < 0) Fail("config: impossible");
    writes.Add(w);
  });
  if (cfg.Load()->version != writes.Load()) Fail("config/rcu: lost update");
  return s;
}

template <bool kRW>
double ConfigLocked(int g, int64_t n) {
  std::conditional_t<kRW, goro::sync::RWMutex, goro::sync::Mutex> mu;
  Config cfg;
  goro::atomic::Int64 writes;
  double s = Run(g, n, [&](int, int64_t m) {
    int64_t sink = 0, w = 0;
    for (int64_t i = 0; i < m; i++) {
      if (i % kWriteEvery == 0) {
        mu.Lock();
        cfg.version++;
        mu.Unlock();
        w++;
      } else if constexpr (kRW) {
        mu.RLock();
        sink += Read(cfg);
        mu.RUnlock();
      } else {
        mu.Lock();
        sink += Read(cfg);
        mu.Unlock();
      }
    }
    if (sink < 0) Fail("config: impossible");
    writes.Add(w);
  });
  if (cfg.version != writes.Load()) Fail("config/mutex: lost update");
  return s;
}

double ConfigValue(int g, int64_t n) {
  // Go's sync/atomic "config" example: Store a whole new value, Load a copy.
  // Writers race (last Store wins), as in Go's example; no update count check.
  goro::atomic::Value cfg;
  cfg.Store(Config{});
  double s = Run(g, n, [&](int, int64_t m) {
    int64_t sink = 0;
    for (int64_t i = 0; i < m; i++) {
      if (i % kWriteEvery == 0) {
        Config x = *cfg.Load<Config>();
        x.version++;
        cfg.Store(x);
      } else {
        sink += Read(*cfg.Load<Config>());
      }
    }
    if (sink < 0) Fail("config: impossible");
  });
  if (cfg.Load<Config>()->version <= 0) Fail("config/value: no write");
  return s;
}

// ---- counter --------------------------------------------------------------

double CounterCAS(int g, int64_t n) {
  goro::atomic::Int64 c;
  double s = Run(g, n, [&](int, int64_t m) {
    for (int64_t i = 0; i < m; i++) {
      for (;;) {
        int64_t v = c.Load();
        if (c.CompareAndSwap(v, v + 1)) break;
      }
    }
  });
  if (c.Load() != int64_t(g) * n) Fail("counter/cas: lost increment");
  return s;
}

double CounterAdd(int g, int64_t n) {
  goro::atomic::Int64 c;
  double s = Run(g, n, [&](int, int64_t m) {
    for (int64_t i = 0; i < m; i++) c.Add(1);
  });
  if (c.Load() != int64_t(g) * n) Fail("counter/add: lost increment");
  return s;
}

double CounterMutex(int g, int64_t n) {
  goro::sync::Mutex mu;
  int64_t c = 0;
  double s = Run(g, n, [&](int, int64_t m) {
    for (int64_t i = 0; i < m; i++) {
      mu.Lock();
      c++;
      mu.Unlock();
    }
  });
  if (c != int64_t(g) * n) Fail("counter/mutex: lost increment");
  return s;
}

struct Row {
  const char* workload;
  const char* impl;
  double (*fn)(int, int64_t);
};

}  // namespace

int main(int argc, char** argv) {
  int64_t ops = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  if (ops < 1000) Fail("ops must be at least 1000");
  const Row rows[] = {
      {"queue", "lockfree::Queue", QueueLockFree},
      {"queue", "deque + sync::Mutex", QueueMutex},
      {"stack", "lockfree::Stack", StackLockFree},
      {"stack", "vector + sync::Mutex", StackMutex},
      {"config (1% writes)", "lockfree::RCU", ConfigRCU},
      {"config (1% writes)", "sync::Mutex", ConfigLocked<false>},
      {"config (1% writes)", "sync::RWMutex", ConfigLocked<true>},
      {"config (1% writes)", "atomic::Value", ConfigValue},
      {"counter", "atomic::Int64 CAS loop", CounterCAS},
      {"counter", "sync::Mutex", CounterMutex},
      {"counter", "atomic::Int64 Add", CounterAdd},
  };
  std::printf("| workload | implementation | 1 goroutine | 2 goroutines | 4 goroutines |\n");
  std::printf("|---|---|---:|---:|---:|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %s |", r.workload, r.impl);
    for (int g : {1, 2, 4}) std::printf(" %.1f |", Measure(g, ops, r.fn) / 1e6);
    std::printf("\n");
    std::fflush(stdout);
  }
  double load[3] = {0, 0, 0};
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(f);
  }
  std::printf("\nMops/s (million operations per second, all goroutines together), median of 3;"
              " %lld operations per measurement; GOMAXPROCS = goroutines; NumCPU = %d;"
              " load average at the end %.2f %.2f %.2f.\n",
              static_cast<long long>(ops), goro::runtime::NumCPU(), load[0], load[1], load[2]);
}
