// test/mutex_test.cc: tests for goro::sync::Mutex and goro::sync::Locker
// (goro/sync/mutex.h).
//
// Part 1 ports Go 1.19's src/sync/mutex_test.go: TestMutex (with its TryLock
// checks and HammerMutex), TestMutexMisuse (Go runs each misuse in a child
// process because it is fatal there; goro throws, so PanicOf catches it), and
// TestMutexFairness. TestSemaphore is ported as Mutex.Sema.Hammer on the
// runtime semaphore the Mutex parks on. The benchmarks are not ported here.
//
// Part 2 covers goro's contracts: the type's shape (constexpr, not copyable),
// ownership by no goroutine, C++ Lockable use, mutual exclusion and
// happens-before checked by ThreadSanitizer on plain data, starvation mode
// (no waiter starves behind a goroutine that relocks at once), foreign
// threads, 100 goroutines blocked on one Mutex at GOMAXPROCS=1 not stopping
// other goroutines, and Locker.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "goro/sync.h"
#include "goro/time.h"
#include "goro_test.h"

namespace {

using goro::Empty;
using goro::sync::Locker;
using goro::sync::Mutex;
using goro_test::Eventually;
using goro_test::PanicOf;
using goro_test::Scaled;
namespace time = goro::time;

static_assert(!std::is_copy_constructible_v<Mutex>);
static_assert(!std::is_copy_assignable_v<Mutex>);
static_assert(!std::is_move_constructible_v<Mutex>);
static_assert(std::is_default_constructible_v<Mutex>);
static_assert(sizeof(Mutex) == 8, "Go's Mutex is two 32-bit words");
static_assert(std::is_trivially_destructible_v<Mutex>);

// A global Mutex needs no dynamic initialization.
constinit Mutex global_mu;

// Locker is Go's interface: anything with Lock and Unlock converts to it.
static_assert(std::is_convertible_v<Mutex*, Locker>);
static_assert(std::is_convertible_v<Mutex&, Locker>);
static_assert(std::is_convertible_v<goro::sync::RWMutex*, Locker>);
static_assert(!std::is_convertible_v<int*, Locker>);
static_assert(std::is_copy_constructible_v<Locker>);

// Go's HammerMutex: Lock/Unlock, and every third round a TryLock.
void HammerMutex(Mutex* m, int loops, goro::chan<bool> cdone) {
  for (int i = 0; i < loops; i++) {
    if (i % 3 == 0) {
      if (m->TryLock()) m->Unlock();
      continue;
    }
    m->Lock();
    m->Unlock();
  }
  cdone.send(true);
}

}  // namespace

// ---------------------------------------------------------------------------
// Part 1: Go 1.19's src/sync/mutex_test.go

TEST_CASE("Mutex.Go.TestMutex") {
  Mutex m;
  m.Lock();
  CHECK_FALSE(m.TryLock());  // TryLock succeeded with mutex locked
  m.Unlock();
  CHECK(m.TryLock());  // TryLock failed with mutex unlocked
  m.Unlock();

  auto c = goro::make_chan<bool>();
  for (int i = 0; i < 10; i++) goro::go(HammerMutex, &m, Scaled(1000), c);
  for (int i = 0; i < 10; i++) c.recv();
  CHECK(m.TryLock());  // left unlocked
  m.Unlock();
}

TEST_CASE("Mutex.Go.TestMutexMisuse") {
  // Go: fatal "sync: unlock of unlocked mutex", checked in a child process.
  CHECK(PanicOf([] {
          Mutex mu;
          mu.Unlock();
        }) == "sync: unlock of unlocked mutex");  // Mutex.Unlock
  CHECK(PanicOf([] {
          Mutex mu;
          mu.Lock();
          mu.Unlock();
          mu.Unlock();
        }) == "sync: unlock of unlocked mutex");  // Mutex.Unlock2

  // goro: the Mutex is still usable after the panic.
  Mutex mu;
  CHECK(PanicOf([&] { mu.Unlock(); }) == "sync: unlock of unlocked mutex");
  mu.Lock();
  CHECK_FALSE(mu.TryLock());
  mu.Unlock();
  CHECK(mu.TryLock());
  mu.Unlock();
}

TEST_CASE("Mutex.Go.TestMutexFairness") {
  // A goroutine that relocks at once (holding 100 µs each time) must not
  // starve one that locks now and then: starvation mode hands it the lock.
  auto mu = std::make_shared<Mutex>();
  auto stop = goro::make_chan<bool>();
  goro::go([mu, stop] {
    for (;;) {
      mu->Lock();
      time::Sleep(100 * time::Microsecond);
      mu->Unlock();
      bool stopped = false;
      goro::select(goro::case_recv(stop, [&] { stopped = true; }), goro::case_default());
      if (stopped) return;
    }
  });
  auto done = goro::make_chan<bool>(1);
  goro::go([mu, done] {
    for (int i = 0; i < 10; i++) {
      time::Sleep(100 * time::Microsecond);
      mu->Lock();
      mu->Unlock();
    }
    done.send(true);
  });
  int got = goro::select(goro::case_recv(done), goro::case_recv(time::After(10 * time::Second)));
  CHECK(got == 0);  // can't acquire Mutex in 10 seconds
  stop.close();
}

TEST_CASE("Mutex.Sema.Hammer") {
  // Go's TestSemaphore, on goro's runtime semaphore through the Mutex: ten
  // goroutines take turns on a Mutex that is never free for long.
  Mutex m;
  auto c = goro::make_chan<bool>();
  for (int i = 0; i < 10; i++) {
    goro::go([&m, c] {
      for (int j = 0; j < Scaled(1000); j++) {
        m.Lock();
        m.Unlock();
      }
      c.send(true);
    });
  }
  for (int i = 0; i < 10; i++) c.recv();
  CHECK(m.TryLock());
  m.Unlock();
}

// ---------------------------------------------------------------------------
// Part 2: goro's contracts

TEST_CASE("Mutex.Ownership.UnlockedByAnotherGoroutine") {
  // Go: a locked Mutex is not associated with a goroutine.
  Mutex mu;
  mu.Lock();
  auto unlocked = goro::make_chan<Empty>();
  goro::go([&mu, unlocked] {
    mu.Unlock();
    unlocked.send({});
  });
  unlocked.recv();
  CHECK(mu.TryLock());
  // And the other way: a goroutine locks, main unlocks.
  auto locked = goro::make_chan<Empty>();
  mu.Unlock();
  goro::go([&mu, locked] {
    mu.Lock();
    locked.send({});
  });
  locked.recv();
  CHECK_FALSE(mu.TryLock());
  mu.Unlock();
  CHECK(mu.TryLock());
  mu.Unlock();
}

TEST_CASE("Mutex.Lock.BlocksUntilUnlock") {
  auto mu = std::make_shared<Mutex>();
  auto acquired = goro_test::NewFlag();
  auto done = goro::make_chan<Empty>();
  mu->Lock();
  goro::go([mu, acquired, done] {
    mu->Lock();
    acquired->store(true);
    mu->Unlock();
    done.send({});
  });
  CHECK(goro_test::StillBlocked(acquired));
  mu->Unlock();
  done.recv();
  CHECK(acquired->load());
}

TEST_CASE("Mutex.Exclusion.PlainCounterUnderLoad") {
  // ThreadSanitizer checks that the critical sections are ordered: counter is
  // a plain int, written by every goroutine and thread.
  Mutex mu;
  long counter = 0;
  const int goroutines = 8, rounds = Scaled(20000);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  goro::sync::WaitGroup wg;
  auto body = [&] {
    for (int j = 0; j < rounds; j++) {
      mu.Lock();
      if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
      counter++;
      inside.fetch_sub(1);
      mu.Unlock();
    }
  };
  for (int i = 0; i < goroutines; i++) wg.Go(body);
  std::thread foreign(body);  // a foreign thread competes too
  body();                     // and main
  foreign.join();
  wg.Wait();
  CHECK(overlaps.load() == 0);
  CHECK(counter == static_cast<long>(goroutines + 2) * rounds);
}

TEST_CASE("Mutex.Ordering.UnlockHappensBeforeNextLock") {
  // The n-th Unlock happens before the (n+1)-th Lock returns: each goroutine
  // reads what the previous holder wrote, in plain memory.
  Mutex mu;
  std::vector<int> data;  // guarded by mu
  const int n = Scaled(2000);
  goro::sync::WaitGroup wg;
  std::atomic<int> bad{0};
  for (int g = 0; g < 4; g++) {
    wg.Go([&] {
      for (int i = 0; i < n; i++) {
        std::lock_guard hold(mu);
        if (!data.empty() && data.back() != static_cast<int>(data.size()) - 1) bad.fetch_add(1);
        data.push_back(static_cast<int>(data.size()));
      }
    });
  }
  wg.Wait();
  CHECK(bad.load() == 0);
  CHECK(data.size() == static_cast<size_t>(4 * n));
}

TEST_CASE("Mutex.Std.LockableWithGuards") {
  Mutex a, b;
  {
    std::lock_guard g(a);
    CHECK_FALSE(a.try_lock());
  }
  {
    std::unique_lock u(a, std::try_to_lock);
    CHECK(u.owns_lock());
    std::unique_lock v(a, std::try_to_lock);
    CHECK_FALSE(v.owns_lock());
    u.unlock();
    CHECK(v.try_lock());
  }
  // std::scoped_lock over two goro mutexes (std::lock's deadlock avoidance
  // uses try_lock), taken in opposite orders by two sets of goroutines.
  long shared = 0;
  goro::sync::WaitGroup wg;
  const int rounds = Scaled(5000);
  for (int i = 0; i < 4; i++) {
    wg.Go([&, i] {
      for (int j = 0; j < rounds; j++) {
        if (i % 2 == 0) {
          std::scoped_lock l(a, b);
          shared++;
        } else {
          std::scoped_lock l(b, a);
          shared++;
        }
      }
    });
  }
  wg.Wait();
  CHECK(shared == 4L * rounds);
  CHECK(a.TryLock());
  CHECK(b.TryLock());
  a.Unlock();
  b.Unlock();
  // The global one works as well.
  { std::lock_guard g(global_mu); }
  CHECK(global_mu.TryLock());
  global_mu.Unlock();
}

TEST_CASE("Mutex.Starvation.WaiterNotStarvedByTightRelocker") {
  // A holder that unlocks and relocks at once, with no pause at all, would
  // win every race against a parked waiter in normal mode. After 1 ms the
  // waiter turns the mutex to starvation mode and gets it handed over.
  auto mu = std::make_shared<Mutex>();
  auto stop = std::make_shared<std::atomic<bool>>(false);
  auto relocks = std::make_shared<std::atomic<long>>(0);
  auto hog_done = goro::make_chan<Empty>(1);
  auto spin_sink = std::make_shared<std::atomic<int>>(0);  // a little work while held
  goro::go([mu, stop, relocks, hog_done, spin_sink] {
    mu->Lock();
    while (!stop->load(std::memory_order_relaxed)) {
      for (int i = 0; i < 100; i++) spin_sink->fetch_add(1, std::memory_order_relaxed);
      mu->Unlock();
      mu->Lock();
      relocks->fetch_add(1, std::memory_order_relaxed);
    }
    mu->Unlock();
    hog_done.send({});
  });
  REQUIRE(Eventually([&] { return relocks->load() > 10; }));
  auto got = goro::make_chan<Empty>(1);
  goro::go([mu, got] {
    for (int i = 0; i < 20; i++) {
      mu->Lock();
      mu->Unlock();
    }
    got.send({});
  });
  int which = goro::select(goro::case_recv(got), goro::case_recv(time::After(20 * time::Second)));
  stop->store(true);
  hog_done.recv();
  CHECK(which == 0);
}

TEST_CASE("Mutex.Slots.HundredBlockedDoNotStopOthers") {
  // goro's promise: with one slot, 100 goroutines blocked in Lock hand the
  // slot on, so every one of them gets to block, and other goroutines run.
  int prev = goro::runtime::GOMAXPROCS(1);
  auto mu = std::make_shared<Mutex>();
  auto started = std::make_shared<std::atomic<int>>(0);
  auto acquired = std::make_shared<std::atomic<int>>(0);
  goro::sync::WaitGroup wg;
  mu->Lock();
  const int n = 100;
  for (int i = 0; i < n; i++) {
    wg.Go([mu, started, acquired] {
      started->fetch_add(1);
      mu->Lock();
      acquired->fetch_add(1);
      mu->Unlock();
    });
  }
  bool all_started = Eventually([&] { return started->load() == n; });
  auto ran = goro::make_chan<int>();
  goro::go([ran] {
    int s = 0;
    for (int i = 1; i <= 1000; i++) s += i;
    ran.send(s);
  });
  int sum = ran.recv();
  int acquired_while_held = acquired->load();
  mu->Unlock();
  wg.Wait();
  goro::runtime::GOMAXPROCS(prev);
  CHECK(all_started);
  CHECK(sum == 500500);
  CHECK(acquired_while_held == 0);
  CHECK(acquired->load() == n);
}

TEST_CASE("Mutex.Foreign.ThreadsAndGoroutinesShareIt") {
  // Foreign std::threads block in Lock too (they have no slot to hand on).
  Mutex mu;
  int value = 0;
  std::vector<std::thread> threads;
  goro::sync::WaitGroup wg;
  const int rounds = Scaled(3000);
  for (int i = 0; i < 2; i++) {
    threads.emplace_back([&] {
      for (int j = 0; j < rounds; j++) {
        mu.Lock();
        value++;
        mu.Unlock();
      }
    });
    wg.Go([&] {
      for (int j = 0; j < rounds; j++) {
        mu.Lock();
        value++;
        mu.Unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  wg.Wait();
  CHECK(value == 4 * rounds);
}

TEST_CASE("Mutex.Locker.GoInterface") {
  Mutex mu;
  Locker l = &mu;  // var l sync.Locker = &mu
  l.Lock();
  CHECK_FALSE(mu.TryLock());
  l.Unlock();
  CHECK(mu.TryLock());
  mu.Unlock();

  Locker r = mu;  // from a reference
  CHECK(r == l);
  CHECK(static_cast<bool>(r));
  { std::lock_guard g(r); CHECK_FALSE(mu.TryLock()); }  // Locker is Lockable

  // A user type with Go's method names is a Locker too.
  struct Counting {
    int locks = 0, unlocks = 0;
    void Lock() { locks++; }
    void Unlock() { unlocks++; }
  } counting;
  Locker u = &counting;
  u.Lock();
  u.Lock();
  u.Unlock();
  CHECK(counting.locks == 2);
  CHECK(counting.unlocks == 1);
  CHECK_FALSE(u == l);

  // A nil Locker panics as a nil interface does in Go.
  Locker nil;
  CHECK_FALSE(static_cast<bool>(nil));
  CHECK(nil == Locker(nullptr));
  CHECK(PanicOf([&] { nil.Lock(); }) ==
        "runtime error: invalid memory address or nil pointer dereference");
  CHECK(PanicOf([&] { nil.Unlock(); }) ==
        "runtime error: invalid memory address or nil pointer dereference");
  Mutex* none = nullptr;
  Locker typed_nil = none;
  CHECK(PanicOf([&] { typed_nil.Lock(); }) ==
        "runtime error: invalid memory address or nil pointer dereference");
}
