// test/once_test.cc: tests for goro::sync::Once, OnceFunc, OnceValue and
// OnceValues (goro/sync/once.h).
//
// Part 1 ports Go 1.19's src/sync/once_test.go (TestOnce, TestOncePanic).
// Part 2 re-expresses Go 1.21's src/sync/oncefunc_test.go from its
// semantics (Go 1.19 has no such file): TestOnceFunc, TestOnceValue,
// TestOnceValues, the Panic variants (every call rethrows the same
// exception), and TestOnceXGC (f is released once it has run: here its
// captured state is destroyed). TestOnceFuncPanicNil, TestOnceFuncGoexit and
// TestOnceFuncPanicTraceback test Go-only features (panic(nil), Goexit, stack
// traces) and have no C++ counterpart.
// Part 3 covers goro's contracts: no Do returns before f has returned (the
// others block, handing their slot on), happens-before from f to every Do,
// an exception in one goroutine's f seen by the others as "done", concurrent
// callers of the callables, copies sharing state, and the type's shape.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro/sync.h"
#include "goro_test.h"

namespace {

using goro::Empty;
using goro::sync::Once;
using goro_test::Eventually;
using goro_test::PanicOf;

static_assert(!std::is_copy_constructible_v<Once>);
static_assert(!std::is_move_constructible_v<Once>);
static_assert(std::is_default_constructible_v<Once>);

constinit Once global_once;  // constexpr default constructor

// Go's one and run.
struct One {
  int v = 0;
  void Increment() { v++; }
};

void Run(Once* once, One* o, std::atomic<int>* bad, goro::chan<bool> c) {
  once->Do([o] { o->Increment(); });
  if (o->v != 1) bad->fetch_add(1);  // once failed inside run
  c.send(true);
}

}  // namespace

// ---------------------------------------------------------------------------
// Part 1: Go 1.19's src/sync/once_test.go

TEST_CASE("Once.Go.TestOnce") {
  One o;
  Once once;
  std::atomic<int> bad{0};
  auto c = goro::make_chan<bool>();
  const int n = 10;
  for (int i = 0; i < n; i++) goro::go(Run, &once, &o, &bad, c);
  for (int i = 0; i < n; i++) c.recv();
  CHECK(bad.load() == 0);
  CHECK(o.v == 1);  // once failed outside run
}

TEST_CASE("Once.Go.TestOncePanic") {
  Once once;
  CHECK(PanicOf([&] { once.Do([] { throw goro::Panic("failed"); }); }) == "failed");
  bool called_twice = false;
  once.Do([&] { called_twice = true; });
  CHECK_FALSE(called_twice);  // Once.Do called twice
}

// ---------------------------------------------------------------------------
// Part 2: Go 1.21's src/sync/oncefunc_test.go, from its semantics

TEST_CASE("Once.Go121.TestOnceFunc") {
  int calls = 0;
  auto f = goro::sync::OnceFunc([&] { calls++; });
  static_assert(std::is_void_v<decltype(f())>);
  f();
  f();
  f();
  CHECK(calls == 1);
}

TEST_CASE("Once.Go121.TestOnceValue") {
  int calls = 0;
  auto f = goro::sync::OnceValue([&] {
    calls++;
    return calls;
  });
  static_assert(std::is_same_v<decltype(f()), int>);
  CHECK(f() == 1);
  CHECK(f() == 1);
  CHECK(f() == 1);
  CHECK(calls == 1);
}

TEST_CASE("Once.Go121.TestOnceValues") {
  int calls = 0;
  auto f = goro::sync::OnceValues([&] {
    calls++;
    return std::pair<int, int>(calls, calls + 1);
  });
  for (int i = 0; i < 3; i++) {
    auto [a, b] = f();
    CHECK(a == 1);
    CHECK(b == 2);
  }
  CHECK(calls == 1);
  // Go's typical (value, error) pair, and the other tuple-likes.
  auto read = goro::sync::OnceValues([] { return std::tuple<std::string, bool>("data", true); });
  auto [data, ok] = read();
  CHECK(data == "data");
  CHECK(ok);
  auto arr = goro::sync::OnceValues([] { return std::array<int, 2>{7, 8}; });
  static_assert(std::is_same_v<decltype(arr()), std::pair<int, int>>);
  CHECK(arr() == std::pair<int, int>(7, 8));
}

TEST_CASE("Once.Go121.TestOnceFuncPanic") {
  int calls = 0;
  auto f = goro::sync::OnceFunc([&] {
    calls++;
    throw goro::Panic("x");
  });
  const void* first = nullptr;
  for (int i = 0; i < 3; i++) {
    try {
      f();
      FAIL("OnceFunc did not rethrow");
    } catch (const goro::Panic& p) {
      CHECK(std::string(p.what()) == "x");
      if (first == nullptr) first = &p;
      CHECK(&p == first);  // the same exception object every time
    }
  }
  CHECK(calls == 1);
}

TEST_CASE("Once.Go121.TestOnceValuePanic") {
  int calls = 0;
  auto f = goro::sync::OnceValue([&]() -> int {
    calls++;
    throw std::runtime_error("x");
  });
  for (int i = 0; i < 3; i++) {
    CHECK(PanicOf([&] { (void)f(); }) == "other exception: x");
  }
  CHECK(calls == 1);
}

TEST_CASE("Once.Go121.TestOnceValuesPanic") {
  int calls = 0;
  auto f = goro::sync::OnceValues([&]() -> std::pair<int, int> {
    calls++;
    throw goro::Panic("x");
  });
  for (int i = 0; i < 3; i++) CHECK(PanicOf([&] { (void)f(); }) == "x");
  CHECK(calls == 1);
}

TEST_CASE("Once.Go121.TestOnceXGC") {
  // Go checks that f (and what it captures) is collectable after the first
  // call. Here: f's captures are destroyed once f has run, while the
  // callable itself lives on.
  auto probe = std::make_shared<int>(5);
  std::weak_ptr<int> watch = probe;
  auto fn = goro::sync::OnceFunc([p = std::move(probe)] { (void)*p; });
  CHECK_FALSE(watch.expired());
  fn();
  CHECK(watch.expired());

  auto probe2 = std::make_shared<int>(6);
  std::weak_ptr<int> watch2 = probe2;
  auto val = goro::sync::OnceValue([p = std::move(probe2)] { return *p; });
  CHECK(val() == 6);
  CHECK(watch2.expired());
  CHECK(val() == 6);

  auto probe3 = std::make_shared<int>(7);
  std::weak_ptr<int> watch3 = probe3;
  auto vals = goro::sync::OnceValues([p = std::move(probe3)] { return std::pair(*p, *p); });
  CHECK(vals().first == 7);
  CHECK(watch3.expired());

  // Also after f threw.
  auto probe4 = std::make_shared<int>(8);
  std::weak_ptr<int> watch4 = probe4;
  auto thrower = goro::sync::OnceFunc([p = std::move(probe4)] { throw goro::Panic("p"); });
  CHECK(PanicOf(thrower) == "p");
  CHECK(watch4.expired());
}

// ---------------------------------------------------------------------------
// Part 3: goro's contracts

TEST_CASE("Once.Do.NoCallReturnsBeforeFReturns") {
  auto once = std::make_shared<Once>();
  auto release = goro::make_chan<Empty>();
  auto value = std::make_shared<int>(0);  // plain: written in f, read after Do
  auto returned = std::make_shared<std::atomic<int>>(0);
  auto seen = goro::make_chan<int>(10);
  auto in_f = goro::make_chan<Empty>(1);
  goro::go([once, release, value, in_f] {
    once->Do([&] {
      in_f.send({});
      release.recv();  // f blocks until the test lets it go
      *value = 42;
    });
  });
  in_f.recv();
  const int others = 5;
  for (int i = 0; i < others; i++) {
    goro::go([once, value, returned, seen] {
      bool ran = false;
      once->Do([&] { ran = true; });
      returned->fetch_add(1);
      seen.send(ran ? -1 : *value);
    });
  }
  goro_test::SleepMs(30);
  CHECK(returned->load() == 0);  // all of them wait for f
  release.send({});
  for (int i = 0; i < others; i++) CHECK(seen.recv() == 42);
}

TEST_CASE("Once.Do.ThrowInOneGoroutineIsDoneForOthers") {
  auto once = std::make_shared<Once>();
  auto go_on = goro::make_chan<Empty>();
  auto thrower_saw = goro::make_chan<std::string>(1);
  auto in_f = goro::make_chan<Empty>(1);
  goro::go([once, go_on, thrower_saw, in_f] {
    thrower_saw.send(PanicOf([&] {
      once->Do([&] {
        in_f.send({});
        go_on.recv();
        throw goro::Panic("boom");
      });
    }));
  });
  in_f.recv();
  auto waiter_ran = goro::make_chan<bool>(1);
  goro::go([once, waiter_ran] {
    bool ran = false;
    once->Do([&] { ran = true; });  // blocks until f has thrown, then returns
    waiter_ran.send(ran);
  });
  go_on.send({});
  CHECK(thrower_saw.recv() == "boom");
  CHECK(waiter_ran.recv() == false);
  bool later = false;
  once->Do([&] { later = true; });
  CHECK_FALSE(later);
}

TEST_CASE("Once.Slots.HundredWaitersOneSlot") {
  // With one slot, 100 goroutines waiting in Do for a slow f hand the slot
  // on, so the goroutine f waits for gets to run.
  int prev = goro::runtime::GOMAXPROCS(1);
  auto once = std::make_shared<Once>();
  auto started = std::make_shared<std::atomic<int>>(0);
  auto unblock = goro::make_chan<int>();
  auto sum = std::make_shared<std::atomic<int>>(0);
  goro::sync::WaitGroup wg;
  auto in_f = goro::make_chan<Empty>(1);
  wg.Go([once, unblock, in_f] {
    once->Do([&] {
      in_f.send({});
      unblock.recv();
    });
  });
  in_f.recv();
  const int n = 100;
  for (int i = 0; i < n; i++) {
    wg.Go([once, started, sum] {
      started->fetch_add(1);
      once->Do([] {});
      sum->fetch_add(1);
    });
  }
  bool all_started = Eventually([&] { return started->load() == n; });
  goro::go([unblock] { unblock.send(1); });  // must get a slot
  wg.Wait();
  goro::runtime::GOMAXPROCS(prev);
  CHECK(all_started);
  CHECK(sum->load() == n);
}

TEST_CASE("OnceValue.Concurrent.OneCallManyCallers") {
  std::atomic<int> calls{0};
  auto f = goro::sync::OnceValue([&] {
    calls.fetch_add(1);
    return std::string("value");
  });
  auto results = goro::make_chan<std::string>(64);
  const int n = 50;
  for (int i = 0; i < n; i++) {
    goro::go([f, results] { results.send(f()); });  // copies share the state
  }
  int good = 0;
  for (int i = 0; i < n; i++) good += results.recv() == "value";
  CHECK(good == n);
  CHECK(calls.load() == 1);
}

TEST_CASE("OnceFunc.Copies.ShareOneState") {
  int calls = 0;
  auto a = goro::sync::OnceFunc([&] { calls++; });
  auto b = a;
  std::function<void()> c = b;  // converts to std::function
  c();
  b();
  a();
  CHECK(calls == 1);

  // Each call returns its own copy of the cached value.
  auto v = goro::sync::OnceValue([] { return std::vector<int>{1, 2, 3}; });
  auto v2 = v;
  CHECK(v() == std::vector<int>{1, 2, 3});
  CHECK(v2() == std::vector<int>{1, 2, 3});
}

TEST_CASE("Once.Global.ConstinitWorks") {
  int n = 0;
  global_once.Do([&] { n++; });
  global_once.Do([&] { n++; });
  CHECK(n == 1);
}
