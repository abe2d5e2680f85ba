// test/waitgroup_test.cc: API-level tests for goro::sync::WaitGroup (goro/sync.h).
//
// Covers Add/Done/Wait, Add with deltas above one and below zero, the
// "sync: negative WaitGroup counter" panic, Wait on a zero counter, many
// waiters, reuse, Go(f), a WaitGroup destroyed right after Wait returns (on a
// goroutine's stack), happens-before from Done to Wait, Wait from main and from
// a foreign std::thread, and ports of Go's src/sync/waitgroup_test.go.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "goro_test.h"

namespace {

using namespace std::chrono_literals;
using goro_test::Eventually;
using goro_test::PanicOf;

static_assert(!std::is_copy_constructible_v<goro::sync::WaitGroup>);
static_assert(!std::is_copy_assignable_v<goro::sync::WaitGroup>);
static_assert(!std::is_move_constructible_v<goro::sync::WaitGroup>);
static_assert(std::is_default_constructible_v<goro::sync::WaitGroup>);

}  // namespace

TEST_CASE("WaitGroup.Basic.AddDoneWait") {
  goro::sync::WaitGroup wg;
  std::atomic<int> ran{0};
  const int n = 20;
  for (int i = 0; i < n; i++) {
    wg.Add(1);
    goro::go([&wg, &ran] {
      ran.fetch_add(1);
      wg.Done();
    });
  }
  wg.Wait();
  CHECK(ran.load() == n);
}

TEST_CASE("WaitGroup.Basic.WaitBlocksUntilZero") {
  auto wg = std::make_shared<goro::sync::WaitGroup>();
  auto released = std::make_shared<std::atomic<bool>>(false);
  auto finished = goro::make_chan<goro::Empty>();
  wg->Add(2);
  goro::go([wg, released, finished] {
    wg->Wait();
    released->store(true);
    finished.send({});
  });
  goro_test::SleepMs(30);
  CHECK_FALSE(released->load());
  wg->Done();
  goro_test::SleepMs(30);
  CHECK_FALSE(released->load());  // counter is 1
  wg->Done();
  (void)finished.recv();
  CHECK(released->load());
}

TEST_CASE("WaitGroup.Add.DeltaAboveOneAndNegative") {
  auto wg = std::make_shared<goro::sync::WaitGroup>();
  auto released = std::make_shared<std::atomic<bool>>(false);
  auto finished = goro::make_chan<goro::Empty>();
  wg->Add(5);
  goro::go([wg, released, finished] {
    wg->Wait();
    released->store(true);
    finished.send({});
  });
  wg->Add(-3);  // 2
  goro_test::SleepMs(30);
  CHECK_FALSE(released->load());
  wg->Add(2);   // 4
  wg->Add(-2);  // 2
  wg->Done();   // 1
  goro_test::SleepMs(30);
  CHECK_FALSE(released->load());
  wg->Add(-1);  // 0: releases
  (void)finished.recv();
  CHECK(released->load());

  // Add(0) on a zero counter is fine and Wait still returns at once.
  goro::sync::WaitGroup z;
  z.Add(0);
  z.Wait();
  z.Add(1000);
  z.Add(-1000);
  z.Wait();
  CHECK(true);
}

TEST_CASE("WaitGroup.Misuse.NegativeCounterPanics") {
  {
    goro::sync::WaitGroup wg;
    CHECK(PanicOf([&] { wg.Done(); }) == "sync: negative WaitGroup counter");
  }
  {
    goro::sync::WaitGroup wg;
    wg.Add(2);
    CHECK(PanicOf([&] { wg.Add(-3); }) == "sync: negative WaitGroup counter");
  }
  {
    goro::sync::WaitGroup wg;
    CHECK(PanicOf([&] { wg.Add(-1); }) == "sync: negative WaitGroup counter");
  }
  {
    // Inside a goroutine, recovered there.
    auto msg = goro::make_chan<std::string>(1);
    goro::go([msg] {
      goro::sync::WaitGroup wg;
      wg.Add(1);
      wg.Done();
      try {
        wg.Done();
        msg.send("no panic");
      } catch (const goro::Panic& p) {
        msg.send(p.what());
      }
    });
    CHECK(msg.recv() == "sync: negative WaitGroup counter");
  }
}

TEST_CASE("WaitGroup.Wait.ZeroCounterReturnsAtOnce") {
  goro::sync::WaitGroup wg;
  wg.Wait();  // from main
  wg.Wait();
  auto done = goro::make_chan<int>(1);
  goro::go([done] {
    goro::sync::WaitGroup inner;
    inner.Wait();
    inner.Add(1);
    inner.Done();
    inner.Wait();
    done.send(1);
  });
  CHECK(done.recv() == 1);
}

TEST_CASE("WaitGroup.Wait.ManyWaitersAllReleased") {
  auto wg = std::make_shared<goro::sync::WaitGroup>();
  auto released = goro::make_chan<int>(64);
  auto count = std::make_shared<std::atomic<int>>(0);
  wg->Add(1);
  const int waiters = 20;
  for (int i = 0; i < waiters; i++) {
    goro::go([wg, released, count] {
      wg->Wait();
      count->fetch_add(1);
      released.send(1);
    });
  }
  // A foreign thread waits too.
  std::thread t([wg, released, count] {
    wg->Wait();
    count->fetch_add(1);
    released.send(1);
  });
  goro_test::SleepMs(30);
  CHECK(count->load() == 0);
  wg->Done();
  int n = 0;
  for (int i = 0; i < waiters + 1; i++) n += released.recv();
  t.join();
  CHECK(n == waiters + 1);
  CHECK(count->load() == waiters + 1);
}

TEST_CASE("WaitGroup.Reuse.AfterWaitReturned") {
  goro::sync::WaitGroup wg;
  std::atomic<int> total{0};
  const int rounds = goro_test::Scaled(200);
  bool each_round_complete = true;
  for (int r = 0; r < rounds; r++) {
    std::atomic<int> this_round{0};
    for (int i = 0; i < 5; i++) {
      wg.Add(1);
      goro::go([&] {
        this_round.fetch_add(1);
        total.fetch_add(1);
        wg.Done();
      });
    }
    wg.Wait();
    each_round_complete = each_round_complete && this_round.load() == 5;
  }
  CHECK(each_round_complete);
  CHECK(total.load() == rounds * 5);
}

TEST_CASE("WaitGroup.Go.RunsAndWaits") {
  goro::sync::WaitGroup wg;
  std::vector<int> out(50, 0);  // plain ints: Wait orders them
  for (int i = 0; i < 50; i++) {
    wg.Go([&out, i] { out[static_cast<size_t>(i)] = i * i; });
  }
  wg.Wait();
  bool all = true;
  for (int i = 0; i < 50; i++) all = all && out[static_cast<size_t>(i)] == i * i;
  CHECK(all);
}

TEST_CASE("WaitGroup.Go.MoveOnlyFunctionAndNestedGo") {
  goro::sync::WaitGroup wg;
  std::atomic<int> n{0};
  auto p = std::make_unique<int>(7);
  wg.Go([p = std::move(p), &n] { n.fetch_add(*p); });
  // A goroutine started by Go may itself call Go (Go 1.25's doc).
  wg.Go([&wg, &n] {
    for (int i = 0; i < 3; i++) wg.Go([&n] { n.fetch_add(1); });
  });
  wg.Wait();
  CHECK(n.load() == 10);
}

TEST_CASE("WaitGroup.Lifetime.OnGoroutineStackDestroyedAfterWait") {
  // A goroutine keeps a WaitGroup on its stack, waits for its children and
  // returns at once, destroying the WaitGroup while the last Done may still be
  // returning. Thousands of times; ASan must stay clean.
  // Batches of 20 parents bound the number of goroutines blocked at once (each
  // blocked goroutine holds an OS thread).
  const int batches = goro_test::Scaled(3000) / 20 + 1;
  const int batch = 20;
  auto finished = goro::make_chan<int>(batch);
  auto sum = std::make_shared<std::atomic<long>>(0);
  int n = 0;
  for (int b = 0; b < batches; b++) {
    for (int p = 0; p < batch; p++) {
      goro::go([finished, sum] {
        goro::sync::WaitGroup wg;
        int local[3] = {0, 0, 0};
        for (int i = 0; i < 3; i++) {
          wg.Go([&local, i] { local[i] = i + 1; });
        }
        wg.Wait();
        sum->fetch_add(local[0] + local[1] + local[2]);
        finished.send(1);
      });
    }
    for (int p = 0; p < batch; p++) n += finished.recv();
  }
  CHECK(n == batches * batch);
  CHECK(sum->load() == 6L * batches * batch);
}

TEST_CASE("WaitGroup.Lifetime.HeapWaitGroupDeletedAfterWait") {
  // Same, with explicit Add/Done and the WaitGroup freed with delete.
  const int rounds = goro_test::Scaled(2000);
  int ok = 0;
  for (int r = 0; r < rounds; r++) {
    auto* wg = new goro::sync::WaitGroup;
    wg->Add(2);
    goro::go([wg] { wg->Done(); });
    goro::go([wg] { wg->Done(); });
    wg->Wait();
    delete wg;
    ok++;
  }
  CHECK(ok == rounds);
}

TEST_CASE("WaitGroup.HappensBefore.DoneBeforeWaitReturns") {
  const int rounds = goro_test::Scaled(300);
  int bad = 0;
  for (int r = 0; r < rounds; r++) {
    goro::sync::WaitGroup wg;
    std::vector<int> data(8, 0);  // written without synchronization
    for (int i = 0; i < 8; i++) {
      wg.Add(1);
      goro::go([&wg, &data, i, r] {
        data[static_cast<size_t>(i)] = r + i;
        wg.Done();
      });
    }
    wg.Wait();
    for (int i = 0; i < 8; i++) {
      if (data[static_cast<size_t>(i)] != r + i) bad++;
    }
  }
  CHECK(bad == 0);
}

TEST_CASE("WaitGroup.Threads.WaitFromForeignThreadAndMain") {
  goro::sync::WaitGroup wg;
  std::atomic<int> work{0};
  std::atomic<bool> thread_released{false};
  wg.Add(4);
  std::thread t([&] {
    wg.Wait();
    thread_released.store(work.load() == 4);
  });
  for (int i = 0; i < 4; i++) {
    goro::go([&] {
      goro_test::SleepMs(5);
      work.fetch_add(1);
      wg.Done();
    });
  }
  wg.Wait();  // main
  CHECK(work.load() == 4);
  t.join();
  CHECK(thread_released.load());
}

TEST_CASE("WaitGroup.Threads.DoneFromForeignThreads") {
  goro::sync::WaitGroup wg;
  std::atomic<int> n{0};
  wg.Add(4);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; i++) {
    ts.emplace_back([&] {
      n.fetch_add(1);
      wg.Done();
    });
  }
  auto released = goro::make_chan<int>(1);
  goro::go([&wg, &n, released] {
    wg.Wait();
    released.send(n.load());
  });
  CHECK(released.recv() == 4);
  for (auto& t : ts) t.join();
}

TEST_CASE("WaitGroup.Blocking.WaitersDoNotStarveWorkers") {
  // More goroutines block in Wait than there are slots; the goroutines that
  // call Done must still run.
  goro::sync::WaitGroup gate;
  gate.Add(1);
  goro::sync::WaitGroup all;
  const int waiters = goro_test::Procs() * 4 + 4;
  for (int i = 0; i < waiters; i++) {
    all.Go([&gate] { gate.Wait(); });
  }
  all.Go([&gate] { gate.Done(); });
  all.Wait();
  CHECK(true);  // reaching here is the assertion; a deadlock hits the meson timeout
}

// Ports of Go's src/sync/waitgroup_test.go (Go 1.19).

// testWaitGroup from src/sync/waitgroup_test.go.
static void PortTestWaitGroup(goro::sync::WaitGroup& wg1, goro::sync::WaitGroup& wg2,
                              int* too_soon) {
  const int n = 16;
  wg1.Add(n);
  wg2.Add(n);
  auto exited = goro::make_chan<bool>(n);
  for (int i = 0; i != n; i++) {
    goro::go([&wg1, &wg2, exited] {
      wg1.Done();
      wg2.Wait();
      exited.send(true);
    });
  }
  wg1.Wait();
  for (int i = 0; i != n; i++) {
    goro::select(goro::case_recv(exited, [&] { (*too_soon)++; }), goro::case_default());
    wg2.Done();
  }
  for (int i = 0; i != n; i++) (void)exited.recv();  // blocks if the barrier fails
}

TEST_CASE("WaitGroup.GoPort.TestWaitGroup") {
  // Go's src/sync/waitgroup_test.go TestWaitGroup: the same two groups, 8 times.
  goro::sync::WaitGroup wg1, wg2;
  int too_soon = 0;
  for (int i = 0; i != 8; i++) PortTestWaitGroup(wg1, wg2, &too_soon);
  CHECK(too_soon == 0);  // "WaitGroup released group too soon"
}

TEST_CASE("WaitGroup.GoPort.TestWaitGroupMisuse") {
  // Go's src/sync/waitgroup_test.go TestWaitGroupMisuse.
  goro::sync::WaitGroup wg;
  wg.Add(1);
  wg.Done();
  CHECK(PanicOf([&] { wg.Done(); }) == "sync: negative WaitGroup counter");
}

TEST_CASE("WaitGroup.GoPort.TestWaitGroupRace") {
  // Go's src/sync/waitgroup_test.go TestWaitGroupRace.
  int spurious = 0;
  const int rounds = goro_test::Scaled(1000);
  for (int i = 0; i < rounds; i++) {
    goro::sync::WaitGroup wg;
    std::atomic<int> n{0};
    wg.Add(1);
    goro::go([&] {
      n.fetch_add(1);
      wg.Done();
    });
    wg.Add(1);
    goro::go([&] {
      n.fetch_add(1);
      wg.Done();
    });
    wg.Wait();
    if (n.load() != 2) spurious++;  // "Spurious wakeup from Wait"
  }
  CHECK(spurious == 0);
}

TEST_CASE("WaitGroup.GoPort.TestWaitGroupAlign") {
  // Go's src/sync/waitgroup_test.go TestWaitGroupAlign.
  struct X {
    char x;
    goro::sync::WaitGroup wg;
  };
  X x;
  x.x = 1;
  x.wg.Add(1);
  goro::go([](X* px) { px->wg.Done(); }, &x);
  x.wg.Wait();
  CHECK(x.x == 1);
}
