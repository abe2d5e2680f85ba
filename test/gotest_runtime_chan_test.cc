// test/gotest_runtime_chan_test.cc: ports of the tests in Go's
// /usr/lib/go-1.19/src/runtime/chan_test.go.
//
// Each TEST_CASE's first comment names the Go test function it ports. Go's
// t.Fatalf becomes REQUIRE and t.Errorf becomes CHECK on the test thread; where
// Go reports from a goroutine, the port counts in an atomic that the test
// thread checks after the goroutines are done. Go's GOMAXPROCS changes are
// left out: each test runs under GOMAXPROCS 1, 2 and 4 (test/meson.build).
// The stack-shrinking tests (TestShrinkStackDuringBlockedSend,
// TestNoShrinkStackWhileParking, TestSelectStackAdjust) have no goro meaning.
#include <any>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "goro_test.h"

TEST_CASE("GoTestRuntimeChan.TestChan") {
  // Go: src/runtime/chan_test.go TestChan (every capacity 0..199: blocking,
  // non-blocking, close, FIFO, many producers and consumers, len and cap).
  // Go's testing.Short() runs capacities 0..19; so do sanitizer builds.
  const int N = goro_test::UnderSanitizer() ? 20 : 200;
  for (int chanCap = 0; chanCap < N; chanCap++) {
    CAPTURE(chanCap);
    {
      // Ensure that receive from empty chan blocks.
      auto c = goro::make_chan<int>(chanCap);
      auto recv1 = std::make_shared<std::atomic<bool>>(false);
      goro::go([c, recv1] {
        (void)c.recv();
        recv1->store(true);
      });
      auto recv2 = std::make_shared<std::atomic<bool>>(false);
      goro::go([c, recv2] {
        (void)c.recv_ok();
        recv2->store(true);
      });
      goro_test::SleepMs(1);
      REQUIRE_MESSAGE(!(recv1->load() || recv2->load()), "receive from empty chan");
      // Ensure that non-blocking receive does not block.
      REQUIRE(goro::select(goro::case_recv(c), goro::case_default()) == 1);
      REQUIRE(goro::select(goro::case_recv(c, [](int, bool) {}), goro::case_default()) == 1);
      c.send(0);
      c.send(0);
    }

    {
      // Ensure that send to full chan blocks.
      auto c = goro::make_chan<int>(chanCap);
      for (int i = 0; i < chanCap; i++) c.send(i);
      auto sent = std::make_shared<std::atomic<uint32_t>>(0);
      goro::go([c, sent] {
        c.send(0);
        sent->store(1);
      });
      goro_test::SleepMs(1);
      REQUIRE_MESSAGE(sent->load() == 0, "send to full chan");
      // Ensure that non-blocking send does not block.
      REQUIRE(goro::select(goro::case_send(c, 0), goro::case_default()) == 1);
      (void)c.recv();
    }

    {
      // Ensure that we receive 0 from closed chan.
      auto c = goro::make_chan<int>(chanCap);
      for (int i = 0; i < chanCap; i++) c.send(i);
      goro::close(c);
      for (int i = 0; i < chanCap; i++) {
        int v = c.recv();
        REQUIRE(v == i);
      }
      REQUIRE(c.recv() == 0);
      auto [v, ok] = c.recv_ok();
      REQUIRE(v == 0);
      REQUIRE_FALSE(ok);
    }

    {
      // Ensure that close unblocks receive.
      auto c = goro::make_chan<int>(chanCap);
      auto done = goro::make_chan<bool>();
      goro::go([c, done] {
        auto [v, ok] = c.recv_ok();
        done.send(v == 0 && ok == false);
      });
      goro_test::SleepMs(1);
      goro::close(c);
      REQUIRE_MESSAGE(done.recv(), "received non zero from closed chan");
    }

    {
      // Send 100 integers, ensure that we receive them non-corrupted in FIFO
      // order.
      auto c = goro::make_chan<int>(chanCap);
      goro::go([c] {
        for (int i = 0; i < 100; i++) c.send(i);
      });
      for (int i = 0; i < 100; i++) {
        int v = c.recv();
        REQUIRE(v == i);
      }

      // Same, but using recv2.
      goro::go([c] {
        for (int i = 0; i < 100; i++) c.send(i);
      });
      for (int i = 0; i < 100; i++) {
        auto [v, ok] = c.recv_ok();
        REQUIRE(ok);
        REQUIRE(v == i);
      }

      // Send 1000 integers in 4 goroutines, ensure that we receive what we
      // send.
      constexpr int P = 4;
      constexpr int L = 1000;
      for (int p = 0; p < P; p++) {
        goro::go([c] {
          for (int i = 0; i < L; i++) c.send(i);
        });
      }
      auto done = goro::make_chan<std::map<int, int>>();
      for (int p = 0; p < P; p++) {
        goro::go([c, done] {
          std::map<int, int> recv;
          for (int i = 0; i < L; i++) {
            int v = c.recv();
            recv[v] = recv[v] + 1;
          }
          done.send(std::move(recv));
        });
      }
      std::map<int, int> recv;
      for (int p = 0; p < P; p++) {
        for (auto [k, v] : done.recv()) recv[k] = recv[k] + v;
      }
      REQUIRE(recv.size() == static_cast<std::size_t>(L));
      for (auto [k, v] : recv) {
        CAPTURE(k);
        REQUIRE(v == P);
      }
    }

    {
      // Test len/cap.
      auto c = goro::make_chan<int>(chanCap);
      REQUIRE(goro::len(c) == 0);
      REQUIRE(goro::cap(c) == chanCap);
      for (int i = 0; i < chanCap; i++) c.send(i);
      REQUIRE(goro::len(c) == chanCap);
      REQUIRE(goro::cap(c) == chanCap);
    }
  }
}

TEST_CASE("GoTestRuntimeChan.TestNonblockRecvRace") {
  // Go: src/runtime/chan_test.go TestNonblockRecvRace (a non-blocking receive
  // on a channel holding one value must not take default while the channel is
  // being closed). The port also waits for the goroutines before it checks.
  const int n = goro_test::Scaled(10000);
  auto not_ready = std::make_shared<std::atomic<int>>(0);
  goro::sync::WaitGroup wg;
  for (int i = 0; i < n; i++) {
    auto c = goro::make_chan<int>(1);
    c.send(1);
    wg.Add(1);
    goro::go([c, not_ready, &wg] {
      if (goro::select(goro::case_recv(c), goro::case_default()) == 1) {
        not_ready->fetch_add(1);  // Go: t.Error("chan is not ready")
      }
      wg.Done();
    });
    goro::close(c);
    (void)c.recv();
    if (not_ready->load() != 0) break;
  }
  wg.Wait();
  CHECK_MESSAGE(not_ready->load() == 0, "chan is not ready");
}

TEST_CASE("GoTestRuntimeChan.TestNonblockSelectRace") {
  // Go: src/runtime/chan_test.go TestNonblockSelectRace (a select acts on the
  // state of its channels at one instant: while at least one of c1, c2 is
  // always ready, a select with default must never take default).
  const int n = goro_test::Scaled(100000);
  auto done = goro::make_chan<bool>(1);
  for (int i = 0; i < n; i++) {
    auto c1 = goro::make_chan<int>(1);
    auto c2 = goro::make_chan<int>(1);
    c1.send(1);
    goro::go([c1, c2, done] {
      bool dflt = false;
      goro::select(goro::case_recv(c1), goro::case_recv(c2),
                   goro::case_default([&] { dflt = true; }));
      done.send(!dflt);
    });
    c2.send(1);
    goro::select(goro::case_recv(c1), goro::case_default());
    REQUIRE_MESSAGE(done.recv(), "no chan is ready, iteration " << i);
  }
}

TEST_CASE("GoTestRuntimeChan.TestNonblockSelectRace2") {
  // Go: src/runtime/chan_test.go TestNonblockSelectRace2 (as
  // TestNonblockSelectRace, with close(c2) in place of c2 <- 1).
  const int n = goro_test::Scaled(100000);
  auto done = goro::make_chan<bool>(1);
  for (int i = 0; i < n; i++) {
    auto c1 = goro::make_chan<int>(1);
    auto c2 = goro::make_chan<int>();
    c1.send(1);
    goro::go([c1, c2, done] {
      bool dflt = false;
      goro::select(goro::case_recv(c1), goro::case_recv(c2),
                   goro::case_default([&] { dflt = true; }));
      done.send(!dflt);
    });
    goro::close(c2);
    goro::select(goro::case_recv(c1), goro::case_default());
    REQUIRE_MESSAGE(done.recv(), "no chan is ready, iteration " << i);
  }
}

TEST_CASE("GoTestRuntimeChan.TestSelfSelect") {
  // Go: src/runtime/chan_test.go TestSelfSelect (send and receive on the same
  // channel in one select neither crashes nor deadlocks, and on an unbuffered
  // channel a goroutine never receives its own value).
  for (int chanCap : {0, 10}) {
    CAPTURE(chanCap);
    auto self_receives = std::make_shared<std::atomic<int>>(0);
    goro::sync::WaitGroup wg;
    wg.Add(2);
    auto c = goro::make_chan<int>(chanCap);
    for (int p = 0; p < 2; p++) {
      goro::go([c, p, chanCap, self_receives, &wg] {
        for (int i = 0; i < 1000; i++) {
          bool self = false;
          auto check = [&](int v) {
            if (chanCap == 0 && v == p) self = true;
          };
          if (p == 0 || i % 2 == 0) {
            goro::select(goro::case_send(c, p), goro::case_recv(c, check));
          } else {
            goro::select(goro::case_recv(c, check), goro::case_send(c, p));
          }
          if (self) {
            self_receives->fetch_add(1);  // Go: t.Errorf("self receive"); return
            break;
          }
        }
        wg.Done();
      });
    }
    wg.Wait();
    CHECK(self_receives->load() == 0);
  }
}

TEST_CASE("GoTestRuntimeChan.TestSelectStress") {
  // Go: src/runtime/chan_test.go TestSelectStress (4 channels, caps 0, 0, 2, 3;
  // per channel a plain sender and a plain receiver of N values, plus one
  // goroutine that sends and one that receives N values on every channel in a
  // single select, setting finished channels to nil; must not deadlock). Go's
  // testing.Short() uses N/10; so do sanitizer builds.
  std::array<goro::chan<int>, 4> c = {goro::make_chan<int>(), goro::make_chan<int>(),
                                      goro::make_chan<int>(2), goro::make_chan<int>(3)};
  const int N = goro_test::Scaled(100000);
  auto sel_sent = std::make_shared<std::array<int, 4>>();
  auto sel_recv = std::make_shared<std::array<int, 4>>();
  goro::sync::WaitGroup wg;
  wg.Add(10);
  for (int k = 0; k < 4; k++) {
    goro::go([c, k, N, &wg] {
      for (int i = 0; i < N; i++) c[k].send(0);
      wg.Done();
    });
    goro::go([c, k, N, &wg] {
      for (int i = 0; i < N; i++) (void)c[k].recv();
      wg.Done();
    });
  }
  goro::go([c, N, sel_sent, &wg] {
    std::array<int, 4> n{};
    auto c1 = c;
    for (int i = 0; i < 4 * N; i++) {
      goro::select(goro::case_send(c1[3], 0,
                                   [&] {
                                     if (++n[3] == N) c1[3] = nullptr;
                                   }),
                   goro::case_send(c1[2], 0,
                                   [&] {
                                     if (++n[2] == N) c1[2] = nullptr;
                                   }),
                   goro::case_send(c1[0], 0,
                                   [&] {
                                     if (++n[0] == N) c1[0] = nullptr;
                                   }),
                   goro::case_send(c1[1], 0, [&] {
                     if (++n[1] == N) c1[1] = nullptr;
                   }));
    }
    *sel_sent = n;
    wg.Done();
  });
  goro::go([c, N, sel_recv, &wg] {
    std::array<int, 4> n{};
    auto c1 = c;
    for (int i = 0; i < 4 * N; i++) {
      goro::select(goro::case_recv(c1[0],
                                   [&] {
                                     if (++n[0] == N) c1[0] = nullptr;
                                   }),
                   goro::case_recv(c1[1],
                                   [&] {
                                     if (++n[1] == N) c1[1] = nullptr;
                                   }),
                   goro::case_recv(c1[2],
                                   [&] {
                                     if (++n[2] == N) c1[2] = nullptr;
                                   }),
                   goro::case_recv(c1[3], [&] {
                     if (++n[3] == N) c1[3] = nullptr;
                   }));
    }
    *sel_recv = n;
    wg.Done();
  });
  wg.Wait();
  // Not checked by Go, which only requires completion: every select-goroutine
  // did exactly N operations per channel, and every channel is drained.
  for (int k = 0; k < 4; k++) {
    CAPTURE(k);
    CHECK((*sel_sent)[k] == N);
    CHECK((*sel_recv)[k] == N);
    CHECK(goro::len(c[k]) == 0);
  }
}

TEST_CASE("GoTestRuntimeChan.TestSelectFairness") {
  // Go: src/runtime/chan_test.go TestSelectFairness (between two always-ready
  // channels a select chooses each about half the time: within the six-nines
  // bound 4.891676 / (2 * sqrt(trials)) of 0.5).
  constexpr int trials = 10000;
  auto c1 = goro::make_chan<uint8_t>(trials + 1);
  auto c2 = goro::make_chan<uint8_t>(trials + 1);
  for (int i = 0; i < trials + 1; i++) {
    c1.send(1);
    c2.send(2);
  }
  auto c3 = goro::make_chan<uint8_t>();
  auto c4 = goro::make_chan<uint8_t>();
  auto out = goro::make_chan<uint8_t>();
  auto done = goro::make_chan<uint8_t>();
  goro::sync::WaitGroup wg;
  wg.Add(1);
  goro::go([=, &wg] {
    for (;;) {
      uint8_t b = 0;
      auto take = [&](uint8_t v) { b = v; };
      goro::select(goro::case_recv(c3, take), goro::case_recv(c4, take),
                   goro::case_recv(c1, take), goro::case_recv(c2, take));
      bool stop = false;
      goro::select(goro::case_send(out, b), goro::case_recv(done, [&] { stop = true; }));
      if (stop) break;
    }
    wg.Done();
  });
  int cnt1 = 0;
  int cnt2 = 0;
  int unexpected = 0;
  for (int i = 0; i < trials; i++) {
    switch (uint8_t b = out.recv()) {
      case 1:
        cnt1++;
        break;
      case 2:
        cnt2++;
        break;
      default:
        unexpected++;
        FAIL_CHECK("unexpected value " << int{b} << " on channel");
    }
  }
  double r = static_cast<double>(cnt1) / trials;
  double e = std::abs(r - 0.5);
  INFO("cnt1=" << cnt1 << " cnt2=" << cnt2 << " r=" << r << " e=" << e);
  CHECK(unexpected == 0);
  CHECK_MESSAGE(e <= 4.891676 / (2 * std::sqrt(static_cast<double>(trials))),
                "unfair select");
  goro::close(done);
  wg.Wait();
}

namespace {
struct Mt {  // Go's `type mt struct{}`, used through a pointer
  virtual ~Mt() = default;
};
struct MtDerived : Mt {};
}  // namespace

TEST_CASE("GoTestRuntimeChan.TestChanSendInterface") {
  // Go: src/runtime/chan_test.go TestChanSendInterface (non-blocking sends of
  // interface values: chan any holding *mt). Go only checks that nothing breaks;
  // the port also checks that both selects take default (the buffer is full),
  // that the values they did not send are destroyed, and what is received.
  SUBCASE("std::any") {
    auto m = std::make_shared<Mt>();
    auto c = goro::make_chan<std::any>(1);
    c.send(m);
    CHECK(goro::select(goro::case_send(c, m), goro::case_default()) == 1);
    CHECK(goro::select(goro::case_send(c, m), goro::case_send(c, std::make_shared<Mt>()),
                       goro::case_default()) == 2);
    CHECK(m.use_count() == 2);  // m and the copy in the channel
    CHECK(c.len() == 1);
    std::any v = c.recv();
    REQUIRE(v.type() == typeid(std::shared_ptr<Mt>));
    CHECK(std::any_cast<std::shared_ptr<Mt>>(v) == m);
  }
  SUBCASE("polymorphic shared_ptr") {
    std::shared_ptr<Mt> m = std::make_shared<MtDerived>();
    auto c = goro::make_chan<std::shared_ptr<Mt>>(1);
    c.send(m);
    CHECK(goro::select(goro::case_send(c, m), goro::case_default()) == 1);
    CHECK(goro::select(goro::case_send(c, m), goro::case_send(c, std::make_shared<MtDerived>()),
                       goro::case_default()) == 2);
    CHECK(m.use_count() == 2);
    std::shared_ptr<Mt> v = c.recv();
    CHECK(v == m);
    CHECK(dynamic_cast<MtDerived*>(v.get()) != nullptr);
  }
}

TEST_CASE("GoTestRuntimeChan.TestPseudoRandomSend") {
  // Go: src/runtime/chan_test.go TestPseudoRandomSend (`select { case c <- 1:
  // case c <- 0: }` picks each more than 10% of the time, on cap 0 and cap n).
  // Go signals the end with a locked sync.Mutex; a channel does it here.
  constexpr int n = 100;
  for (int chanCap : {0, n}) {
    CAPTURE(chanCap);
    auto c = goro::make_chan<int>(chanCap);
    auto l = std::make_shared<std::vector<int>>(n);
    auto finished = goro::make_chan<goro::Empty>();
    goro::go([c, l, finished] {
      for (int i = 0; i < n; i++) {
        goro::runtime::Gosched();
        (*l)[static_cast<std::size_t>(i)] = c.recv();
      }
      goro::close(finished);
    });
    for (int i = 0; i < n; i++) {
      goro::select(goro::case_send(c, 1), goro::case_send(c, 0));
    }
    (void)finished.recv();  // wait
    int n0 = 0;
    int n1 = 0;
    for (int i : *l) {
      n0 += (i + 1) % 2;
      n1 += i;
    }
    CHECK_MESSAGE(n0 > n / 10, "want pseudorandom, got " << n0 << " zeros and " << n1 << " ones");
    CHECK_MESSAGE(n1 > n / 10, "want pseudorandom, got " << n0 << " zeros and " << n1 << " ones");
  }
}

TEST_CASE("GoTestRuntimeChan.TestMultiConsumer") {
  // Go: src/runtime/chan_test.go TestMultiConsumer (23 workers ranging over one
  // channel, 271828 items; exact sum and count; close, wg.Wait, close chain).
  constexpr int nwork = 23;
  constexpr int niter = 271828;
  static constexpr int pn[] = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
  constexpr int npn = static_cast<int>(sizeof(pn) / sizeof(pn[0]));

  auto q = goro::make_chan<int>(nwork * 3);
  auto r = goro::make_chan<int>(nwork * 3);

  // workers
  goro::sync::WaitGroup wg;
  for (int i = 0; i < nwork; i++) {
    wg.Add(1);
    goro::go(
        [q, r, &wg](int w) {
          for (int v : q) {
            // mess with the fifo-ish nature of range
            if (pn[w % npn] == v) goro::runtime::Gosched();
            r.send(v);
          }
          wg.Done();
        },
        i);
  }

  // feeder & closer
  long long expect = 0;
  goro::go([q, r, &expect, &wg] {
    for (int i = 0; i < niter; i++) {
      int v = pn[i % npn];
      expect += v;
      q.send(v);
    }
    goro::close(q);  // no more work
    wg.Wait();       // workers done
    goro::close(r);  // ... so there can be no more results
  });

  // consume & check
  int n = 0;
  long long s = 0;
  for (int v : r) {
    n++;
    s += v;
  }
  CHECK(n == niter);
  CHECK(s == expect);
}

TEST_CASE("GoTestRuntimeChan.TestSelectDuplicateChannel") {
  // Go: src/runtime/chan_test.go TestSelectDuplicateChannel (a goroutine queued
  // twice on c by one select, then woken through d, must leave c's queue intact
  // so that a later send on c wakes the other waiter B). Go only checks that the
  // test completes; the port also checks which case ran and what B received.
  auto c = goro::make_chan<int>();
  auto d = goro::make_chan<int>();
  auto e = goro::make_chan<int>();
  auto a_case = std::make_shared<std::atomic<int>>(-1);
  auto b_got = goro::make_chan<int>(1);

  // goroutine A
  goro::go([c, d, e, a_case] {
    a_case->store(goro::select(goro::case_recv(c), goro::case_recv(c), goro::case_recv(d)));
    e.send(9);
  });
  goro_test::SleepMs(1);  // make sure goroutine A gets queued first on c

  // goroutine B
  goro::go([c, b_got] { b_got.send(c.recv()); });
  goro_test::SleepMs(1);  // make sure goroutine B gets queued on c before continuing

  d.send(7);             // wake up A, it dequeues itself from c
  CHECK(e.recv() == 9);  // A tells us it's done
  CHECK(a_case->load() == 2);
  c.send(8);  // wake up B: fails if c's receive queue was corrupted
  CHECK(b_got.recv() == 8);
}
