// test/barrier_test.cc: tests for goro::sync::Barrier (goro/sync/barrier.h).
//
// Go has no barrier, so nothing here is a port. Covers: the n <= 0 panic; n=1;
// N goroutines through many phases (nobody runs ahead, exactly one true per
// phase, writes before Wait visible after it); the serial-step idiom; 100
// goroutines at GOMAXPROCS=1 (slot hand-off); participants on foreign threads;
// a Barrier destroyed right after its waiters return; Wait(ctx): already-done
// contexts, a withdrawal that leaves the count right until a replacement
// arrives, deadlines, and cancellation racing with the phase completing (a
// waiter is never both counted and withdrawn); a mixed stress.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "goro/context.h"
#include "goro/sync.h"
#include "goro/time.h"
#include "goro_test.h"

namespace {

namespace context = goro::context;
using goro::sync::Barrier;
using goro_test::PanicOf;
using goro_test::Scaled;

static_assert(!std::is_copy_constructible_v<Barrier>);
static_assert(!std::is_copy_assignable_v<Barrier>);
static_assert(!std::is_move_constructible_v<Barrier>);
static_assert(!std::is_default_constructible_v<Barrier>);
static_assert(!std::is_convertible_v<int, Barrier>);  // explicit

// RunPhases runs n goroutines through `phases` phases of b and checks, inside
// each goroutine, that no one ran ahead and that the plain (non-atomic) cell
// every goroutine wrote before Wait is visible to all after it. It returns the
// number of failed checks and fills trues[p] with the true results of phase p.
int RunPhases(Barrier& b, int n, int phases, std::vector<std::atomic<int>>& trues) {
  std::vector<std::atomic<int>> arrived(phases);
  std::vector<std::vector<int>> cells(phases, std::vector<int>(n, -1));
  std::atomic<int> failures{0};
  goro::sync::WaitGroup wg;
  for (int w = 0; w < n; w++) {
    wg.Go([&, w] {
      for (int p = 0; p < phases; p++) {
        cells[p][w] = w * 7 + p;  // plain write, ordered by the Barrier only
        arrived[p].fetch_add(1, std::memory_order_relaxed);
        if (b.Wait()) trues[p].fetch_add(1);
        if (arrived[p].load(std::memory_order_relaxed) != n) failures.fetch_add(1);
        for (int j = 0; j < n; j++) {
          if (cells[p][j] != j * 7 + p) failures.fetch_add(1);
        }
      }
    });
  }
  wg.Wait();
  return failures.load();
}

}  // namespace

TEST_CASE("Barrier.New.NonPositivePanics") {
  CHECK(PanicOf([] { Barrier b(0); }) == "sync: non-positive Barrier count");
  CHECK(PanicOf([] { Barrier b(-3); }) == "sync: non-positive Barrier count");
  CHECK(PanicOf([] { Barrier b(1); }) == "no panic");
  Barrier big(1 << 30);
  CHECK(big.N() == 1 << 30);
  CHECK(big.Phase() == 0);
}

TEST_CASE("Barrier.Wait.OneParty") {
  Barrier b(1);
  for (int i = 0; i < 1000; i++) CHECK(b.Wait());
  CHECK(b.Phase() == 1000);
  auto r = b.Wait(context::Background());
  REQUIRE(r.ok());
  CHECK(*r);
  CHECK(b.Phase() == 1001);
}

TEST_CASE("Barrier.Wait.PhasesNoOneRunsAhead") {
  for (int n : {2, 3, 8}) {
    CAPTURE(n);
    const int phases = Scaled(2000);
    Barrier b(n);
    std::vector<std::atomic<int>> trues(phases);
    CHECK(RunPhases(b, n, phases, trues) == 0);
    int bad = 0;
    for (auto& t : trues) bad += t.load() != 1;
    CHECK(bad == 0);  // exactly one true per phase
    CHECK(b.Phase() == static_cast<uint64_t>(phases));
  }
}

TEST_CASE("Barrier.Wait.SerialStepIdiom") {
  // Each step: workers write their part; the last arriver sums (serial step);
  // a second Wait publishes the sum to everyone.
  const int n = 4, steps = Scaled(500);
  Barrier b(n);
  std::vector<int> part(n, 0);
  long sum = 0;
  std::atomic<int> failures{0};
  goro::sync::WaitGroup wg;
  for (int w = 0; w < n; w++) {
    wg.Go([&, w] {
      for (int s = 0; s < steps; s++) {
        part[w] = s + w;
        if (b.Wait()) {
          sum = 0;
          for (int v : part) sum += v;
        }
        b.Wait();
        if (sum != 4L * s + 6) failures.fetch_add(1);
        b.Wait();  // nobody rewrites part[] or sum before all have read them
      }
    });
  }
  wg.Wait();
  CHECK(failures.load() == 0);
  CHECK(b.Phase() == 3u * steps);
}

TEST_CASE("Barrier.Wait.HundredGoroutinesOneSlot") {
  // With one slot, 99 goroutines parked at the barrier must hand the slot on
  // so that the 100th can arrive.
  int prev = goro::runtime::GOMAXPROCS(1);
  const int n = 100, phases = Scaled(100) < 10 ? 10 : Scaled(100);
  Barrier b(n);
  std::vector<std::atomic<int>> trues(phases);
  int failures = RunPhases(b, n, phases, trues);
  goro::runtime::GOMAXPROCS(prev);
  CHECK(failures == 0);
  int bad = 0;
  for (auto& t : trues) bad += t.load() != 1;
  CHECK(bad == 0);
}

TEST_CASE("Barrier.Wait.ForeignThreadsAndGoroutines") {
  const int phases = Scaled(300);
  Barrier b(4);
  std::atomic<int> trues{0};
  goro::sync::WaitGroup wg;
  for (int i = 0; i < 2; i++) {
    wg.Go([&] {
      for (int p = 0; p < phases; p++) trues.fetch_add(b.Wait());
    });
  }
  std::thread t([&] {
    for (int p = 0; p < phases; p++) trues.fetch_add(b.Wait());
  });
  for (int p = 0; p < phases; p++) trues.fetch_add(b.Wait());  // main thread
  t.join();
  wg.Wait();
  CHECK(trues.load() == phases);
}

TEST_CASE("Barrier.Lifetime.DestroyedWhileCompleterReturns") {
  // The waiter (false) destroys the Barrier at once, while the goroutine that
  // completed the phase (true) may still be inside Wait. ASan checks it.
  const int rounds = Scaled(2000);
  int trues = 0;
  for (int i = 0; i < rounds; i++) {
    auto* b = new Barrier(2);
    auto result = goro::make_chan<bool>(1);
    goro::go([b, result] { result.send(b->Wait()); });
    bool mine = b->Wait();
    if (!mine) delete b;  // the other Wait returned true and may be returning
    bool theirs = result.recv();
    if (mine) delete b;   // the other was the waiter: wait for it to return
    trues += mine + theirs;
  }
  CHECK(trues == rounds);
}

TEST_CASE("Barrier.Context.AlreadyDoneDoesNotArrive") {
  Barrier b(2);
  auto [ctx, cancel] = context::WithCancel(context::Background());
  cancel();
  auto r = b.Wait(ctx);
  CHECK(r.status() == context::Canceled);
  CHECK(b.Phase() == 0);
  // Not counted: a goroutine's Wait stays blocked until the main one arrives.
  auto done = goro_test::NewFlag();
  auto theirs = goro_test::NewFlag();
  goro::go([&b, done, theirs] {
    theirs->store(b.Wait());
    done->store(true);
  });
  CHECK(goro_test::StillBlocked(done));
  bool mine = b.Wait();
  CHECK(goro_test::Eventually([&] { return done->load(); }));
  CHECK(mine + theirs->load() == 1);  // one of the two is the last
  CHECK(b.Phase() == 1);
}

TEST_CASE("Barrier.Context.NeverCancelledIsPlainWait") {
  Barrier b(2);
  auto result = goro::make_chan<bool>(1);
  goro::go([&b, result] {
    auto r = b.Wait(context::WithoutCancel(context::Background()));
    result.send(r.ok() && *r);
  });
  bool mine = b.Wait();
  CHECK(mine + result.recv() == 1);
}

TEST_CASE("Barrier.Context.WithdrawalLeavesCountRight") {
  // n=3: A waits plainly, B waits with a context and gives up. The phase then
  // needs two more arrivals (C and main), not one.
  Barrier b(3);
  auto [ctx, cancel] = context::WithCancel(context::Background());
  auto a_done = goro_test::NewFlag();
  auto c_done = goro_test::NewFlag();
  auto a_true = goro_test::NewFlag();
  auto c_true = goro_test::NewFlag();
  goro::go([&b, a_done, a_true] {
    a_true->store(b.Wait());
    a_done->store(true);
  });
  auto b_result = goro::make_chan<absl::Status>(1);
  goro::go([&b, ctx = ctx, b_result] {
    auto r = b.Wait(ctx);
    b_result.send(r.status());
  });
  goro_test::SleepMs(20);  // let B arrive (if it has not, it never arrives: same outcome)
  cancel();
  CHECK(b_result.recv() == context::Canceled);
  CHECK(b.Phase() == 0);
  goro::go([&b, c_done, c_true] {
    c_true->store(b.Wait());
    c_done->store(true);
  });
  CHECK(goro_test::StillBlocked(a_done));  // A and C: two of three
  CHECK_FALSE(c_done->load());
  bool mine = b.Wait();
  CHECK(goro_test::Eventually([&] { return a_done->load() && c_done->load(); }));
  CHECK(mine + a_true->load() + c_true->load() == 1);
  CHECK(b.Phase() == 1);
}

TEST_CASE("Barrier.Context.DeadlineExceeded") {
  Barrier b(2);
  auto [ctx, cancel] = context::WithTimeout(context::Background(), 20 * goro::time::Millisecond);
  auto r = b.Wait(ctx);
  CHECK(r.status() == context::DeadlineExceeded);
  CHECK(b.Phase() == 0);
  cancel();
  // Still a barrier for two.
  auto result = goro::make_chan<bool>(1);
  goro::go([&b, result] { result.send(b.Wait()); });
  bool mine = b.Wait();
  CHECK(mine + result.recv() == 1);
  CHECK(b.Phase() == 1);
}

TEST_CASE("Barrier.Context.CancelRacesCompletion") {
  // X waits with a context, Y waits plainly, and a third goroutine cancels X's
  // context at the same moment. Either X was counted (the phase completed with
  // X and Y, X succeeds even if its context is done) or X withdrew (the phase
  // has not completed, and a replacement completes it) — never both. Each round
  // uses a fresh heap Barrier destroyed at once, so a late AfterFunc wake-up
  // would show under ASan.
  const int rounds = Scaled(3000);
  int withdrew = 0, counted = 0, failures = 0;
  for (int i = 0; i < rounds; i++) {
    auto* b = new Barrier(2);
    auto [ctx, cancel] = context::WithCancel(context::Background());
    auto x = goro::make_chan<absl::StatusOr<bool>>(1);
    auto y = goro::make_chan<bool>(1);
    // Start the three in every order, so that one slot (GOMAXPROCS=1) sees
    // both outcomes too.
    std::function<void()> start[3] = {
        [b, ctx = ctx, x] { goro::go([b, ctx, x] { x.send(b->Wait(ctx)); }); },
        [b, y] { goro::go([b, y] { y.send(b->Wait()); }); },
        [cancel = cancel] { goro::go([cancel] { cancel(); }); },
    };
    static constexpr int kOrders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                          {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int k : kOrders[i % 6]) start[k]();
    absl::StatusOr<bool> xr = x.recv();
    if (xr.ok()) {
      counted++;
      bool yr = y.recv();
      if (*xr + yr != 1) failures++;
      if (b->Phase() != 1) failures++;
    } else {
      withdrew++;
      if (xr.status() != context::Canceled) failures++;
      if (b->Phase() != 0) failures++;  // Y alone cannot complete it
      bool mine = b->Wait();            // the replacement
      bool yr = y.recv();
      if (mine + yr != 1) failures++;
      if (b->Phase() != 1) failures++;
    }
    delete b;
  }
  MESSAGE("counted " << counted << ", withdrew " << withdrew);
  CHECK(failures == 0);
  CHECK(counted + withdrew == rounds);
}

TEST_CASE("Barrier.Stress.PhasesWithWithdrawals") {
  // n=3: two workers go through `phases` phases (one with Wait, one with
  // Wait(ctx) on a context that is never cancelled), and four candidates fill
  // the third place with Wait(ctx) on contexts that time out after 0-300us or
  // are cancelled at once, so many withdraw and some are counted. Whatever the interleaving, each
  // completed phase counted exactly three successful arrivals and returned one
  // true, and once everyone has gone the barrier is empty again.
  const int n = 3, phases = Scaled(300), candidates = 4;
  Barrier b(n);
  auto [live, stop_live] = context::WithCancel(context::Background());
  std::atomic<long> ok_arrivals{0}, trues{0}, withdrawals{0};
  std::atomic<bool> workers_done{false};
  std::atomic<int> failures{0};
  auto count = [&](bool last) {
    ok_arrivals.fetch_add(1);
    trues.fetch_add(last);
  };
  goro::sync::WaitGroup workers, cands;
  workers.Go([&] {
    for (int p = 0; p < phases; p++) {
      // Pacing, not synchronization: a late worker lets candidates time out.
      goro::time::Sleep((p % 4) * 100 * goro::time::Microsecond);
      count(b.Wait());
    }
  });
  workers.Go([&, live = live] {
    for (int p = 0; p < phases; p++) {
      auto r = b.Wait(live);
      if (!r.ok()) failures.fetch_add(1);
      count(r.ok() && *r);
    }
  });
  for (int c = 0; c < candidates; c++) {
    cands.Go([&, c] {
      unsigned seed = 12345u + c;
      while (!workers_done.load()) {
        seed = seed * 1103515245u + 12345u;
        auto d = static_cast<int64_t>((seed >> 16) % 300) * goro::time::Microsecond;
        auto [ctx, cancel] = context::WithTimeout(context::Background(), d);
        if (seed & 1) goro::go([cancel = cancel] { cancel(); });  // or cancelled at once
        auto r = b.Wait(ctx);
        cancel();
        if (r.ok()) {
          count(*r);
        } else if (context::IsDeadlineExceeded(r.status()) || context::IsCanceled(r.status())) {
          withdrawals.fetch_add(1);
        } else {
          failures.fetch_add(1);
        }
      }
    });
  }
  workers.Wait();
  workers_done.store(true);
  cands.Wait();
  stop_live();
  MESSAGE("phases " << b.Phase() << ", withdrawals " << withdrawals.load());
  CHECK(failures.load() == 0);
  CHECK(b.Phase() >= static_cast<uint64_t>(phases));
  CHECK(ok_arrivals.load() == n * static_cast<long>(b.Phase()));
  CHECK(trues.load() == static_cast<long>(b.Phase()));
  // Empty again: exactly three more arrivals make exactly one more phase.
  uint64_t before = b.Phase();
  std::vector<std::atomic<int>> last(1);
  CHECK(RunPhases(b, n, 1, last) == 0);
  CHECK(last[0].load() == 1);
  CHECK(b.Phase() == before + 1);
}
