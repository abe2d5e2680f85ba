// test/semaphore_test.cc: tests for goro/semaphore.h.
//
// Part 1 ports x/sync's semaphore/semaphore_test.go (Debian's
// golang-golang-x-sync-dev, plus TestWeightedAcquireCanceled from x/sync
// v0.16); each test names the Go function it ports. The benchmarks are not
// tests.
//
// Part 2 covers the contract beyond Go's tests: strict FIFO (a large waiter at
// the head holds back small ones, and TryAcquire fails while anyone waits), a
// cancelled Acquire leaves the semaphore unchanged (also when its grant races
// with the cancellation, hammered), an over-release panics and changes
// nothing, the handle shares, Release/Acquire order memory, and blocked
// Acquires hand their slot on (checked with GOMAXPROCS=1).
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "goro/context.h"
#include "goro/errgroup.h"
#include "goro/semaphore.h"
#include "goro/time.h"
#include "goro_test.h"

namespace {

namespace context = goro::context;
namespace semaphore = goro::semaphore;
namespace time = goro::time;
using goro::Empty;
using goro_test::Eventually;
using goro_test::PanicOf;

using goro_test::WithProcs;

// HasWaiters reports whether anyone is queued on sem: TryAcquire(0) fails only
// then (0 tokens always fit).
bool HasWaiters(const semaphore::Weighted& sem) { return !sem.TryAcquire(0); }

// WaitForWaiters waits until exactly n goroutines are queued on sem.
bool WaitForWaiters(const semaphore::Weighted& sem, size_t n = 1) {
  return Eventually([&] { return semaphore::internal::NumWaiters(sem) == n; });
}

}  // namespace

// ===========================================================================
// Part 1: x/sync semaphore_test.go
// ===========================================================================

// semaphore_test.go: TestWeighted. The weights are 0..n-1 on a semaphore of
// size n; on top of Go's test, the tokens held at once never exceed n.
TEST_CASE("Semaphore.Go.Weighted") {
  const int n = goro_test::Procs();
  const int loops = goro_test::Scaled(10000 / n) / 10 + 1;  // Go sleeps ~0.5 ms per loop
  auto sem = semaphore::NewWeighted(n);
  auto held = std::make_shared<std::atomic<int64_t>>(0);
  auto over = std::make_shared<std::atomic<bool>>(false);
  goro::sync::WaitGroup wg;
  for (int i = 0; i < n; i++) {
    wg.Go([=] {
      std::mt19937_64 rng(i + 1);
      int64_t max_sleep = (1 * time::Millisecond).Nanoseconds();
      for (int l = 0; l < loops; l++) {
        (void)sem.Acquire(context::Background(), i);
        if (held->fetch_add(i) + i > n) over->store(true);
        time::Sleep(time::Duration(static_cast<int64_t>(rng() % max_sleep)));
        held->fetch_sub(i);
        sem.Release(i);
      }
    });
  }
  wg.Wait();
  CHECK_FALSE(over->load());
  CHECK(sem.TryAcquire(n));  // every token came back
}

// semaphore_test.go: TestWeightedPanic.
TEST_CASE("Semaphore.Go.WeightedPanic") {
  auto w = semaphore::NewWeighted(1);
  CHECK(PanicOf([&] { w.Release(1); }) == "semaphore: released more than held");
}

// semaphore_test.go: TestWeightedTryAcquire.
TEST_CASE("Semaphore.Go.WeightedTryAcquire") {
  context::Context ctx = context::Background();
  auto sem = semaphore::NewWeighted(2);
  std::vector<bool> tries;
  REQUIRE(sem.Acquire(ctx, 1).ok());
  tries.push_back(sem.TryAcquire(1));
  tries.push_back(sem.TryAcquire(1));
  sem.Release(2);
  tries.push_back(sem.TryAcquire(1));
  REQUIRE(sem.Acquire(ctx, 1).ok());
  tries.push_back(sem.TryAcquire(1));
  CHECK(tries == std::vector<bool>{true, false, true, false});
}

// semaphore_test.go: TestWeightedAcquire.
TEST_CASE("Semaphore.Go.WeightedAcquire") {
  context::Context ctx = context::Background();
  auto sem = semaphore::NewWeighted(2);
  auto try_acquire = [&](int64_t n) {
    auto [tctx, cancel] = context::WithTimeout(ctx, 10 * time::Millisecond);
    bool ok = sem.Acquire(tctx, n).ok();
    cancel();
    return ok;
  };
  std::vector<bool> tries;
  REQUIRE(sem.Acquire(ctx, 1).ok());
  tries.push_back(try_acquire(1));
  tries.push_back(try_acquire(1));
  sem.Release(2);
  tries.push_back(try_acquire(1));
  REQUIRE(sem.Acquire(ctx, 1).ok());
  tries.push_back(try_acquire(1));
  CHECK(tries == std::vector<bool>{true, false, true, false});
}

// semaphore_test.go: TestWeightedDoesntBlockIfTooBig. Also checks that the
// too-big Acquire returns ctx.Err() once its context is cancelled.
TEST_CASE("Semaphore.Go.WeightedDoesntBlockIfTooBig") {
  const int64_t n = 2;
  auto sem = semaphore::NewWeighted(n);
  auto [bctx, bcancel] = context::WithCancel(context::Background());
  auto big = goro::make_chan<absl::Status>(1);
  goro::go([sem, bctx = bctx, big] { big.send(sem.Acquire(bctx, n + 1)); });

  auto [g, ctx] = goro::errgroup::WithContext(context::Background());
  for (int64_t i = n * 3; i > 0; i--) {
    g.Go([sem, ctx = ctx]() -> absl::Status {
      absl::Status err = sem.Acquire(ctx, 1);
      if (err.ok()) {
        time::Sleep(time::Millisecond);
        sem.Release(1);
      }
      return err;
    });
  }
  CHECK(g.Wait().ok());
  bcancel();
  CHECK(big.recv() == context::Canceled);
  CHECK(sem.TryAcquire(n));
}

// semaphore_test.go: TestLargeAcquireDoesntStarve. Returning is the test.
TEST_CASE("Semaphore.Go.LargeAcquireDoesntStarve") {
  context::Context ctx = context::Background();
  const int64_t n = goro_test::Procs();
  auto sem = semaphore::NewWeighted(n);
  auto running = std::make_shared<std::atomic<bool>>(true);
  goro::sync::WaitGroup wg;
  wg.Add(static_cast<int>(n));
  for (int64_t i = n; i > 0; i--) {
    REQUIRE(sem.Acquire(ctx, 1).ok());
    goro::go([sem, ctx, running, &wg] {
      while (running->load()) {
        time::Sleep(time::Millisecond);
        sem.Release(1);
        (void)sem.Acquire(ctx, 1);
      }
      sem.Release(1);
      wg.Done();
    });
  }
  REQUIRE(sem.Acquire(ctx, n).ok());
  running->store(false);
  sem.Release(n);
  wg.Wait();
  CHECK(sem.TryAcquire(n));
}

// semaphore_test.go: TestAllocCancelDoesntStarve.
TEST_CASE("Semaphore.Go.AllocCancelDoesntStarve") {
  auto sem = semaphore::NewWeighted(10);
  // Block off a portion of the semaphore so that Acquire(_, 10) can eventually succeed.
  REQUIRE(sem.Acquire(context::Background(), 1).ok());
  // In the background, Acquire(_, 10).
  auto [ctx, cancel] = context::WithCancel(context::Background());
  auto big = goro::make_chan<absl::Status>(1);
  goro::go([sem, ctx = ctx, big] { big.send(sem.Acquire(ctx, 10)); });
  // Wait until the Acquire(_, 10) call blocks.
  while (sem.TryAcquire(1)) {
    sem.Release(1);
    goro::runtime::Gosched();
  }
  // Now try to grab a read lock, and simultaneously unblock the Acquire(_, 10) call.
  // Both Acquire calls should unblock and return, in either order.
  goro::go([cancel = cancel] { cancel(); });
  CHECK(sem.Acquire(context::Background(), 1).ok());
  sem.Release(1);
  CHECK(big.recv() == context::Canceled);
  sem.Release(1);
  CHECK(sem.TryAcquire(10));
}

// semaphore_test.go (x/sync v0.16): TestWeightedAcquireCanceled (go.dev/issue/63615).
TEST_CASE("Semaphore.Go.WeightedAcquireCanceled") {
  for (int round = 0; round < 50; round++) {
    auto sem = semaphore::NewWeighted(2);
    auto [ctx, cancel] = context::WithCancel(context::Background());
    REQUIRE(sem.Acquire(context::Background(), 1).ok());
    auto ch = goro::make_chan<Empty>();
    goro::go([sem, cancel = cancel, ch] {
      // Synchronize with the Acquire(2) below.
      while (sem.TryAcquire(1)) {
        sem.Release(1);
        goro::runtime::Gosched();
      }
      // Now cancel ctx, and then release the token.
      cancel();
      sem.Release(1);
      close(ch);
    });
    // Since the context closing happens before enough tokens become
    // available, this Acquire must fail.
    absl::Status err = sem.Acquire(ctx, 2);
    CHECK(err == ctx.Err());
    CHECK(err == context::Canceled);
    // There must always be two tokens in the semaphore after the other
    // goroutine releases the one we held at the start.
    ch.recv();
    REQUIRE(sem.TryAcquire(2));
  }
}

// ===========================================================================
// Part 2: the rest of the contract
// ===========================================================================

TEST_CASE("Semaphore.Acquire.DoneContextFailsEvenWithFreeTokens") {
  auto sem = semaphore::NewWeighted(5);
  auto [ctx, cancel] = context::WithCancel(context::Background());
  cancel();
  CHECK(sem.Acquire(ctx, 1) == context::Canceled);
  CHECK(sem.Acquire(ctx, 0) == context::Canceled);
  CHECK(sem.Acquire(ctx, 6) == context::Canceled);  // too big, ctx already done
  auto [tctx, tcancel] = context::WithTimeout(context::Background(), -time::Second);
  CHECK(sem.Acquire(tctx, 1) == context::DeadlineExceeded);
  tcancel();
  CHECK(sem.TryAcquire(5));  // nothing was taken
}

TEST_CASE("Semaphore.StrictFIFO.LargeHeadHoldsBackSmallOnes") {
  auto sem = semaphore::NewWeighted(10);
  REQUIRE(sem.Acquire(context::Background(), 10).ok());
  auto order = goro::make_chan<int>(3);
  // The large waiter queues first, the small one behind it.
  goro::go([sem, order] {
    (void)sem.Acquire(context::Background(), 10);
    order.send(10);
  });
  REQUIRE(WaitForWaiters(sem, 1));
  goro::go([sem, order] {
    (void)sem.Acquire(context::Background(), 1);
    order.send(1);
  });
  REQUIRE(WaitForWaiters(sem, 2));
  sem.Release(5);  // 5 free: enough for the small one, not for the head
  CHECK(semaphore::internal::NumWaiters(sem) == 2);  // the grant is synchronous: none
  CHECK_FALSE(sem.TryAcquire(1));  // 5 tokens free, but people are waiting
  CHECK(goro::len(order) == 0);
  sem.Release(5);  // now the head fits; the small one still waits behind it
  CHECK(order.recv() == 10);
  CHECK(semaphore::internal::NumWaiters(sem) == 1);
  sem.Release(10);
  CHECK(order.recv() == 1);
  sem.Release(1);
  CHECK(sem.TryAcquire(10));
}

TEST_CASE("Semaphore.StrictFIFO.GrantsInArrivalOrder") {
  // Waiters of mixed weights queue in a known order on a full semaphore of
  // size 3. Each reports its grant before it releases, so `order` lists the
  // grants in the order they happened: FIFO means 0, 1, ..., n-1 exactly,
  // although a small later waiter often fits while an earlier large one waits.
  auto sem = semaphore::NewWeighted(3);
  REQUIRE(sem.Acquire(context::Background(), 3).ok());
  const int n = 12;
  auto order = goro::make_chan<int>(n);
  goro::sync::WaitGroup waiters;
  for (int i = 0; i < n; i++) {
    int64_t w = 3 - i % 3;  // 3, 2, 1, 3, 2, 1, ...
    waiters.Go([sem, order, i, w] {
      (void)sem.Acquire(context::Background(), w);
      order.send(i);
      sem.Release(w);
    });
    REQUIRE(WaitForWaiters(sem, static_cast<size_t>(i + 1)));
  }
  sem.Release(3);
  std::vector<int> got;
  for (int i = 0; i < n; i++) got.push_back(order.recv());
  // Weights 3,2,1 on size 3: waiter 0 (3) alone; then 1 (2) and 2 (1) together,
  // so their reports may swap; the groups never mix.
  for (int i = 0; i < n; i += 3) {
    CHECK(got[i] == i);
    CHECK(((got[i + 1] == i + 1 && got[i + 2] == i + 2) ||
           (got[i + 1] == i + 2 && got[i + 2] == i + 1)));
  }
  waiters.Wait();
  CHECK(sem.TryAcquire(3));
}

TEST_CASE("Semaphore.Cancel.LeavesTheSemaphoreUnchanged") {
  auto sem = semaphore::NewWeighted(3);
  REQUIRE(sem.Acquire(context::Background(), 2).ok());
  auto [ctx, cancel] = context::WithCancel(context::Background());
  auto res = goro::make_chan<absl::Status>(1);
  goro::go([sem, ctx = ctx, res] { res.send(sem.Acquire(ctx, 3)); });
  REQUIRE(WaitForWaiters(sem));
  CHECK_FALSE(sem.TryAcquire(1));  // the waiter holds back TryAcquire
  cancel();
  CHECK(res.recv() == context::Canceled);
  CHECK_FALSE(HasWaiters(sem));
  // Still exactly 1 free and 2 held.
  CHECK_FALSE(sem.TryAcquire(2));
  CHECK(sem.TryAcquire(1));
  sem.Release(3);
  CHECK(sem.TryAcquire(3));
  CHECK(PanicOf([&] { sem.Release(4); }) == "semaphore: released more than held");
  sem.Release(3);
}

TEST_CASE("Semaphore.Cancel.HeadLeavingLetsOthersThrough") {
  auto sem = semaphore::NewWeighted(4);
  REQUIRE(sem.Acquire(context::Background(), 2).ok());
  auto [ctx, cancel] = context::WithCancel(context::Background());
  auto big = goro::make_chan<absl::Status>(1);
  goro::go([sem, ctx = ctx, big] { big.send(sem.Acquire(ctx, 4)); });
  REQUIRE(WaitForWaiters(sem));
  auto small = goro::make_chan<absl::Status>(2);
  for (int i = 0; i < 2; i++) {
    goro::go([sem, small] { small.send(sem.Acquire(context::Background(), 1)); });
  }
  REQUIRE(WaitForWaiters(sem, 3));  // both queued behind the head
  cancel();
  CHECK(big.recv() == context::Canceled);
  // The two small ones fit in the 2 free tokens and must not stay stuck.
  CHECK(small.recv().ok());
  CHECK(small.recv().ok());
  sem.Release(4);
  CHECK(sem.TryAcquire(4));
}

// Grants racing with cancellations: whatever wins, every token comes back.
TEST_CASE("Semaphore.Cancel.RacingGrantsGiveTokensBack") {
  const int64_t size = 4;
  auto sem = semaphore::NewWeighted(size);
  auto held = std::make_shared<std::atomic<int64_t>>(0);
  auto over = std::make_shared<std::atomic<bool>>(false);
  auto granted = std::make_shared<std::atomic<int>>(0);
  auto cancelled = std::make_shared<std::atomic<int>>(0);
  const int workers = 8;
  const int loops = goro_test::Scaled(300);
  goro::sync::WaitGroup wg;
  for (int w = 0; w < workers; w++) {
    wg.Go([=] {
      std::mt19937 rng(w * 7919 + 1);
      for (int l = 0; l < loops; l++) {
        int64_t n = 1 + rng() % size;
        auto [ctx, cancel] = context::WithCancel(context::Background());
        if (rng() % 2 == 0) {
          goro::go([cancel = cancel] { cancel(); });  // cancel at about the same time
        }
        absl::Status err = sem.Acquire(ctx, n);
        if (err.ok()) {
          if (held->fetch_add(n) + n > size) over->store(true);
          goro::runtime::Gosched();
          held->fetch_sub(n);
          sem.Release(n);
          granted->fetch_add(1);
        } else {
          cancelled->fetch_add(1);
        }
        cancel();
      }
    });
  }
  wg.Wait();
  CHECK_FALSE(over->load());
  CHECK(granted->load() + cancelled->load() == workers * loops);
  CHECK(granted->load() > 0);
  CHECK_FALSE(HasWaiters(sem));
  CHECK(sem.TryAcquire(size));  // no token lost, none created
  CHECK_FALSE(sem.TryAcquire(1));
}

TEST_CASE("Semaphore.Release.PanicChangesNothing") {
  semaphore::Weighted sem(3);
  REQUIRE(sem.TryAcquire(2));
  CHECK(PanicOf([&] { sem.Release(3); }) == "semaphore: released more than held");
  // Still 2 held: 1 free.
  CHECK_FALSE(sem.TryAcquire(2));
  CHECK(sem.TryAcquire(1));
  sem.Release(3);
  CHECK(sem.TryAcquire(3));
}

TEST_CASE("Semaphore.Weighted.CopiesShareTheSemaphore") {
  semaphore::Weighted a(2);
  semaphore::Weighted b = a;
  CHECK(a == b);
  CHECK_FALSE(a == semaphore::Weighted(2));
  REQUIRE(a.TryAcquire(2));
  CHECK_FALSE(b.TryAcquire(1));
  b.Release(2);
  CHECK(a.TryAcquire(2));
  a.Release(2);
  // A zero-size semaphore, as Go's zero Weighted: only weight 0 fits.
  semaphore::Weighted zero(0);
  CHECK(zero.TryAcquire(0));
  CHECK_FALSE(zero.TryAcquire(1));
}

// A semaphore of size 1 as a mutex: the protected plain counter must come out
// exact, and ThreadSanitizer must see Release happen before the next Acquire.
TEST_CASE("Semaphore.MemoryOrdering.ReleaseHappensBeforeAcquire") {
  auto sem = semaphore::NewWeighted(1);
  auto counter = std::make_shared<int64_t>(0);
  const int workers = 4;
  const int loops = goro_test::Scaled(2000);
  goro::sync::WaitGroup wg;
  for (int w = 0; w < workers; w++) {
    wg.Go([=] {
      for (int l = 0; l < loops; l++) {
        if (l % 2 == 0) {
          (void)sem.Acquire(context::Background(), 1);
        } else {
          while (!sem.TryAcquire(1)) goro::runtime::Gosched();
        }
        ++*counter;
        sem.Release(1);
      }
    });
  }
  wg.Wait();
  CHECK(*counter == workers * loops);
}

// With one slot, goroutines blocked in Acquire must hand the slot on:
// otherwise the goroutine that releases never runs.
TEST_CASE("Semaphore.GOMAXPROCS1.BlockedAcquireDoesNotStall") {
  WithProcs(1, [] {
    auto sem = semaphore::NewWeighted(1);
    REQUIRE(sem.TryAcquire(1));
    const int n = 20;
    auto done = goro::make_chan<int>(n);
    for (int i = 0; i < n; i++) {
      goro::go([sem, done, i] {
        (void)sem.Acquire(context::Background(), 1);
        sem.Release(1);
        done.send(i);
      });
    }
    // A goroutine that must still run while the others are blocked.
    auto released = goro::make_chan<Empty>();
    goro::go([sem, released] {
      goro::runtime::Gosched();
      sem.Release(1);
      close(released);
    });
    released.recv();
    for (int i = 0; i < n; i++) (void)done.recv();
    CHECK(sem.TryAcquire(1));
  });
}

TEST_CASE("Semaphore.GOMAXPROCS1.TimedOutAcquireDoesNotStall") {
  WithProcs(1, [] {
    auto sem = semaphore::NewWeighted(1);
    REQUIRE(sem.TryAcquire(1));
    auto res = goro::make_chan<absl::Status>(1);
    goro::go([sem, res] {
      auto [ctx, cancel] = context::WithTimeout(context::Background(), 20 * time::Millisecond);
      res.send(sem.Acquire(ctx, 1));
      cancel();
    });
    // Meanwhile another goroutine computes and reports.
    auto other = goro::make_chan<int>(1);
    goro::go([other] { other.send(42); });
    CHECK(other.recv() == 42);
    CHECK(res.recv() == context::DeadlineExceeded);
    sem.Release(1);
    CHECK(sem.TryAcquire(1));
  });
}
