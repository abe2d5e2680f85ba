// test/cond_test.cc: tests for goro::sync::Cond (goro/sync/cond.h).
//
// Part 1 ports Go 1.19's src/sync/cond_test.go: TestCondSignal,
// TestCondSignalGenerations, TestCondBroadcast, TestRace,
// TestCondSignalStealing. TestCondCopy (a run-time "sync.Cond is copied"
// panic) becomes a compile-time check: a Cond cannot be copied. The
// benchmarks are not ported here. Go's t.Fatal inside a goroutine becomes a
// counter the test body checks.
//
// Part 2 covers goro's contracts: FIFO wake order for Signal, Signal and
// Broadcast without holding L, a Cond over RWMutex::RLocker, misuse (Wait
// without L, nil L) leaving the Cond usable, the Cond's shape and NewCond,
// and 100 goroutines blocked in Wait at GOMAXPROCS=1 not stopping others.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <atomic>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "goro/sync.h"
#include "goro/time.h"
#include "goro_test.h"

namespace {

using goro::Empty;
using goro::sync::Cond;
using goro::sync::Locker;
using goro::sync::Mutex;
using goro_test::Eventually;
using goro_test::PanicOf;
namespace time = goro::time;

// Go's TestCondCopy, at compile time.
static_assert(!std::is_copy_constructible_v<Cond>);
static_assert(!std::is_copy_assignable_v<Cond>);
static_assert(!std::is_move_constructible_v<Cond>);

// Received reports whether c had a value ready (Go's select with default).
template <class T>
bool Received(const goro::chan<T>& c) {
  bool got = false;
  goro::select(goro::case_recv(c, [&] { got = true; }), goro::case_default());
  return got;
}

}  // namespace

// ---------------------------------------------------------------------------
// Part 1: Go 1.19's src/sync/cond_test.go

TEST_CASE("Cond.Go.TestCondSignal") {
  Mutex m;
  auto c = goro::sync::NewCond(&m);
  int n = 2;
  auto running = goro::make_chan<bool>(n);
  auto awake = goro::make_chan<bool>(n);
  goro::sync::WaitGroup wg;  // m and c live on this stack: wait for the goroutines
  for (int i = 0; i < n; i++) {
    wg.Go([&m, &c, running, awake] {
      m.Lock();
      running.send(true);
      c.Wait();
      awake.send(true);
      m.Unlock();
    });
  }
  for (int i = 0; i < n; i++) running.recv();  // wait for everyone to run
  int not_asleep = 0, too_many = 0;
  while (n > 0) {
    if (Received(awake)) not_asleep++;  // goroutine not asleep
    m.Lock();
    c.Signal();
    m.Unlock();
    awake.recv();  // will deadlock if no goroutine wakes up
    if (Received(awake)) too_many++;  // too many goroutines awake
    n--;
  }
  c.Signal();
  wg.Wait();
  CHECK(not_asleep == 0);
  CHECK(too_many == 0);
}

TEST_CASE("Cond.Go.TestCondSignalGenerations") {
  Mutex m;
  auto c = goro::sync::NewCond(&m);
  const int n = 100;
  auto running = goro::make_chan<bool>(n);
  auto awake = goro::make_chan<int>(n);
  int wrong = 0;
  goro::sync::WaitGroup wg;  // m and c live on this stack: wait for the goroutines
  for (int i = 0; i < n; i++) {
    wg.Add(1);
    goro::go([&m, &c, &wg, running, awake](int id) {
      m.Lock();
      running.send(true);
      c.Wait();
      awake.send(id);
      m.Unlock();
      wg.Done();
    }, i);
    if (i > 0) {
      int a = awake.recv();
      if (a != i - 1) wrong++;  // wrong goroutine woke up
    }
    running.recv();
    m.Lock();
    c.Signal();
    m.Unlock();
  }
  awake.recv();  // the last one (Go leaves it running)
  wg.Wait();
  CHECK(wrong == 0);
}

TEST_CASE("Cond.Go.TestCondBroadcast") {
  Mutex m;
  auto c = goro::sync::NewCond(&m);
  const int n = 200;
  auto running = goro::make_chan<int>(n);
  auto awake = goro::make_chan<int>(n);
  bool exit = false;  // guarded by m
  goro::sync::WaitGroup wg;
  for (int i = 0; i < n; i++) {
    wg.Go([&m, &c, &exit, running, awake, i] {
      m.Lock();
      while (!exit) {
        running.send(i);
        c.Wait();
        awake.send(i);
      }
      m.Unlock();
    });
  }
  int not_asleep = 0, twice = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) running.recv();  // will deadlock unless n are running
    if (i == n - 1) {
      m.Lock();
      exit = true;
      m.Unlock();
    }
    if (Received(awake)) not_asleep++;  // goroutine not asleep
    m.Lock();
    c.Broadcast();
    m.Unlock();
    std::vector<bool> seen(n);
    for (int j = 0; j < n; j++) {
      int g = awake.recv();
      if (seen[g]) twice++;  // goroutine woke up twice
      seen[g] = true;
    }
  }
  wg.Wait();
  CHECK_FALSE(Received(running));  // goroutine did not exit
  c.Broadcast();
  CHECK(not_asleep == 0);
  CHECK(twice == 0);
}

TEST_CASE("Cond.Go.TestRace") {
  int x = 0;  // plain, guarded by c.L: ThreadSanitizer checks the edges
  Mutex mu;
  auto c = goro::sync::NewCond(&mu);
  auto done = goro::make_chan<bool>();
  std::atomic<int> errors{0};
  goro::go([&] {
    c.L.Lock();
    x = 1;
    c.Wait();
    if (x != 2) errors.fetch_add(1);  // want 2
    x = 3;
    c.Signal();
    c.L.Unlock();
    done.send(true);
  });
  goro::go([&] {
    c.L.Lock();
    for (;;) {
      if (x == 1) {
        x = 2;
        c.Signal();
        break;
      }
      c.L.Unlock();
      goro::runtime::Gosched();
      c.L.Lock();
    }
    c.L.Unlock();
    done.send(true);
  });
  goro::go([&] {
    c.L.Lock();
    for (;;) {
      if (x == 2) {
        c.Wait();
        if (x != 3) errors.fetch_add(1);  // want 3
        break;
      }
      if (x == 3) break;
      c.L.Unlock();
      goro::runtime::Gosched();
      c.L.Lock();
    }
    c.L.Unlock();
    done.send(true);
  });
  done.recv();
  done.recv();
  done.recv();
  CHECK(errors.load() == 0);
}

TEST_CASE("Cond.Go.TestCondSignalStealing") {
  const int iters = goro_test::UnderSanitizer() ? 100 : 1000;
  int missed = 0;
  for (int it = 0; it < iters; it++) {
    auto m = std::make_shared<Mutex>();
    auto cond = std::make_shared<Cond>(m.get());
    // Start a waiter.
    auto ch = goro::make_chan<Empty>();
    goro::go([m, cond, ch] {
      m->Lock();
      ch.send({});
      cond->Wait();
      m->Unlock();
      ch.send({});
    });
    ch.recv();
    m->Lock();
    m->Unlock();
    // The waiter is in Wait. Race a Broadcast against a new waiter: the new
    // one may or may not be woken, but the first one must be.
    auto done = std::make_shared<bool>(false);  // guarded by m
    goro::go([cond] { cond->Broadcast(); });
    goro::go([m, cond, done] {
      m->Lock();
      while (!*done) cond->Wait();
      m->Unlock();
    });
    if (goro::select(goro::case_recv(ch), goro::case_recv(time::After(2 * time::Second))) != 0) {
      missed++;  // first waiter didn't get broadcast
      break;
    }
    // Release the second waiter in case it didn't get the broadcast.
    m->Lock();
    *done = true;
    m->Unlock();
    cond->Broadcast();
  }
  CHECK(missed == 0);
}

// ---------------------------------------------------------------------------
// Part 2: goro's contracts

TEST_CASE("Cond.Shape.NewCondAndMemberL") {
  Mutex mu;
  auto c = goro::sync::NewCond(&mu);  // guaranteed copy elision
  CHECK(c.L == Locker(&mu));
  Cond d(&mu);  // Cond{L: &mu}
  CHECK(d.L == c.L);
  Cond e;  // var e sync.Cond; e.L = &mu
  CHECK_FALSE(static_cast<bool>(e.L));
  e.L = &mu;
  CHECK(e.L == c.L);
  // Signal and Broadcast with nobody waiting do nothing.
  e.Signal();
  e.Broadcast();
}

TEST_CASE("Cond.Signal.FifoWithoutHoldingL") {
  // Waiters enter Wait in a known order (each is inside Wait before the next
  // starts: it took its ticket while holding L). Signal, called without L,
  // wakes them in that order.
  Mutex m;
  Cond c(&m);
  const int n = 20;
  auto entered = goro::make_chan<int>(n);
  auto woke = goro::make_chan<int>(n);
  for (int i = 0; i < n; i++) {
    goro::go([&m, &c, entered, woke, i] {
      m.Lock();
      entered.send(i);
      c.Wait();
      m.Unlock();
      woke.send(i);
    });
    entered.recv();
    m.Lock();  // i is now parked in Wait (or about to, with its ticket taken)
    m.Unlock();
  }
  int out_of_order = 0;
  for (int i = 0; i < n; i++) {
    c.Signal();  // not holding m
    if (woke.recv() != i) out_of_order++;
  }
  CHECK(out_of_order == 0);
}

TEST_CASE("Cond.Locker.OverRWMutexReadLock") {
  goro::sync::RWMutex rw;
  Cond c(rw.RLocker());
  bool ready = false;  // written under rw.Lock, read under RLock
  const int n = 5;
  goro::sync::WaitGroup wg;
  std::atomic<int> waiting{0};
  for (int i = 0; i < n; i++) {
    wg.Go([&] {
      c.L.Lock();  // a read lock: all n hold it at once
      waiting.fetch_add(1);
      while (!ready) c.Wait();
      c.L.Unlock();
    });
  }
  REQUIRE(Eventually([&] { return waiting.load() == n; }));
  rw.Lock();  // every reader is parked in Wait (they released their read locks)
  ready = true;
  rw.Unlock();
  c.Broadcast();
  wg.Wait();
  CHECK(rw.TryLock());
  rw.Unlock();
}

TEST_CASE("Cond.Misuse.WaitWithoutLockPanicsAndCondStaysUsable") {
  // Go's Wait calls L.Unlock, which for an unlocked Mutex is fatal in Go.
  // goro throws that panic, and the ticket Wait took is given up so that
  // no later Signal is lost on it.
  Mutex m;
  Cond c(&m);
  CHECK(PanicOf([&] { c.Wait(); }) == "sync: unlock of unlocked mutex");
  CHECK(m.TryLock());  // L was left as it was
  m.Unlock();

  // A waiter queued before and one after the misuse: two Signals wake both.
  auto entered = goro::make_chan<int>(2);
  auto woke = goro::make_chan<int>(2);
  auto waiter = [&m, &c, entered, woke](int id) {
    m.Lock();
    entered.send(id);
    c.Wait();
    m.Unlock();
    woke.send(id);
  };
  goro::go(waiter, 1);
  entered.recv();
  m.Lock();
  m.Unlock();  // waiter 1 holds a ticket
  CHECK(PanicOf([&] { c.Wait(); }) == "sync: unlock of unlocked mutex");  // abandoned
  goro::go(waiter, 2);
  entered.recv();
  m.Lock();
  m.Unlock();
  c.Signal();
  CHECK(woke.recv() == 1);
  c.Signal();  // passes over the abandoned ticket to waiter 2
  CHECK(woke.recv() == 2);

  // Nil L: Go's nil dereference.
  Cond nil_l;
  CHECK(PanicOf([&] { nil_l.Wait(); }) ==
        "runtime error: invalid memory address or nil pointer dereference");
  // An abandoned ticket still queued when the Cond dies is freed (ASan).
  {
    Mutex m2;
    Cond c2(&m2);
    auto in = goro::make_chan<Empty>(1);
    auto out = goro::make_chan<Empty>(1);
    goro::go([&m2, &c2, in, out] {
      m2.Lock();
      in.send({});
      c2.Wait();
      m2.Unlock();
      out.send({});
    });
    in.recv();
    m2.Lock();
    m2.Unlock();
    CHECK(PanicOf([&] { c2.Wait(); }) == "sync: unlock of unlocked mutex");
    c2.Broadcast();
    out.recv();
    CHECK(PanicOf([&] { c2.Wait(); }) == "sync: unlock of unlocked mutex");
  }
}

TEST_CASE("Cond.Slots.HundredWaitersOneSlot") {
  // With one slot, 100 goroutines parked in Wait hand the slot on: each gets
  // to Wait, another goroutine runs, and Broadcast wakes them all.
  int prev = goro::runtime::GOMAXPROCS(1);
  auto m = std::make_shared<Mutex>();
  auto c = std::make_shared<Cond>(m.get());
  auto waiting = std::make_shared<int>(0);  // guarded by m
  auto go_on = std::make_shared<bool>(false);  // guarded by m
  goro::sync::WaitGroup wg;
  const int n = 100;
  for (int i = 0; i < n; i++) {
    wg.Go([m, c, waiting, go_on] {
      m->Lock();
      ++*waiting;
      while (!*go_on) c->Wait();
      m->Unlock();
    });
  }
  bool all_waiting = Eventually([&] {
    std::lock_guard g(*m);
    return *waiting == n;
  });
  auto ran = goro::make_chan<int>();
  goro::go([ran] { ran.send(7); });
  int v = ran.recv();
  m->Lock();
  *go_on = true;
  m->Unlock();
  c->Broadcast();
  wg.Wait();
  goro::runtime::GOMAXPROCS(prev);
  CHECK(all_waiting);
  CHECK(v == 7);
}

TEST_CASE("Cond.Broadcast.HappensBeforeWokenWaiters") {
  // Plain data written under L before Broadcast is seen by every waiter
  // that Broadcast wakes (ThreadSanitizer checks the edges).
  Mutex m;
  Cond c(&m);
  int payload = 0;
  bool ready = false;
  const int n = 10;
  std::atomic<int> bad{0};
  goro::sync::WaitGroup wg;
  std::atomic<int> in{0};
  for (int i = 0; i < n; i++) {
    wg.Go([&] {
      m.Lock();
      in.fetch_add(1);
      while (!ready) c.Wait();
      if (payload != 99) bad.fetch_add(1);
      m.Unlock();
    });
  }
  REQUIRE(Eventually([&] { return in.load() == n; }));
  m.Lock();
  payload = 99;
  ready = true;
  m.Unlock();
  c.Broadcast();
  wg.Wait();
  CHECK(bad.load() == 0);
}
