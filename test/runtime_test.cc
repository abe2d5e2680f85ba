// test/runtime_test.cc: goro/runtime.h: go() and its argument passing, and
// runtime::GOMAXPROCS, Gosched, NumGoroutine, NumCPU, debug::SetMaxThreads;
// goroutine ids; sync::WaitGroup::Go.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "goro_test.h"

namespace {

using namespace std::chrono_literals;

// WaitUntil is goro_test::Eventually with this file's default timeout.
template <class Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = 10000ms) {
  return goro_test::Eventually(pred, timeout);
}

// ---------------------------------------------------------------------------
// go() and its arguments.

TEST_CASE("Runtime.Go.RunsFunction") {
  auto c = goro::make_chan<int>();
  goro::go([c] { c.send(42); });
  CHECK(c.recv() == 42);
}

void AddAndSend(goro::chan<int> out, int a, int b) { out.send(a + b); }

TEST_CASE("Runtime.Go.FreeFunctionWithArguments") {
  auto out = goro::make_chan<int>();
  goro::go(AddAndSend, out, 3, 4);  // a function decays to a pointer
  CHECK(out.recv() == 7);
  goro::go(&AddAndSend, out, 10, 20);
  CHECK(out.recv() == 30);
  goro::go([](goro::chan<int> o, int x, int y) { o.send(x * y); }, out, 6, 7);
  CHECK(out.recv() == 42);
}

TEST_CASE("Runtime.Go.ArgumentsAreDecayCopied") {
  // As with std::thread, the goroutine gets its own copy of each argument, made
  // when go() is called: later changes to the caller's variable are not seen.
  auto gate = goro::make_chan<goro::Empty>();
  auto out = goro::make_chan<std::string>();
  std::string s = "before";
  int x = 1;
  goro::go(
      [gate, out](const std::string& str, const int& v) {
        gate.recv();
        out.send(str + ":" + std::to_string(v));
      },
      s, x);
  s = "after";
  x = 2;
  gate.send(goro::Empty{});
  CHECK(out.recv() == "before:1");

  // Arrays decay to pointers: a string literal arrives as const char*.
  auto out2 = goro::make_chan<std::string>();
  goro::go([out2](const char* p) { out2.send(std::string(p)); }, "literal");
  CHECK(out2.recv() == "literal");

  // The callable itself is copied too: the goroutine changes its own copy.
  struct Counter {
    int calls = 0;
    goro::chan<int> done;
    void operator()() {
      ++calls;
      done.send(calls);
    }
  };
  auto done = goro::make_chan<int>();
  Counter f{0, done};
  goro::go(f);
  CHECK(done.recv() == 1);
  goro::go(f);
  CHECK(done.recv() == 1);  // a fresh copy of f, whose calls is still 0
  CHECK(f.calls == 0);
}

TEST_CASE("Runtime.Go.ReferenceWrapperSharesObject") {
  // std::ref passes a reference on purpose, as with std::thread.
  int value = 0;
  auto done = goro::make_chan<goro::Empty>();
  goro::go(
      [done](int& v) {
        v = 99;
        done.send(goro::Empty{});
      },
      std::ref(value));
  done.recv();
  CHECK(value == 99);
}

struct Accumulator {
  int total = 0;
  void Add(int v, goro::chan<int> done) {
    total += v;
    done.send(total);
  }
  int Get() const { return total; }
};

TEST_CASE("Runtime.Go.MemberFunctionPointer") {
  Accumulator acc;
  auto done = goro::make_chan<int>();
  goro::go(&Accumulator::Add, &acc, 5, done);
  CHECK(done.recv() == 5);
  goro::go(&Accumulator::Add, &acc, 7, done);
  CHECK(done.recv() == 12);
  CHECK(acc.Get() == 12);

  // With the object itself as the argument, the goroutine works on a copy.
  Accumulator copy_src;
  copy_src.total = 100;
  goro::go(&Accumulator::Add, copy_src, 1, done);
  CHECK(done.recv() == 101);
  CHECK(copy_src.total == 100);
}

TEST_CASE("Runtime.Go.MoveOnlyArguments") {
  auto out = goro::make_chan<int>();
  auto p = std::make_unique<int>(7);
  goro::go([out](std::unique_ptr<int> q) { out.send(*q * 6); }, std::move(p));
  CHECK(p == nullptr);
  CHECK(out.recv() == 42);

  // A move-only callable.
  auto q = std::make_unique<int>(5);
  goro::go([out, q = std::move(q)] { out.send(*q + 1); });
  CHECK(out.recv() == 6);

  // A move-only value sent on through a channel of move-only elements.
  auto uc = goro::make_chan<std::unique_ptr<std::string>>();
  goro::go(
      [uc](std::unique_ptr<std::string> s) { uc.send(std::move(s)); },
      std::make_unique<std::string>("moved"));
  auto got = uc.recv();
  REQUIRE(got != nullptr);
  CHECK(*got == "moved");
}

TEST_CASE("Runtime.Go.FromGoroutineAndForeignThread") {
  const int baseline = goro::runtime::NumGoroutine();
  auto c = goro::make_chan<int>(100);
  // A goroutine that starts goroutines.
  goro::go([c] {
    for (int i = 0; i < 10; i++) goro::go([c, i] { c.send(i); });
  });
  // Foreign threads that start goroutines and wait for them.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([c, t] {
      goro::sync::WaitGroup wg;
      for (int i = 0; i < 10; i++) {
        wg.Add(1);
        goro::go([&wg, c, v = 100 * (t + 1) + i] {
          c.send(v);
          wg.Done();
        });
      }
      wg.Wait();
    });
  }
  for (auto& th : threads) th.join();
  std::multiset<int> got;
  for (int i = 0; i < 50; i++) got.insert(c.recv());
  std::multiset<int> want;
  for (int i = 0; i < 10; i++) want.insert(i);
  for (int t = 0; t < 4; t++) {
    for (int i = 0; i < 10; i++) want.insert(100 * (t + 1) + i);
  }
  CHECK(got == want);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

TEST_CASE("Runtime.Go.HappensBeforeGoroutineStart") {
  // Go's memory model: the go statement happens before the goroutine starts.
  for (int round = 0; round < 1000; round++) {
    auto data = std::make_shared<std::vector<int>>();
    data->assign(16, round);
    auto out = goro::make_chan<int>(1);
    goro::go([data, out] {
      int s = 0;
      for (int v : *data) s += v;
      out.send(s);
    });
    REQUIRE(out.recv() == 16 * round);
  }
}

// ---------------------------------------------------------------------------
// GOMAXPROCS.

TEST_CASE("Runtime.GOMAXPROCS.QueryAndSet") {
  const int orig = goro::runtime::GOMAXPROCS(0);
  CHECK(orig >= 1);
  if (const char* env = std::getenv("GOMAXPROCS")) {
    CHECK(orig == std::atoi(env));  // the default comes from the environment
  }
  CHECK(goro::runtime::GOMAXPROCS(-1) == orig);  // n < 1 only queries
  CHECK(goro::runtime::GOMAXPROCS(0) == orig);
  CHECK(goro::runtime::GOMAXPROCS(3) == orig);  // returns the previous value
  CHECK(goro::runtime::GOMAXPROCS(0) == 3);
  CHECK(goro::runtime::GOMAXPROCS(64) == 3);  // above NumCPU is accepted
  CHECK(goro::runtime::GOMAXPROCS(0) == 64);
  CHECK(goro::runtime::GOMAXPROCS(1) == 64);
  CHECK(goro::runtime::GOMAXPROCS(0) == 1);

  // Goroutines still run at the new settings.
  for (int p : {1, 2, 64}) {
    goro::runtime::GOMAXPROCS(p);
    goro::sync::WaitGroup wg;
    std::atomic<int> n{0};
    for (int i = 0; i < 100; i++) {
      wg.Go([&n] { n.fetch_add(1); });
    }
    wg.Wait();
    CHECK(n.load() == 100);
  }
  CHECK(goro::runtime::GOMAXPROCS(orig) == 64);
  CHECK(goro::runtime::GOMAXPROCS(0) == orig);
}

TEST_CASE("Runtime.GOMAXPROCS.ChangedWhileGoroutinesBlocked") {
  const int orig = goro::runtime::GOMAXPROCS(0);
  const int baseline = goro::runtime::NumGoroutine();
  auto c = goro::make_chan<int>();
  std::atomic<int> sum{0};
  goro::sync::WaitGroup wg;
  for (int i = 0; i < 20; i++) {
    wg.Go([c, &sum] { sum += c.recv(); });
  }
  goro::runtime::GOMAXPROCS(1);
  for (int i = 1; i <= 10; i++) c.send(i);
  goro::runtime::GOMAXPROCS(4);
  for (int i = 11; i <= 20; i++) c.send(i);
  wg.Wait();
  CHECK(sum.load() == 210);
  goro::runtime::GOMAXPROCS(orig);
  CHECK(goro::runtime::GOMAXPROCS(0) == orig);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

// ---------------------------------------------------------------------------
// Gosched.

TEST_CASE("Runtime.Gosched.FromMainAndForeignThread") {
  // Outside a goroutine Gosched simply returns.
  goro::runtime::Gosched();
  std::thread t([] { goro::runtime::Gosched(); });
  t.join();
  CHECK(goro::internal::CurrentGoid() == 1);
}

TEST_CASE("Runtime.Gosched.LetsQueuedGoroutineRun") {
  // At GOMAXPROCS=1 a goroutine that loops on Gosched until a flag is set must
  // let the goroutine that sets the flag run.
  const int orig = goro::runtime::GOMAXPROCS(1);
  std::atomic<bool> flag{false};
  std::atomic<int> yields{0};
  auto done = goro::make_chan<int>();
  goro::go([&] {
    goro::go([&flag] { flag = true; });
    while (!flag.load()) {
      goro::runtime::Gosched();
      yields.fetch_add(1);
    }
    done.send(1);
  });
  CHECK(done.recv() == 1);
  CHECK(flag.load());
  goro::runtime::GOMAXPROCS(orig);
}

// ---------------------------------------------------------------------------
// NumGoroutine, NumCPU, SetMaxThreads, ids.

TEST_CASE("Runtime.NumGoroutine.CountsBlockedGoroutines") {
  // Goroutines of earlier tests may still be returning; nothing was leaked, so
  // the count settles at 1: main.
  const int baseline = goro_test::WaitForGoroutines(1);
  CHECK(baseline == 1);
  constexpr int kN = 50;
  auto c = goro::make_chan<int>();
  std::atomic<int> started{0};
  for (int i = 0; i < kN; i++) {
    goro::go([c, &started] {
      started.fetch_add(1);
      c.recv();
    });
  }
  CHECK(goro::runtime::NumGoroutine() >= baseline + kN);  // queued ones count too
  REQUIRE(WaitUntil([&] { return started.load() == kN; }));
  goro_test::SleepMs(10);
  CHECK(goro::runtime::NumGoroutine() >= baseline + kN);  // blocked ones count
  goro::close(c);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);  // and fall back
}

TEST_CASE("Runtime.NumCPU.AtLeastOne") {
  const int n = goro::runtime::NumCPU();
  CHECK(n >= 1);
  CHECK(n <= 1 << 16);
  CHECK(goro::runtime::NumCPU() == n);  // stable
}

TEST_CASE("Runtime.Debug.SetMaxThreadsReturnsPrevious") {
  const int orig = goro::runtime::debug::SetMaxThreads(5000);
  CHECK(orig == 10000);  // Go's default
  CHECK(goro::runtime::debug::SetMaxThreads(20000) == 5000);
  CHECK(goro::runtime::debug::SetMaxThreads(orig) == 20000);
  CHECK(goro::runtime::debug::SetMaxThreads(orig) == orig);
}

TEST_CASE("Runtime.Internal.GoroutineIds") {
  CHECK(goro::internal::CurrentGoid() == 1);  // main
  uint64_t foreign = 0;
  std::thread t([&] { foreign = goro::internal::CurrentGoid(); });
  t.join();
  CHECK(foreign == 1);

  constexpr int kN = 100;
  auto ids = goro::make_chan<uint64_t>(kN);
  auto gate = goro::make_chan<goro::Empty>();
  std::atomic<int> changed{0};
  for (int i = 0; i < kN; i++) {
    goro::go([ids, gate, &changed] {
      const uint64_t before = goro::internal::CurrentGoid();
      gate.recv();  // block, and maybe resume on another thread
      if (goro::internal::CurrentGoid() != before) changed.fetch_add(1);
      ids.send(before);
    });
  }
  goro::close(gate);
  std::set<uint64_t> seen;
  int at_most_one = 0;
  for (int i = 0; i < kN; i++) {
    uint64_t id = ids.recv();
    if (id <= 1) at_most_one++;
    seen.insert(id);
  }
  CHECK(static_cast<int>(seen.size()) == kN);  // distinct
  CHECK(at_most_one == 0);                     // all > 1
  CHECK(changed.load() == 0);                  // stable across blocking
  CHECK(goro::internal::CurrentGoid() == 1);
}

TEST_CASE("Runtime.Internal.NumThreads") {
  // At least one pool thread exists once goroutines have run.
  auto c = goro::make_chan<int>();
  goro::go([c] { c.send(1); });
  CHECK(c.recv() == 1);
  CHECK(goro::internal::NumThreads() >= 1);
  CHECK(goro::internal::NumIdleThreads() >= 0);
  CHECK(goro::internal::NumIdleThreads() <= goro::internal::NumThreads());
}

// ---------------------------------------------------------------------------
// WaitGroup::Go.

TEST_CASE("Runtime.WaitGroup.Go") {
  const int baseline = goro::runtime::NumGoroutine();
  constexpr int kN = 100;
  goro::sync::WaitGroup wg;
  std::vector<int> slots(kN, 0);  // plain writes, published by Wait
  std::atomic<int> ran{0};
  for (int i = 0; i < kN; i++) {
    wg.Go([&slots, &ran, i] {
      slots[static_cast<size_t>(i)] = i * i;
      ran.fetch_add(1);
    });
  }
  wg.Wait();
  CHECK(ran.load() == kN);
  int wrong = 0;
  for (int i = 0; i < kN; i++) {
    if (slots[static_cast<size_t>(i)] != i * i) wrong++;
  }
  CHECK(wrong == 0);

  // Go from inside goroutines started by Go, and blocking bodies.
  goro::sync::WaitGroup outer;
  std::atomic<int> inner_ran{0};
  auto c = goro::make_chan<int>();
  for (int i = 0; i < 10; i++) {
    outer.Go([&inner_ran, c] {
      goro::sync::WaitGroup inner;
      for (int j = 0; j < 10; j++) {
        inner.Go([&inner_ran, c] {
          c.recv();
          inner_ran.fetch_add(1);
        });
      }
      inner.Wait();
    });
  }
  for (int i = 0; i < 100; i++) c.send(i);
  outer.Wait();
  CHECK(inner_ran.load() == 100);
  CHECK(goro_test::WaitForGoroutines(baseline) <= baseline);
}

TEST_CASE("Runtime.WaitGroup.GoFromForeignThread") {
  goro::sync::WaitGroup wg;
  std::atomic<int> ran{0};
  std::thread t([&] {
    for (int i = 0; i < 50; i++) wg.Go([&ran] { ran.fetch_add(1); });
    wg.Wait();
  });
  t.join();
  CHECK(ran.load() == 50);
}

}  // namespace
