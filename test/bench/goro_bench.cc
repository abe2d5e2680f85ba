// test/bench/goro_bench.cc: goro's side of the goro-vs-Go benchmark suite.
//
//   goro_bench W1|W2|W3|W4|W5|W6|MEM|TMEM|TIMER|CTX
//
// Each workload is written with goro the way a Go programmer writes it (the Go
// twin is test/bench/go/main.go, line for line), times only the workload with
// steady_clock, and prints one line `goro <workload> <metric> <value>`:
//
//   W1   buffered chan cap 128, 1 producer / 1 consumer, 10M ints    ops/s
//   W2   cap 128, 4 producers / 4 consumers, 10M ints in total        ops/s
//   W3   unbuffered ping-pong between two goroutines, 200k trips      ns/rtt
//   W4   spawn 1M tiny goroutines (atomic increment), WaitGroup      tasks/s
//   W5   BenchmarkSelectUncontended's body (Go's runtime/chan_test.go):
//        one goroutine per slot, two cap-1 chans, 2-case select       ops/s
//   W6   fan-in, 100 producers x 100k ints, chan cap 1024, 1 consumer ops/s
//   MEM  resident bytes per queued, not yet started goroutine         bytes/goroutine
//   TMEM resident bytes per pending timer (100k NewTimer(1h))          bytes/timer
//   TIMER NewTimer(1h) + Stop pairs, 1M, beside 100k pending timers    ops/s
//   CTX  WithCancel + cancel of a child of one long-lived parent, 1M   ops/s
//
// Every workload checks its result (sums, counts) and exits 1 with a message on
// stderr if it is wrong, so a fast but broken run never prints a number.
// test/bench/run.sh builds this in release mode, runs it against the Go twin
// and prints the comparison table (docs/performance.md).
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "goro/goro.h"

namespace {

constexpr int kW1Items = 10'000'000;
constexpr int kW2Items = 10'000'000;
constexpr int kW2Producers = 4;
constexpr int kW2Consumers = 4;
constexpr int kW3Trips = 200'000;
constexpr int kW4Tasks = 1'000'000;
constexpr int kW5Ops = 10'000'000;  // total, over all goroutines
constexpr int kW6Producers = 100;
constexpr int kW6PerProducer = 100'000;
constexpr int kMemN = 100'000;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Fail(const char* fmt, ...) {
  std::va_list ap;
  va_start(ap, fmt);
  std::fputs("goro_bench: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
  std::exit(1);
}

// W1: buffered chan cap 128, 1 producer, 1 consumer, 10M ints.
void W1() {
  auto c = goro::make_chan<int>(128);
  goro::sync::WaitGroup wg;
  int64_t sum = 0;
  auto start = Clock::now();
  wg.Add(2);
  goro::go([c, &wg] {
    for (int i = 0; i < kW1Items; i++) c.send(i);
    goro::close(c);
    wg.Done();
  });
  goro::go([c, &wg, &sum] {
    int64_t s = 0;
    for (int v : c) s += v;
    sum = s;
    wg.Done();
  });
  wg.Wait();
  double el = Seconds(start);
  int64_t want = int64_t{kW1Items} * (kW1Items - 1) / 2;
  if (sum != want) Fail("W1: sum %lld, want %lld", (long long)sum, (long long)want);
  std::printf("goro W1 ops/s %.0f\n", kW1Items / el);
}

// W2: cap 128, 4 producers and 4 consumers, 10M ints in total.
void W2() {
  auto c = goro::make_chan<int>(128);
  goro::sync::WaitGroup prod, cons;
  std::atomic<int64_t> sum{0};
  constexpr int per = kW2Items / kW2Producers;
  auto start = Clock::now();
  for (int p = 0; p < kW2Producers; p++) {
    prod.Add(1);
    goro::go([c, &prod] {
      for (int i = 0; i < per; i++) c.send(1);
      prod.Done();
    });
  }
  for (int k = 0; k < kW2Consumers; k++) {
    cons.Add(1);
    goro::go([c, &cons, &sum] {
      int64_t s = 0;
      for (int v : c) s += v;
      sum.fetch_add(s);
      cons.Done();
    });
  }
  goro::go([c, &prod] {
    prod.Wait();
    goro::close(c);
  });
  cons.Wait();
  double el = Seconds(start);
  if (sum.load() != int64_t{per} * kW2Producers) {
    Fail("W2: received %lld, want %d", (long long)sum.load(), per * kW2Producers);
  }
  std::printf("goro W2 ops/s %.0f\n", double(per) * kW2Producers / el);
}

// W3: unbuffered ping-pong between two goroutines, 200k round trips.
void W3() {
  auto ping = goro::make_chan<int>();
  auto pong = goro::make_chan<int>();
  goro::sync::WaitGroup wg;
  auto start = Clock::now();
  wg.Add(2);
  goro::go([ping, pong, &wg] {
    for (int i = 0; i < kW3Trips; i++) {
      ping.send(i);
      int v = pong.recv();
      if (v != i) Fail("W3: got %d, want %d", v, i);
    }
    wg.Done();
  });
  goro::go([ping, pong, &wg] {
    for (int i = 0; i < kW3Trips; i++) pong.send(ping.recv());
    wg.Done();
  });
  wg.Wait();
  double el = Seconds(start);
  std::printf("goro W3 ns/rtt %.1f\n", el * 1e9 / kW3Trips);
}

// W4: spawn 1M tiny goroutines (one atomic increment each), wait with a
// WaitGroup.
void W4() {
  goro::sync::WaitGroup wg;
  std::atomic<int64_t> n{0};
  auto start = Clock::now();
  for (int i = 0; i < kW4Tasks; i++) {
    wg.Add(1);
    goro::go([&n, &wg] {
      n.fetch_add(1);
      wg.Done();
    });
  }
  wg.Wait();
  double el = Seconds(start);
  if (n.load() != kW4Tasks) Fail("W4: %lld increments, want %d", (long long)n.load(), kW4Tasks);
  std::printf("goro W4 tasks/s %.0f\n", kW4Tasks / el);
}

// W5: BenchmarkSelectUncontended's body: one goroutine per slot, each with its
// own two cap-1 channels, passing a token back and forth through a 2-case
// select.
void W5() {
  int procs = goro::runtime::GOMAXPROCS(0);
  int per = kW5Ops / procs;
  goro::sync::WaitGroup wg;
  auto start = Clock::now();
  for (int p = 0; p < procs; p++) {
    wg.Add(1);
    goro::go([per, &wg] {
      auto myc1 = goro::make_chan<int>(1);
      auto myc2 = goro::make_chan<int>(1);
      myc1.send(0);
      for (int i = 0; i < per; i++) {
        goro::select(goro::case_recv(myc1, [&] { myc2.send(0); }),
                     goro::case_recv(myc2, [&] { myc1.send(0); }));
      }
      wg.Done();
    });
  }
  wg.Wait();
  double el = Seconds(start);
  std::printf("goro W5 ops/s %.0f\n", double(per) * procs / el);
}

// W6: fan-in, 100 producers x 100k ints into one chan cap 1024, 1 consumer.
void W6() {
  auto c = goro::make_chan<int>(1024);
  auto done = goro::make_chan<goro::Empty>();
  goro::sync::WaitGroup prod;
  int64_t got = 0;
  auto start = Clock::now();
  for (int p = 0; p < kW6Producers; p++) {
    prod.Add(1);
    goro::go([c, &prod] {
      for (int i = 0; i < kW6PerProducer; i++) c.send(1);
      prod.Done();
    });
  }
  goro::go([c, &prod] {
    prod.Wait();
    goro::close(c);
  });
  goro::go([c, done, &got] {
    int64_t s = 0;
    for (int v : c) s += v;
    got = s;
    goro::close(done);
  });
  done.recv();
  double el = Seconds(start);
  int64_t want = int64_t{kW6Producers} * kW6PerProducer;
  if (got != want) Fail("W6: received %lld, want %lld", (long long)got, (long long)want);
  std::printf("goro W6 ops/s %.0f\n", double(want) / el);
}

// RssBytes reads the resident set size from /proc/self/statm.
long long RssBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) Fail("MEM: cannot open /proc/self/statm: %s", std::strerror(errno));
  long long size = 0, resident = 0;
  if (std::fscanf(f, "%lld %lld", &size, &resident) != 2) Fail("MEM: cannot parse statm");
  std::fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

// MEM: resident memory per goroutine that is queued but has not started. All
// GOMAXPROCS slots are first taken by goroutines that busy-wait (yielding the
// CPU) on an atomic flag; a goroutine blocked in a goro primitive would hand
// its slot on, and a started goroutine holds an OS thread, so neither is what
// is measured here. main then spawns N goroutines with the same body, which
// queue, and the RSS growth over N is the cost of one queued goroutine. The
// pool's monitor may add a slot or two for the busy-waiting goroutines (it
// cannot tell them from blocked code); each such slot starts one queued
// goroutine, which is reported on stderr and does not change the result much.
void Mem() {
  int procs = goro::runtime::GOMAXPROCS(0);
  std::atomic<bool> release{false};
  std::atomic<int> started{0};
  goro::sync::WaitGroup wg;
  auto body = [&release, &started, &wg] {
    started.fetch_add(1);
    while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
    wg.Done();
  };
  for (int p = 0; p < procs; p++) {
    wg.Add(1);
    goro::go(body);
  }
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (started.load() < procs) {
    if (Clock::now() > deadline) Fail("MEM: only %d of %d slots busy after 10 s", started.load(), procs);
    std::this_thread::yield();
  }
  long long before = RssBytes();
  wg.Add(kMemN);
  for (int i = 0; i < kMemN; i++) goro::go(body);
  long long after = RssBytes();
  int ran = started.load() - procs;
  release.store(true, std::memory_order_release);
  wg.Wait();
  if (ran > 0) {
    std::fprintf(stderr, "goro_bench: MEM: %d of %d queued goroutines started before the measurement\n",
                 ran, kMemN);
  }
  std::printf("goro MEM bytes/goroutine %.0f\n", double(after - before) / kMemN);
}

constexpr int kTimers = 100'000;
constexpr int kTimerOps = 1'000'000;
constexpr int kCtxOps = 1'000'000;

// TMEM: resident memory per pending timer. Each is a NewTimer(1h) held in a
// vector, as a Go program holds *Timer values; all are stopped afterwards.
void TimerMem() {
  std::vector<goro::time::Timer> timers;
  timers.reserve(kTimers);
  long long before = RssBytes();
  for (int i = 0; i < kTimers; i++) timers.push_back(goro::time::NewTimer(goro::time::Hour));
  long long after = RssBytes();
  int stopped = 0;
  for (auto& t : timers) stopped += t.Stop();
  if (stopped != kTimers) Fail("TMEM: %d of %d timers stopped", stopped, kTimers);
  std::printf("goro TMEM bytes/timer %.0f\n", double(after - before) / kTimers);
}

// TIMER: create and stop 1M timers while 100k others stay pending, so every
// operation works on a large heap.
void TimerOps() {
  std::vector<goro::time::Timer> pending;
  pending.reserve(kTimers);
  for (int i = 0; i < kTimers; i++) pending.push_back(goro::time::NewTimer(goro::time::Hour));
  int stopped = 0;
  auto start = Clock::now();
  for (int i = 0; i < kTimerOps; i++) {
    auto t = goro::time::NewTimer(goro::time::Hour + goro::time::Duration(i));
    stopped += t.Stop();
  }
  double el = Seconds(start);
  if (stopped != kTimerOps) Fail("TIMER: %d of %d timers stopped", stopped, kTimerOps);
  for (auto& t : pending) t.Stop();
  std::printf("goro TIMER ops/s %.0f\n", kTimerOps / el);
}

// CTX: derive and cancel 1M children of one long-lived cancellable parent.
void Ctx() {
  auto [parent, cancel_parent] = goro::context::WithCancel(goro::context::Background());
  int done = 0;
  auto start = Clock::now();
  for (int i = 0; i < kCtxOps; i++) {
    auto [ctx, cancel] = goro::context::WithCancel(parent);
    cancel();
    done += !ctx.Err().ok();
  }
  double el = Seconds(start);
  if (done != kCtxOps) Fail("CTX: %d of %d children cancelled", done, kCtxOps);
  if (goro::context::internal::NumChildren(parent) != 0) Fail("CTX: parent kept children");
  cancel_parent();
  std::printf("goro CTX ops/s %.0f\n", kCtxOps / el);
}

// WarmUp starts the pool (one goroutine per slot) so that no workload pays for
// creating it: Go's runtime is up before main runs.
void WarmUp() {
  goro::sync::WaitGroup wg;
  int procs = goro::runtime::GOMAXPROCS(0);
  for (int i = 0; i < procs; i++) {
    wg.Add(1);
    goro::go([&wg] { wg.Done(); });
  }
  wg.Wait();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) Fail("usage: goro_bench W1|W2|W3|W4|W5|W6|MEM|TMEM|TIMER|CTX");
  std::string w = argv[1];
  void (*run)() = w == "W1"    ? W1
                  : w == "W2"  ? W2
                  : w == "W3"  ? W3
                  : w == "W4"  ? W4
                  : w == "W5"  ? W5
                  : w == "W6"  ? W6
                  : w == "MEM" ? Mem
                  : w == "TMEM" ? TimerMem
                  : w == "TIMER" ? TimerOps
                  : w == "CTX" ? Ctx
                               : nullptr;
  if (run == nullptr) Fail("unknown workload \"%s\" (want W1|W2|W3|W4|W5|W6|MEM|TMEM|TIMER|CTX)", argv[1]);
  WarmUp();
  run();
  std::fflush(stdout);
  // As in Go, returning from main ends the process; nothing is joined.
  return 0;
}
