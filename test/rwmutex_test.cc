// test/rwmutex_test.cc: tests for goro::sync::RWMutex (goro/sync/rwmutex.h).
//
// Part 1 ports Go 1.19's src/sync/rwmutex_test.go: TestParallelReaders,
// TestRWMutex (TryLock/TryRLock checks and HammerRWMutex at GOMAXPROCS 1, 4
// and 10), TestRLocker, and the RWMutex half of mutex_test.go's
// TestMutexMisuse (fatal in Go, checked in a child process there; goro
// throws, so PanicOf catches it). Go's reader and writer panic when they see
// the other inside; here they count the violation and the test checks the
// count. The benchmarks are not ported here.
//
// Part 2 covers goro's contracts: writer preference (a waiting writer blocks
// new readers), the std::shared_lock aliases, happens-before from writer to
// readers on plain data, 100 goroutines blocked on one RWMutex at
// GOMAXPROCS=1 not stopping other goroutines, and foreign threads.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "goro/sync.h"
#include "goro_test.h"

namespace {

using goro::Empty;
using goro::sync::Locker;
using goro::sync::RWMutex;
using goro_test::Eventually;
using goro_test::PanicOf;
using goro_test::Scaled;

static_assert(!std::is_copy_constructible_v<RWMutex>);
static_assert(!std::is_copy_assignable_v<RWMutex>);
static_assert(!std::is_move_constructible_v<RWMutex>);
static_assert(std::is_default_constructible_v<RWMutex>);
static_assert(std::is_trivially_destructible_v<RWMutex>);

constinit RWMutex global_rw;  // constexpr default constructor

// Go's parallelReader.
void ParallelReader(RWMutex* m, goro::chan<bool> clocked, goro::chan<bool> cunlock,
                    goro::chan<bool> cdone) {
  m->RLock();
  clocked.send(true);
  cunlock.recv();
  m->RUnlock();
  cdone.send(true);
}

// Go's doTestParallelReaders: all numReaders hold the read lock at once.
void DoTestParallelReaders(int num_readers, int gomaxprocs) {
  goro::runtime::GOMAXPROCS(gomaxprocs);
  RWMutex m;
  auto clocked = goro::make_chan<bool>();
  auto cunlock = goro::make_chan<bool>();
  auto cdone = goro::make_chan<bool>();
  for (int i = 0; i < num_readers; i++) goro::go(ParallelReader, &m, clocked, cunlock, cdone);
  for (int i = 0; i < num_readers; i++) clocked.recv();  // all RLocks succeeded
  for (int i = 0; i < num_readers; i++) cunlock.send(true);
  for (int i = 0; i < num_readers; i++) cdone.recv();
}

// Go's reader and writer: activity counts readers inside plus 10000 per
// writer inside; a violation is counted in bad instead of panicking.
void Reader(RWMutex* rwm, int iterations, std::atomic<int32_t>* activity,
            std::atomic<int>* bad, goro::chan<bool> cdone) {
  for (int i = 0; i < iterations; i++) {
    rwm->RLock();
    int32_t n = activity->fetch_add(1) + 1;
    if (n < 1 || n >= 10000) bad->fetch_add(1);
    for (int j = 0; j < 100; j++) activity->load(std::memory_order_relaxed);
    activity->fetch_add(-1);
    rwm->RUnlock();
  }
  cdone.send(true);
}

void Writer(RWMutex* rwm, int iterations, std::atomic<int32_t>* activity,
            std::atomic<int>* bad, goro::chan<bool> cdone) {
  for (int i = 0; i < iterations; i++) {
    rwm->Lock();
    int32_t n = activity->fetch_add(10000) + 10000;
    if (n != 10000) bad->fetch_add(1);
    for (int j = 0; j < 100; j++) activity->load(std::memory_order_relaxed);
    activity->fetch_add(-10000);
    rwm->Unlock();
  }
  cdone.send(true);
}

// Go's HammerRWMutex; returns the number of violations seen.
int HammerRWMutex(int gomaxprocs, int num_readers, int iterations) {
  goro::runtime::GOMAXPROCS(gomaxprocs);
  std::atomic<int32_t> activity{0};
  std::atomic<int> bad{0};
  RWMutex rwm;
  auto cdone = goro::make_chan<bool>();
  goro::go(Writer, &rwm, iterations, &activity, &bad, cdone);
  int i = 0;
  for (; i < num_readers / 2; i++) goro::go(Reader, &rwm, iterations, &activity, &bad, cdone);
  goro::go(Writer, &rwm, iterations, &activity, &bad, cdone);
  for (; i < num_readers; i++) goro::go(Reader, &rwm, iterations, &activity, &bad, cdone);
  for (int k = 0; k < 2 + num_readers; k++) cdone.recv();
  return bad.load();
}

}  // namespace

// ---------------------------------------------------------------------------
// Part 1: Go 1.19's src/sync/rwmutex_test.go

TEST_CASE("RWMutex.Go.TestParallelReaders") {
  int prev = goro::runtime::GOMAXPROCS(-1);
  DoTestParallelReaders(1, 4);
  DoTestParallelReaders(3, 4);
  DoTestParallelReaders(4, 2);
  goro::runtime::GOMAXPROCS(prev);
  CHECK(true);  // reaching here means all readers held the lock together
}

TEST_CASE("RWMutex.Go.TestRWMutex") {
  RWMutex m;
  m.Lock();
  CHECK_FALSE(m.TryLock());   // TryLock succeeded with mutex locked
  CHECK_FALSE(m.TryRLock());  // TryRLock succeeded with mutex locked
  m.Unlock();

  CHECK(m.TryLock());  // TryLock failed with mutex unlocked
  m.Unlock();

  CHECK(m.TryRLock());        // TryRLock failed with mutex unlocked
  CHECK(m.TryRLock());        // TryRLock failed with mutex rlocked
  CHECK_FALSE(m.TryLock());   // TryLock succeeded with mutex rlocked
  m.RUnlock();
  m.RUnlock();

  int prev = goro::runtime::GOMAXPROCS(-1);
  const int n = goro_test::UnderSanitizer() ? 50 : 1000;
  int bad = 0;
  bad += HammerRWMutex(1, 1, n);
  bad += HammerRWMutex(1, 3, n);
  bad += HammerRWMutex(1, 10, n);
  bad += HammerRWMutex(4, 1, n);
  bad += HammerRWMutex(4, 3, n);
  bad += HammerRWMutex(4, 10, n);
  bad += HammerRWMutex(10, 1, n);
  bad += HammerRWMutex(10, 3, n);
  bad += HammerRWMutex(10, 10, n);
  bad += HammerRWMutex(10, 5, n);
  goro::runtime::GOMAXPROCS(prev);
  CHECK(bad == 0);
}

TEST_CASE("RWMutex.Go.TestRLocker") {
  RWMutex wl;
  Locker rl = wl.RLocker();
  auto wlocked = goro::make_chan<bool>(1);
  auto rlocked = goro::make_chan<bool>(1);
  const int n = 10;
  goro::go([&wl, rl, wlocked, rlocked] {
    for (int i = 0; i < n; i++) {
      rl.Lock();
      rl.Lock();
      rlocked.send(true);
      wl.Lock();
      wlocked.send(true);
    }
  });
  int didnt_read_lock = 0, didnt_respect_write_lock = 0;
  for (int i = 0; i < n; i++) {
    rlocked.recv();
    rl.Unlock();
    goro::select(goro::case_recv(wlocked, [&] { didnt_read_lock++; }), goro::case_default());
    rl.Unlock();
    wlocked.recv();
    goro::select(goro::case_recv(rlocked, [&] { didnt_respect_write_lock++; }),
                 goro::case_default());
    wl.Unlock();
  }
  CHECK(didnt_read_lock == 0);           // RLocker() didn't read-lock it
  CHECK(didnt_respect_write_lock == 0);  // RLocker() didn't respect the write lock
}

TEST_CASE("RWMutex.Go.TestMutexMisuse") {
  // Go's mutex_test.go misuse table, RWMutex rows: fatal in Go.
  const std::string unlock = "sync: Unlock of unlocked RWMutex";
  const std::string runlock = "sync: RUnlock of unlocked RWMutex";
  CHECK(PanicOf([] {
          RWMutex mu;
          mu.Unlock();
        }) == unlock);  // RWMutex.Unlock
  CHECK(PanicOf([] {
          RWMutex mu;
          mu.RLock();
          mu.Unlock();
        }) == unlock);  // RWMutex.Unlock2
  CHECK(PanicOf([] {
          RWMutex mu;
          mu.Lock();
          mu.Unlock();
          mu.Unlock();
        }) == unlock);  // RWMutex.Unlock3
  CHECK(PanicOf([] {
          RWMutex mu;
          mu.RUnlock();
        }) == runlock);  // RWMutex.RUnlock
  CHECK(PanicOf([] {
          RWMutex mu;
          mu.Lock();
          mu.RUnlock();
        }) == runlock);  // RWMutex.RUnlock2
  CHECK(PanicOf([] {
          RWMutex mu;
          mu.RLock();
          mu.RUnlock();
          mu.RUnlock();
        }) == runlock);  // RWMutex.RUnlock3

  // goro: the state is left as it was, so the lock stays usable.
  RWMutex mu;
  mu.RLock();
  CHECK(PanicOf([&] { mu.Unlock(); }) == unlock);
  CHECK_FALSE(mu.TryLock());  // still read-locked
  mu.RUnlock();
  CHECK(PanicOf([&] { mu.RUnlock(); }) == runlock);
  mu.Lock();
  CHECK(PanicOf([&] { mu.RUnlock(); }) == runlock);
  CHECK_FALSE(mu.TryRLock());  // still write-locked
  mu.Unlock();
  CHECK(mu.TryLock());
  mu.Unlock();
  CHECK(mu.TryRLock());
  mu.RUnlock();
}

// ---------------------------------------------------------------------------
// Part 2: goro's contracts

TEST_CASE("RWMutex.WriterPreference.WaitingWriterBlocksNewReaders") {
  auto mu = std::make_shared<RWMutex>();
  auto order = goro::make_chan<std::string>(2);
  auto writer_in = goro_test::NewFlag();
  auto reader_in = goro_test::NewFlag();
  mu->RLock();  // an early reader holds the lock
  goro::go([mu, order, writer_in] {
    mu->Lock();
    writer_in->store(true);
    order.send("writer");
    mu->Unlock();
  });
  // Once the writer is waiting, TryRLock fails although only readers hold it.
  bool writer_pending = Eventually([&] {
    if (mu->TryRLock()) {
      mu->RUnlock();
      return false;
    }
    return true;
  });
  REQUIRE(writer_pending);
  goro::go([mu, order, reader_in] {
    mu->RLock();  // must wait for the writer's turn
    reader_in->store(true);
    order.send("reader");
    mu->RUnlock();
  });
  CHECK(goro_test::StillBlocked(reader_in));
  CHECK_FALSE(writer_in->load());  // the early reader still holds it
  mu->RUnlock();
  CHECK(order.recv() == "writer");
  CHECK(order.recv() == "reader");
}

TEST_CASE("RWMutex.Std.SharedLockable") {
  RWMutex mu;
  {
    std::shared_lock r1(mu);
    std::shared_lock r2(mu, std::try_to_lock);
    CHECK(r2.owns_lock());
    std::unique_lock w(mu, std::try_to_lock);
    CHECK_FALSE(w.owns_lock());
  }
  {
    std::lock_guard w(mu);
    std::shared_lock r(mu, std::try_to_lock);
    CHECK_FALSE(r.owns_lock());
  }
  { std::shared_lock g(global_rw); }
  { std::unique_lock g(global_rw); }
  CHECK(global_rw.TryLock());
  global_rw.Unlock();
}

TEST_CASE("RWMutex.Ordering.WriterToReaders") {
  // Plain data written under Lock is read under RLock: ThreadSanitizer checks
  // the happens-before edges (Unlock -> RLock, RUnlock -> Lock).
  RWMutex mu;
  std::map<int, int> table;  // guarded by mu
  const int rounds = Scaled(2000);
  std::atomic<int> bad{0};
  goro::sync::WaitGroup wg;
  wg.Go([&] {
    for (int i = 0; i < rounds; i++) {
      std::lock_guard w(mu);
      table[i] = i * 2;
    }
  });
  for (int r = 0; r < 3; r++) {
    wg.Go([&] {
      for (int i = 0; i < rounds; i++) {
        std::shared_lock g(mu);
        for (auto& [k, v] : table) {
          if (v != k * 2) bad.fetch_add(1);
        }
        if (!table.empty() && table.rbegin()->first + 1 != static_cast<int>(table.size())) {
          bad.fetch_add(1);
        }
      }
    });
  }
  wg.Wait();
  CHECK(bad.load() == 0);
  CHECK(table.size() == static_cast<size_t>(rounds));
}

TEST_CASE("RWMutex.Slots.HundredBlockedDoNotStopOthers") {
  // With one slot, 90 readers and 10 writers blocked behind a writer hand the
  // slot on: all of them get to block and other goroutines still run.
  int prev = goro::runtime::GOMAXPROCS(1);
  auto mu = std::make_shared<RWMutex>();
  auto started = std::make_shared<std::atomic<int>>(0);
  auto got = std::make_shared<std::atomic<int>>(0);
  goro::sync::WaitGroup wg;
  mu->Lock();
  const int n = 100;
  for (int i = 0; i < n; i++) {
    wg.Go([mu, started, got, i] {
      started->fetch_add(1);
      if (i % 10 == 0) {
        mu->Lock();
        got->fetch_add(1);
        mu->Unlock();
      } else {
        mu->RLock();
        got->fetch_add(1);
        mu->RUnlock();
      }
    });
  }
  bool all_started = Eventually([&] { return started->load() == n; });
  auto ran = goro::make_chan<int>();
  goro::go([ran] { ran.send(42); });
  int v = ran.recv();
  int got_while_held = got->load();
  mu->Unlock();
  wg.Wait();
  goro::runtime::GOMAXPROCS(prev);
  CHECK(all_started);
  CHECK(v == 42);
  CHECK(got_while_held == 0);
  CHECK(got->load() == n);
}

TEST_CASE("RWMutex.Foreign.ThreadsAndGoroutines") {
  RWMutex mu;
  long value = 0;
  std::atomic<int> bad{0};
  const int rounds = Scaled(2000);
  auto writer = [&] {
    for (int i = 0; i < rounds; i++) {
      mu.Lock();
      value++;
      mu.Unlock();
    }
  };
  auto reader = [&] {
    for (int i = 0; i < rounds; i++) {
      mu.RLock();
      if (value < 0) bad.fetch_add(1);
      mu.RUnlock();
    }
  };
  std::thread t1(writer), t2(reader);
  goro::sync::WaitGroup wg;
  wg.Go(writer);
  wg.Go(reader);
  t1.join();
  t2.join();
  wg.Wait();
  CHECK(bad.load() == 0);
  CHECK(value == 2L * rounds);
}

TEST_CASE("RWMutex.RLocker.LocksForReading") {
  RWMutex mu;
  Locker r = mu.RLocker();
  CHECK(static_cast<bool>(r));
  CHECK(r == mu.RLocker());
  CHECK_FALSE(r == Locker(&mu));
  r.Lock();
  CHECK(mu.TryRLock());  // readers share
  CHECK_FALSE(mu.TryLock());
  mu.RUnlock();
  r.Unlock();
  CHECK(mu.TryLock());
  mu.Unlock();
  CHECK(PanicOf([&] { r.Unlock(); }) == "sync: RUnlock of unlocked RWMutex");
}
