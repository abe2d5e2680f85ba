// test/chan_test.cc: API-level tests for goro/chan.h.
//
// Covers Go's channel operation table (nil, unbuffered, buffered, closed
// channels), FIFO order of values and of blocked senders and receivers, close
// semantics, Go's exact panic messages, len/cap, range-for, recv_ok, handle
// semantics, move-only and non-trivial element types, goro::Empty, the
// happens-before rules of Go's memory model, and the compile-time direction
// rules of Go's test/chan/perm.go.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels, and the test body checks on the main thread. Tests that show that an
// operation blocks forever leave a goroutine blocked (captures are by value, so
// nothing dangles once the test returns); the process exits past it.
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro_test.h"

namespace {

using namespace std::chrono_literals;
using goro_test::Eventually;
using goro_test::PanicOf;

using goro_test::Flag;
using goro_test::NewFlag;
using goro_test::StillBlocked;

// WaitParked waits until `arrived` reaches n (the goroutines announced that they
// are about to block), then gives the last one time to park: used where the
// arrival order of blocked goroutines matters. There is no API to observe a
// parked goroutine, so this is a generous pause (only a few instructions lie
// between the announcement and the park).
void WaitParked(const std::shared_ptr<std::atomic<int>>& arrived, int n) {
  REQUIRE(Eventually([&] { return arrived->load() >= n; }));
  goro_test::SleepMs(40);
}

// Counted counts live objects and copies, to prove that a channel loses,
// duplicates and leaks no value.
struct Counted {
  static std::atomic<long> live;
  static std::atomic<long> copies;
  int id = -1;
  Counted() { live++; }
  explicit Counted(int i) : id(i) { live++; }
  Counted(const Counted& o) : id(o.id) {
    live++;
    copies++;
  }
  Counted(Counted&& o) noexcept : id(o.id) {
    o.id = -1;
    live++;
  }
  Counted& operator=(const Counted& o) {
    id = o.id;
    copies++;
    return *this;
  }
  Counted& operator=(Counted&& o) noexcept {
    id = o.id;
    o.id = -1;
    return *this;
  }
  ~Counted() { live--; }
};
std::atomic<long> Counted::live{0};
std::atomic<long> Counted::copies{0};

// Direction rules as concepts (Go's test/chan/perm.go). Dependent, so that a
// missing operation is a substitution failure rather than a hard error.
template <class C>
concept CanSend = requires(const C& c) { c.send(1); };
template <class C>
concept CanRecv = requires(const C& c) { c.recv(); };
template <class C>
concept CanRecvOk = requires(const C& c) { c.recv_ok(); };
template <class C>
concept CanCloseMember = requires(const C& c) { c.close(); };
template <class C>
concept CanCloseFree = requires(const C& c) { goro::close(c); };
template <class C>
concept HasLenCap = requires(const C& c) {
  { c.len() } -> std::same_as<int>;
  { c.cap() } -> std::same_as<int>;
  { goro::len(c) } -> std::same_as<int>;
  { goro::cap(c) } -> std::same_as<int>;
};
template <class C>
concept CanRange = requires(const C& c) {
  c.begin();
  c.end();
  std::begin(c);
};

using C = goro::chan<int>;
using S = goro::send_chan<int>;
using R = goro::recv_chan<int>;

// chan<T>: everything.
static_assert(CanSend<C> && CanRecv<C> && CanRecvOk<C> && CanCloseMember<C> &&
              CanCloseFree<C> && HasLenCap<C> && CanRange<C>);
// send_chan<T>: send, close, len, cap; no receive of any kind.
static_assert(CanSend<S> && CanCloseMember<S> && CanCloseFree<S> && HasLenCap<S>);
static_assert(!CanRecv<S> && !CanRecvOk<S> && !CanRange<S>);
// recv_chan<T>: recv, recv_ok, len, cap, range; no send, and close(r) does not compile.
static_assert(CanRecv<R> && CanRecvOk<R> && HasLenCap<R> && CanRange<R>);
static_assert(!CanSend<R> && !CanCloseMember<R> && !CanCloseFree<R>);
// chan<T> converts implicitly to both directions, from lvalues and rvalues.
static_assert(std::is_convertible_v<C&, S> && std::is_convertible_v<const C&, S> &&
              std::is_convertible_v<C&&, S> && std::is_convertible_v<C, S>);
static_assert(std::is_convertible_v<C&, R> && std::is_convertible_v<const C&, R> &&
              std::is_convertible_v<C&&, R> && std::is_convertible_v<C, R>);
// Nothing converts back to chan<T>, and nothing between the two directions.
static_assert(!std::is_convertible_v<S, C> && !std::is_constructible_v<C, S> &&
              !std::is_constructible_v<C, const S&>);
static_assert(!std::is_convertible_v<R, C> && !std::is_constructible_v<C, R> &&
              !std::is_constructible_v<C, const R&>);
static_assert(!std::is_convertible_v<S, R> && !std::is_constructible_v<R, S>);
static_assert(!std::is_convertible_v<R, S> && !std::is_constructible_v<S, R>);
static_assert(!std::is_assignable_v<C&, S> && !std::is_assignable_v<C&, R> &&
              !std::is_assignable_v<S&, R> && !std::is_assignable_v<R&, S>);
// No conversion between element types either (chan int is not chan int64).
static_assert(!std::is_convertible_v<C, goro::chan<long>>);
// recv_ok works with structured bindings.
static_assert(std::is_same_v<decltype(std::declval<C>().recv_ok()), goro::RecvResult<int>>);
static_assert(std::is_same_v<C::value_type, int>);
// goro::Empty is an empty struct.
static_assert(std::is_empty_v<goro::Empty>);

}  // namespace

// ---------------------------------------------------------------------------
// nil channels

TEST_CASE("Chan.Nil.SendBlocksForever") {
  goro::chan<int> c;
  auto done = NewFlag();
  goro::go([c, done] {
    c.send(1);
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Chan.Nil.SendThroughSendChanBlocksForever") {
  goro::send_chan<int> c;
  auto done = NewFlag();
  goro::go([c, done] {
    c.send(1);
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Chan.Nil.RecvBlocksForever") {
  goro::chan<int> c;
  auto done = NewFlag();
  goro::go([c, done] {
    (void)c.recv();
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Chan.Nil.RecvOkBlocksForever") {
  goro::recv_chan<int> c;
  auto done = NewFlag();
  goro::go([c, done] {
    auto [v, ok] = c.recv_ok();
    (void)v;
    (void)ok;
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Chan.Nil.RangeBlocksForever") {
  goro::chan<int> c;
  auto done = NewFlag();
  goro::go([c, done] {
    for (int v : c) (void)v;
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Chan.Nil.ClosePanics") {
  goro::chan<int> c;
  goro::send_chan<int> s;
  CHECK(PanicOf([&] { goro::close(c); }) == "close of nil channel");
  CHECK(PanicOf([&] { c.close(); }) == "close of nil channel");
  CHECK(PanicOf([&] { goro::close(s); }) == "close of nil channel");
  CHECK(PanicOf([&] { s.close(); }) == "close of nil channel");
}

TEST_CASE("Chan.Nil.LenCapZero") {
  goro::chan<int> c;
  goro::send_chan<int> s;
  goro::recv_chan<int> r;
  CHECK(c.len() == 0);
  CHECK(c.cap() == 0);
  CHECK(goro::len(c) == 0);
  CHECK(goro::cap(c) == 0);
  CHECK(goro::len(s) == 0);
  CHECK(goro::cap(s) == 0);
  CHECK(goro::len(r) == 0);
  CHECK(goro::cap(r) == 0);
}

// ---------------------------------------------------------------------------
// unbuffered channels

TEST_CASE("Chan.Unbuffered.SendBlocksUntilReceiver") {
  auto c = goro::make_chan<int>();
  auto done = NewFlag();
  goro::go([c, done] {
    c.send(42);
    done->store(true);
  });
  CHECK(StillBlocked(done));
  CHECK(c.len() == 0);  // a blocked sender is not buffered
  CHECK(c.recv() == 42);
  CHECK(Eventually([&] { return done->load(); }));
}

TEST_CASE("Chan.Unbuffered.RecvBlocksUntilSender") {
  auto c = goro::make_chan<int>();
  auto got = std::make_shared<std::atomic<int>>(-1);
  auto done = NewFlag();
  goro::go([c, got, done] {
    got->store(c.recv());
    done->store(true);
  });
  CHECK(StillBlocked(done));
  c.send(7);
  CHECK(Eventually([&] { return done->load(); }));
  CHECK(got->load() == 7);
}

TEST_CASE("Chan.Unbuffered.RecvOkIsTrue") {
  auto c = goro::make_chan<int>();
  goro::go([c] { c.send(5); });
  auto [v, ok] = c.recv_ok();
  CHECK(v == 5);
  CHECK(ok);
}

TEST_CASE("Chan.Unbuffered.LenCapZero") {
  auto c = goro::make_chan<int>();
  CHECK(c.len() == 0);
  CHECK(c.cap() == 0);
  auto c2 = goro::make_chan<int>(0);
  CHECK(goro::cap(c2) == 0);
}

TEST_CASE("Chan.Unbuffered.PingPong") {
  auto ping = goro::make_chan<int>();
  auto pong = goro::make_chan<int>();
  const int n = goro_test::Scaled(10000);
  goro::go([ping, pong, n] {
    for (int i = 0; i < n; i++) pong.send(ping.recv() + 1);
  });
  int v = 0;
  for (int i = 0; i < n; i++) {
    ping.send(v);
    v = pong.recv();
  }
  CHECK(v == n);
}

// ---------------------------------------------------------------------------
// buffered channels

TEST_CASE("Chan.Buffered.SendCompletesWhileRoom") {
  auto c = goro::make_chan<int>(3);
  auto done = NewFlag();
  goro::go([c, done] {
    c.send(1);
    c.send(2);
    c.send(3);
    done->store(true);
  });
  CHECK(Eventually([&] { return done->load(); }));
  CHECK(c.len() == 3);
  CHECK(c.cap() == 3);
}

TEST_CASE("Chan.Buffered.SendBlocksWhenFull") {
  auto c = goro::make_chan<int>(2);
  c.send(1);
  c.send(2);
  auto done = NewFlag();
  goro::go([c, done] {
    c.send(3);
    done->store(true);
  });
  CHECK(StillBlocked(done));
  CHECK(c.len() == 2);
  CHECK(c.recv() == 1);
  CHECK(Eventually([&] { return done->load(); }));
  CHECK(c.recv() == 2);
  CHECK(c.recv() == 3);
  CHECK(c.len() == 0);
}

TEST_CASE("Chan.Buffered.RecvBlocksWhenEmpty") {
  auto c = goro::make_chan<int>(4);
  auto got = std::make_shared<std::atomic<int>>(-1);
  auto done = NewFlag();
  goro::go([c, got, done] {
    got->store(c.recv());
    done->store(true);
  });
  CHECK(StillBlocked(done));
  c.send(9);
  CHECK(Eventually([&] { return done->load(); }));
  CHECK(got->load() == 9);
}

TEST_CASE("Chan.Buffered.RecvOkIsTrue") {
  auto c = goro::make_chan<std::string>(1);
  c.send("x");
  auto [v, ok] = c.recv_ok();
  CHECK(v == "x");
  CHECK(ok);
}

TEST_CASE("Chan.Buffered.LenCountsQueued") {
  auto c = goro::make_chan<int>(5);
  goro::send_chan<int> s = c;
  goro::recv_chan<int> r = c;
  for (int i = 0; i < 5; i++) {
    CHECK(c.len() == i);
    CHECK(goro::len(s) == i);
    CHECK(r.len() == i);
    c.send(i);
  }
  CHECK(goro::len(c) == 5);
  CHECK(goro::cap(c) == 5);
  CHECK(s.cap() == 5);
  CHECK(goro::cap(r) == 5);
  (void)c.recv();
  CHECK(c.len() == 4);
}

TEST_CASE("Chan.Buffered.FifoValues") {
  auto c = goro::make_chan<int>(100);
  for (int i = 0; i < 100; i++) c.send(i);
  bool in_order = true;
  for (int i = 0; i < 100; i++) in_order = in_order && c.recv() == i;
  CHECK(in_order);
}

TEST_CASE("Chan.Buffered.FifoValuesAcrossGoroutines") {
  // One sender, one receiver, small buffer: the buffer wraps many times.
  auto c = goro::make_chan<int>(3);
  const int n = goro_test::Scaled(20000);
  goro::go([c, n] {
    for (int i = 0; i < n; i++) c.send(i);
    goro::close(c);
  });
  int expect = 0;
  bool in_order = true;
  for (int v : c) {
    in_order = in_order && v == expect;
    expect++;
  }
  CHECK(in_order);
  CHECK(expect == n);
}

TEST_CASE("Chan.Unbuffered.FifoValuesAcrossGoroutines") {
  auto c = goro::make_chan<int>();
  const int n = goro_test::Scaled(10000);
  goro::go([c, n] {
    for (int i = 0; i < n; i++) c.send(i);
    c.close();
  });
  int expect = 0;
  bool in_order = true;
  for (int v : c) {
    in_order = in_order && v == expect;
    expect++;
  }
  CHECK(in_order);
  CHECK(expect == n);
}

// ---------------------------------------------------------------------------
// FIFO of blocked goroutines (go-semantics.md §1.2)

TEST_CASE("Chan.Fifo.BlockedSendersCompleteInArrivalOrder") {
  auto c = goro::make_chan<int>();
  auto arrived = std::make_shared<std::atomic<int>>(0);
  const int n = 5;
  for (int i = 0; i < n; i++) {
    goro::go([c, arrived, i] {
      arrived->fetch_add(1);
      c.send(i);
    });
    WaitParked(arrived, i + 1);
  }
  std::vector<int> got;
  for (int i = 0; i < n; i++) got.push_back(c.recv());
  CHECK(got == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("Chan.Fifo.BlockedReceiversServedInArrivalOrder") {
  auto c = goro::make_chan<int>();
  auto results = goro::make_chan<std::pair<int, int>>(8);  // (receiver, value)
  auto arrived = std::make_shared<std::atomic<int>>(0);
  const int n = 5;
  for (int i = 0; i < n; i++) {
    goro::go([c, results, arrived, i] {
      arrived->fetch_add(1);
      int v = c.recv();
      results.send({i, v});
    });
    WaitParked(arrived, i + 1);
  }
  for (int v = 0; v < n; v++) c.send(100 + v);
  std::vector<int> value_of(n, -1);
  for (int k = 0; k < n; k++) {
    auto [i, v] = results.recv();
    value_of[static_cast<size_t>(i)] = v;
  }
  CHECK(value_of == std::vector<int>{100, 101, 102, 103, 104});
}

TEST_CASE("Chan.Fifo.BufferedReceiversServedInArrivalOrder") {
  auto c = goro::make_chan<int>(3);
  auto results = goro::make_chan<std::pair<int, int>>(8);
  auto arrived = std::make_shared<std::atomic<int>>(0);
  const int n = 4;
  for (int i = 0; i < n; i++) {
    goro::go([c, results, arrived, i] {
      arrived->fetch_add(1);
      int v = c.recv();
      results.send({i, v});
    });
    WaitParked(arrived, i + 1);
  }
  for (int v = 0; v < n; v++) c.send(10 + v);
  std::vector<int> value_of(n, -1);
  for (int k = 0; k < n; k++) {
    auto [i, v] = results.recv();
    value_of[static_cast<size_t>(i)] = v;
  }
  CHECK(value_of == std::vector<int>{10, 11, 12, 13});
}

TEST_CASE("Chan.Fifo.FullBufferWithBlockedSendersKeepsGlobalOrder") {
  // cap 2 holds 0, 1; senders of 2, 3, 4 block in that order. A receiver takes
  // the head and the first blocked sender's value moves to the tail, so the
  // values come out as 0..4.
  auto c = goro::make_chan<int>(2);
  c.send(0);
  c.send(1);
  auto arrived = std::make_shared<std::atomic<int>>(0);
  for (int i = 2; i < 5; i++) {
    goro::go([c, arrived, i] {
      arrived->fetch_add(1);
      c.send(i);
    });
    WaitParked(arrived, i - 1);
  }
  CHECK(c.len() == 2);
  std::vector<int> got;
  got.push_back(c.recv());
  // A fourth send arriving now queues behind the blocked senders.
  goro::go([c, arrived] {
    arrived->fetch_add(1);
    c.send(5);
  });
  WaitParked(arrived, 4);
  for (int i = 0; i < 5; i++) got.push_back(c.recv());
  CHECK(got == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(c.len() == 0);
}

// ---------------------------------------------------------------------------
// close (go-semantics.md §1.3)

TEST_CASE("Chan.Close.KeepsBufferedValues") {
  auto c = goro::make_chan<int>(3);
  c.send(1);
  c.send(2);
  goro::close(c);
  CHECK(c.len() == 2);
  CHECK(c.cap() == 3);
  auto [a, aok] = c.recv_ok();
  CHECK(a == 1);
  CHECK(aok);
  CHECK(c.len() == 1);
  auto [b, bok] = c.recv_ok();
  CHECK(b == 2);
  CHECK(bok);
  auto [z, zok] = c.recv_ok();
  CHECK(z == 0);
  CHECK_FALSE(zok);
  CHECK(c.len() == 0);
  CHECK(c.cap() == 3);
}

TEST_CASE("Chan.Close.RecvReturnsZeroAtOnce") {
  auto c = goro::make_chan<int>();
  goro::close(c);
  auto done = NewFlag();
  auto sum = std::make_shared<std::atomic<int>>(0);
  goro::go([c, done, sum] {
    for (int i = 0; i < 100; i++) sum->fetch_add(c.recv() + 1);
    done->store(true);
  });
  CHECK(Eventually([&] { return done->load(); }));
  CHECK(sum->load() == 100);
  auto [v, ok] = c.recv_ok();
  CHECK(v == 0);
  CHECK_FALSE(ok);
  auto s = goro::make_chan<std::string>(2);
  s.send("kept");
  s.close();
  CHECK(s.recv() == "kept");
  CHECK(s.recv().empty());
  CHECK(s.recv().empty());
}

TEST_CASE("Chan.Close.WakesAllReceivers") {
  for (int cap : {0, 4}) {
    auto c = goro::make_chan<std::string>(cap);
    auto results = goro::make_chan<std::pair<std::string, bool>>(16);
    auto arrived = std::make_shared<std::atomic<int>>(0);
    const int n = 8;
    for (int i = 0; i < n; i++) {
      goro::go([c, results, arrived] {
        arrived->fetch_add(1);
        auto [v, ok] = c.recv_ok();
        results.send({v, ok});
      });
    }
    // Whether or not every receiver has parked yet, each must get ("", false).
    WaitParked(arrived, n);
    goro::close(c);
    int woken = 0;
    int zero_false = 0;
    for (int i = 0; i < n; i++) {
      auto [v, ok] = results.recv();
      woken++;
      if (v.empty() && !ok) zero_false++;
    }
    CHECK(woken == n);
    CHECK(zero_false == n);
  }
}

TEST_CASE("Chan.Close.WakesRangeLoops") {
  auto c = goro::make_chan<int>();
  auto done = goro::make_chan<int>(4);
  for (int i = 0; i < 4; i++) {
    goro::go([c, done] {
      int n = 0;
      for (int v : c) n += v;
      done.send(n);
    });
  }
  for (int i = 0; i < 10; i++) c.send(1);
  goro::close(c);
  int total = 0;
  for (int i = 0; i < 4; i++) total += done.recv();
  CHECK(total == 10);
}

TEST_CASE("Chan.Close.BlockedSendersPanic") {
  for (int cap : {0, 1}) {
    auto c = goro::make_chan<int>(cap);
    if (cap == 1) c.send(-1);  // full: every further sender blocks
    auto panicked = std::make_shared<std::atomic<int>>(0);
    auto wrong = std::make_shared<std::atomic<int>>(0);
    auto sent = std::make_shared<std::atomic<int>>(0);
    auto arrived = std::make_shared<std::atomic<int>>(0);
    auto finished = goro::make_chan<goro::Empty>(16);
    const int n = 6;
    for (int i = 0; i < n; i++) {
      goro::go([=] {
        arrived->fetch_add(1);
        try {
          c.send(i);
          sent->fetch_add(1);
        } catch (const goro::Panic& p) {
          if (std::string(p.what()) == "send on closed channel") {
            panicked->fetch_add(1);
          } else {
            wrong->fetch_add(1);
          }
        }
        finished.send(goro::Empty{});
      });
    }
    WaitParked(arrived, n);
    goro::close(c);
    for (int i = 0; i < n; i++) (void)finished.recv();
    CHECK(panicked->load() == n);
    CHECK(sent->load() == 0);
    CHECK(wrong->load() == 0);
    if (cap == 1) {
      // The buffered value survived; the blocked senders' values did not enter.
      auto [v, ok] = c.recv_ok();
      CHECK(v == -1);
      CHECK(ok);
    }
    auto [z, zok] = c.recv_ok();
    CHECK(z == 0);
    CHECK_FALSE(zok);
  }
}

TEST_CASE("Chan.Close.SendAfterClosePanics") {
  auto c = goro::make_chan<int>(5);
  goro::close(c);
  CHECK(PanicOf([&] { c.send(1); }) == "send on closed channel");
  goro::send_chan<int> s = c;
  CHECK(PanicOf([&] { s.send(1); }) == "send on closed channel");
  CHECK(c.len() == 0);
  auto u = goro::make_chan<int>();
  u.close();
  CHECK(PanicOf([&] { u.send(1); }) == "send on closed channel");
}

TEST_CASE("Chan.Close.TwicePanics") {
  auto c = goro::make_chan<int>();
  goro::close(c);
  CHECK(PanicOf([&] { goro::close(c); }) == "close of closed channel");
  CHECK(PanicOf([&] { c.close(); }) == "close of closed channel");
  auto b = goro::make_chan<int>(3);
  b.send(1);
  goro::send_chan<int> s = b;
  goro::close(s);
  CHECK(PanicOf([&] { goro::close(s); }) == "close of closed channel");
  CHECK(b.recv() == 1);  // the failed close did not disturb the buffer
}

TEST_CASE("Chan.Close.ConcurrentClosesOnlyOneSucceeds") {
  const int rounds = goro_test::Scaled(200);
  int bad_rounds = 0;
  for (int r = 0; r < rounds; r++) {
    auto c = goro::make_chan<int>();
    auto ok = std::make_shared<std::atomic<int>>(0);
    auto twice = std::make_shared<std::atomic<int>>(0);
    goro::sync::WaitGroup wg;
    for (int i = 0; i < 4; i++) {
      wg.Go([c, ok, twice] {
        try {
          c.close();
          ok->fetch_add(1);
        } catch (const goro::Panic& p) {
          if (std::string(p.what()) == "close of closed channel") twice->fetch_add(1);
        }
      });
    }
    wg.Wait();
    if (ok->load() != 1 || twice->load() != 3) bad_rounds++;
  }
  CHECK(bad_rounds == 0);
}

TEST_CASE("Chan.Close.HappensBeforeReceiveOfZero") {
  const int rounds = goro_test::Scaled(500);
  int bad = 0;
  for (int r = 0; r < rounds; r++) {
    auto c = goro::make_chan<int>();
    auto data = std::make_shared<int>(0);  // not atomic: ordering comes from close
    auto out = goro::make_chan<int>(1);
    goro::go([c, data, out] {
      auto [v, ok] = c.recv_ok();
      out.send(ok ? -1 : *data);
      (void)v;
    });
    goro::go([c, data, r] {
      *data = r + 1;
      c.close();
    });
    if (out.recv() != r + 1) bad++;
  }
  CHECK(bad == 0);
}

// ---------------------------------------------------------------------------
// make_chan sizes

TEST_CASE("Chan.Make.SizeOutOfRangePanics") {
  const std::string msg = "makechan: size out of range";
  CHECK(PanicOf([] { (void)goro::make_chan<int>(-1); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(INT_MIN); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(-1LL); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(static_cast<long long>(INT_MAX) + 1); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(1LL << 40); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(1LL << 62); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(LLONG_MAX); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(LLONG_MIN); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(static_cast<unsigned long long>(-1)); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<int>(std::size_t{1} << 63); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<std::string>(1LL << 62); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<goro::Empty>(-5); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<goro::Empty>(1LL << 62); }) == msg);
  CHECK(PanicOf([] { (void)goro::make_chan<std::vector<int>>(-1); }) == msg);
}

TEST_CASE("Chan.Make.AnyIntegerSize") {
  CHECK(goro::make_chan<int>(short{3}).cap() == 3);
  CHECK(goro::make_chan<int>(7u).cap() == 7);
  CHECK(goro::make_chan<int>(std::size_t{9}).cap() == 9);
  CHECK(goro::make_chan<int>(11LL).cap() == 11);
  CHECK(goro::make_chan<int>(std::int8_t{2}).cap() == 2);
  CHECK(goro::make_chan<int>().cap() == 0);
}

TEST_CASE("Chan.Make.LargeEmptyBuffer") {
  // chan struct{} with a large buffer costs no element storage in Go.
  auto c = goro::make_chan<goro::Empty>(1 << 20);
  CHECK(c.cap() == (1 << 20));
  for (int i = 0; i < 1000; i++) c.send(goro::Empty{});
  CHECK(c.len() == 1000);
}

// ---------------------------------------------------------------------------
// range-for and recv_ok

TEST_CASE("Chan.Range.UntilClose") {
  auto c = goro::make_chan<int>(2);
  goro::go([c] {
    for (int i = 1; i <= 100; i++) c.send(i);
    goro::close(c);
  });
  int sum = 0;
  int count = 0;
  for (int v : c) {
    sum += v;
    count++;
  }
  CHECK(count == 100);
  CHECK(sum == 5050);
  // After the loop the channel is closed and empty.
  auto [v, ok] = c.recv_ok();
  CHECK(v == 0);
  CHECK_FALSE(ok);
}

TEST_CASE("Chan.Range.OnRecvChanAndClosedBuffered") {
  auto c = goro::make_chan<std::string>(3);
  c.send("a");
  c.send("b");
  c.send("c");
  goro::close(c);
  goro::recv_chan<std::string> r = c;
  std::string all;
  for (const auto& s : r) all += s;
  CHECK(all == "abc");
  int more = 0;
  for (auto& s : c) {
    (void)s;
    more++;
  }
  CHECK(more == 0);
}

TEST_CASE("Chan.Range.BreakLeavesRestQueued") {
  auto c = goro::make_chan<int>(5);
  for (int i = 0; i < 5; i++) c.send(i);
  for (int v : c) {
    if (v == 1) break;
  }
  CHECK(c.len() == 3);
  CHECK(c.recv() == 2);
}

TEST_CASE("Chan.RecvOk.StructuredBindings") {
  auto c = goro::make_chan<std::vector<int>>(1);
  c.send({1, 2, 3});
  auto [v, ok] = c.recv_ok();
  CHECK(ok);
  CHECK(v == std::vector<int>{1, 2, 3});
  goro::recv_chan<std::vector<int>> r = c;
  c.close();
  auto [w, wok] = r.recv_ok();
  CHECK_FALSE(wok);
  CHECK(w.empty());
  goro::RecvResult<std::vector<int>> res = r.recv_ok();
  CHECK_FALSE(res.ok);
}

// ---------------------------------------------------------------------------
// handles

TEST_CASE("Chan.Handle.CopiesShareTheChannel") {
  auto a = goro::make_chan<int>(2);
  goro::chan<int> b = a;
  goro::chan<int> c;
  c = b;
  a.send(1);
  CHECK(b.len() == 1);
  CHECK(c.recv() == 1);
  CHECK(a.len() == 0);
  CHECK(a == b);
  CHECK(b == c);
  goro::close(b);
  auto [v, ok] = a.recv_ok();
  CHECK_FALSE(ok);
  (void)v;
}

TEST_CASE("Chan.Handle.DirectionalCopiesShareTheChannel") {
  auto c = goro::make_chan<int>(2);
  goro::send_chan<int> s = c;
  goro::recv_chan<int> r = c;
  goro::send_chan<int> s2 = s;
  s.send(1);
  s2.send(2);
  CHECK(c.len() == 2);
  CHECK(r.recv() == 1);
  CHECK(c.recv() == 2);
  CHECK(s == s2);
  CHECK(s == goro::send_chan<int>(c));
  CHECK(r == goro::recv_chan<int>(c));
  goro::close(s2);
  CHECK_FALSE(r.recv_ok().ok);
}

TEST_CASE("Chan.Handle.NilAndEquality") {
  goro::chan<int> nil;
  CHECK(nil == nullptr);
  CHECK(nil == goro::chan<int>{});
  goro::chan<int> nil2 = nullptr;
  CHECK(nil2 == nullptr);
  CHECK(nil == nil2);

  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  CHECK_FALSE(a == nullptr);
  CHECK(a != nullptr);
  CHECK_FALSE(a == b);
  CHECK(a != b);
  CHECK(a != nil);

  goro::chan<int> a2 = a;
  CHECK(a2 == a);
  a2 = goro::chan<int>{};  // makes the handle nil; a is unaffected
  CHECK(a2 == nullptr);
  CHECK(a != nullptr);
  a2 = a;
  a2 = nullptr;
  CHECK(a2 == nullptr);

  goro::send_chan<int> s;
  goro::recv_chan<int> r;
  CHECK(s == nullptr);
  CHECK(r == nullptr);
  s = a;
  r = a;
  CHECK(s != nullptr);
  CHECK(r != nullptr);
  s = nullptr;
  CHECK(s == nullptr);
  goro::send_chan<int> from_nil = goro::chan<int>{};
  CHECK(from_nil == nullptr);
}

TEST_CASE("Chan.Handle.RvalueConversions") {
  goro::send_chan<int> s = goro::make_chan<int>(1);
  goro::recv_chan<int> r = goro::make_chan<int>(1);
  CHECK(s.cap() == 1);
  CHECK(r.cap() == 1);
  s.send(3);
  CHECK(s.len() == 1);
  CHECK(r.len() == 0);  // a different channel
  goro::chan<int> c = goro::make_chan<int>(1);
  goro::send_chan<int> s2 = std::move(c);
  s2.send(1);
  CHECK(goro::len(s2) == 1);
}

TEST_CASE("Chan.Handle.ConstMembersUsableInValueCapture") {
  auto c = goro::make_chan<int>();
  auto done = goro::make_chan<int>();
  // A non-mutable [=] lambda sees c as const: every operation must still work.
  goro::go([=] {
    c.send(c.recv() * 2);
    done.send(c.len() + c.cap());
    goro::close(c);
  });
  c.send(21);
  CHECK(c.recv() == 42);
  CHECK(done.recv() == 0);
  CHECK_FALSE(c.recv_ok().ok);
}

TEST_CASE("Chan.Handle.ChannelOutlivesEveryHandleButOne") {
  // The creator drops its handle while a goroutine still uses the channel.
  auto out = goro::make_chan<int>();
  {
    auto c = goro::make_chan<int>(1);
    c.send(5);
    goro::go([c, out] { out.send(c.recv()); });
  }
  CHECK(out.recv() == 5);
}

TEST_CASE("Chan.Handle.ChannelsOfChannels") {
  auto reqs = goro::make_chan<goro::chan<int>>();
  goro::go([reqs] {
    for (auto reply : reqs) reply.send(99);
  });
  for (int i = 0; i < 5; i++) {
    auto reply = goro::make_chan<int>();
    reqs.send(reply);
    CHECK(reply.recv() == 99);
  }
  goro::close(reqs);
  // A nil chan is the zero value of a channel of channels.
  auto [v, ok] = reqs.recv_ok();
  CHECK_FALSE(ok);
  CHECK(v == nullptr);
}

// ---------------------------------------------------------------------------
// element types

TEST_CASE("Chan.MoveOnly.UniquePtrUnbuffered") {
  auto c = goro::make_chan<std::unique_ptr<int>>();
  goro::go([c] {
    for (int i = 0; i < 10; i++) c.send(std::make_unique<int>(i));
    goro::close(c);
  });
  int sum = 0;
  int n = 0;
  for (auto& p : c) {
    REQUIRE(p != nullptr);
    sum += *p;
    n++;
  }
  CHECK(n == 10);
  CHECK(sum == 45);
  auto [p, ok] = c.recv_ok();
  CHECK_FALSE(ok);
  CHECK(p == nullptr);
}

TEST_CASE("Chan.MoveOnly.UniquePtrBuffered") {
  auto c = goro::make_chan<std::unique_ptr<int>>(4);
  auto up = std::make_unique<int>(1);
  c.send(std::move(up));
  c.send(std::make_unique<int>(2));
  CHECK(c.len() == 2);
  auto a = c.recv();
  REQUIRE(a != nullptr);
  CHECK(*a == 1);
  auto [b, ok] = c.recv_ok();
  REQUIRE(b != nullptr);
  CHECK(*b == 2);
  CHECK(ok);
  // Values buffered at close are received; then the channel dies with more of
  // them inside (checked for leaks by ASan's leak checker).
  c.send(std::make_unique<int>(3));
  c.send(std::make_unique<int>(4));
  c.send(std::make_unique<int>(5));
  goro::close(c);
  auto d = c.recv();
  REQUIRE(d != nullptr);
  CHECK(*d == 3);
}

TEST_CASE("Chan.MoveOnly.SendChanAndRecvChan") {
  auto c = goro::make_chan<std::unique_ptr<std::string>>(1);
  goro::send_chan<std::unique_ptr<std::string>> s = c;
  goro::recv_chan<std::unique_ptr<std::string>> r = c;
  goro::go([s] {
    s.send(std::make_unique<std::string>("moved"));
    goro::close(s);
  });
  std::string got;
  for (auto& p : r) got += *p;
  CHECK(got == "moved");
}

TEST_CASE("Chan.NonTrivial.StringsAndVectors") {
  auto s = goro::make_chan<std::string>(2);
  auto v = goro::make_chan<std::vector<int>>();
  // Long strings live on the heap: a lost destructor is a leak ASan reports.
  const std::string big(1000, 'x');
  goro::go([s, v, big] {
    s.send(big);
    s.send("short");
    v.send(std::vector<int>(100, 7));
  });
  CHECK(s.recv() == big);
  CHECK(s.recv() == "short");
  auto vec = v.recv();
  CHECK(vec.size() == 100);
  CHECK(vec[99] == 7);
}

TEST_CASE("Chan.NonTrivial.ValuesLeftInBufferAreDestroyed") {
  {
    auto s = goro::make_chan<std::string>(8);
    for (int i = 0; i < 5; i++) s.send(std::string(200, static_cast<char>('a' + i)));
    (void)s.recv();
    auto v = goro::make_chan<std::vector<int>>(3);
    v.send(std::vector<int>(1000, 1));
    v.send(std::vector<int>(1000, 2));
    v.close();
  }
  // Precisely, with a counting type: everything left inside dies with the channel.
  long before = Counted::live.load();
  {
    auto c = goro::make_chan<Counted>(10);
    for (int i = 0; i < 7; i++) c.send(Counted(i));
    Counted first = c.recv();
    CHECK(first.id == 0);
    // Six values are buffered; four more fill the (wrapped) ring to capacity.
    for (int i = 7; i < 11; i++) c.send(Counted(i));
    CHECK(c.len() == 10);
    CHECK(Counted::live.load() - before == 11);
    goro::close(c);
  }
  CHECK(Counted::live.load() == before);
}

TEST_CASE("Chan.NonTrivial.CountedNoValueLostDuplicatedOrLeaked") {
  long live_before = Counted::live.load();
  long copies_before = Counted::copies.load();
  const int producers = 4;
  const int consumers = 4;
  const int per = goro_test::Scaled(2000);
  const int total = producers * per;
  auto seen = std::make_shared<std::vector<std::atomic<int>>>(static_cast<size_t>(total));
  auto bad = std::make_shared<std::atomic<int>>(0);
  for (int cap : {0, 1, 16}) {
    for (auto& s : *seen) s.store(0);
    auto c = goro::make_chan<Counted>(cap);
    goro::sync::WaitGroup senders, receivers;
    for (int p = 0; p < producers; p++) {
      senders.Go([c, p, per] {
        for (int i = 0; i < per; i++) c.send(Counted(p * per + i));
      });
    }
    for (int q = 0; q < consumers; q++) {
      receivers.Go([c, seen, bad, total] {
        for (auto& v : c) {
          if (v.id < 0 || v.id >= total) {
            bad->fetch_add(1);
          } else {
            (*seen)[static_cast<size_t>(v.id)].fetch_add(1);
          }
        }
      });
    }
    senders.Wait();
    goro::close(c);
    receivers.Wait();
    int missing = 0;
    int duplicated = 0;
    for (auto& s : *seen) {
      if (s.load() == 0) missing++;
      if (s.load() > 1) duplicated++;
    }
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(bad->load() == 0);
  }
  CHECK(Counted::live.load() == live_before);
  CHECK(Counted::copies.load() == copies_before);  // the channel only moves
}

TEST_CASE("Chan.NonTrivial.ZeroValueOfClosedIsValueInitialized") {
  auto c = goro::make_chan<Counted>();
  c.close();
  Counted z = c.recv();
  CHECK(z.id == -1);
  struct Pod {
    int a;
    double b;
    char c[8];
  };
  auto p = goro::make_chan<Pod>(1);
  p.send(Pod{1, 2.0, "x"});
  p.close();
  CHECK(p.recv().a == 1);
  Pod zero = p.recv();
  CHECK(zero.a == 0);
  CHECK(zero.b == 0.0);
  CHECK(zero.c[0] == 0);
}

TEST_CASE("Chan.Empty.SignalChannel") {
  auto done = goro::make_chan<goro::Empty>();
  auto work = std::make_shared<int>(0);
  goro::go([done, work] {
    *work = 1;
    done.send(goro::Empty{});
  });
  goro::Empty e = done.recv();
  CHECK(e == goro::Empty{});
  CHECK(*work == 1);

  auto b = goro::make_chan<goro::Empty>(3);
  b.send({});
  b.send(goro::Empty{});
  CHECK(b.len() == 2);
  CHECK(b.cap() == 3);
  goro::close(b);
  int n = 0;
  for (goro::Empty x : b) {
    (void)x;
    n++;
  }
  CHECK(n == 2);
  auto [v, ok] = b.recv_ok();
  CHECK_FALSE(ok);
  CHECK(v == goro::Empty{});
}

TEST_CASE("Chan.Empty.CloseBroadcasts") {
  auto stop = goro::make_chan<goro::Empty>();
  auto stopped = goro::make_chan<int>(8);
  for (int i = 0; i < 8; i++) {
    goro::go([stop, stopped, i] {
      (void)stop.recv();
      stopped.send(i);
    });
  }
  goro::close(stop);
  int sum = 0;
  for (int i = 0; i < 8; i++) sum += stopped.recv();
  CHECK(sum == 28);
}

// ---------------------------------------------------------------------------
// happens-before (Go's memory model; ThreadSanitizer reports any violation)

TEST_CASE("Chan.HappensBefore.SendBeforeRecvCompletes") {
  for (int cap : {0, 1, 8}) {
    const int rounds = goro_test::Scaled(300);
    auto c = goro::make_chan<int*>(cap);
    auto ack = goro::make_chan<int>();
    goro::go([c, ack, rounds] {
      for (int i = 0; i < rounds; i++) {
        int* p = c.recv();
        ack.send(*p);  // plain read of a plain write made before the send
        delete p;
      }
    });
    int bad = 0;
    for (int i = 0; i < rounds; i++) {
      int* p = new int(0);
      *p = i * 3;
      c.send(p);
      if (ack.recv() != i * 3) bad++;
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("Chan.HappensBefore.UnbufferedRecvBeforeSendCompletes") {
  // A receive from an unbuffered channel happens before the send completes, so
  // what the receiver wrote before receiving is visible to the sender after.
  const int rounds = goro_test::Scaled(300);
  int bad = 0;
  for (int i = 0; i < rounds; i++) {
    auto c = goro::make_chan<int>();
    auto data = std::make_shared<int>(0);
    goro::go([c, data, i] {
      *data = i + 1;
      (void)c.recv();
    });
    c.send(0);
    if (*data != i + 1) bad++;
  }
  CHECK(bad == 0);
}

TEST_CASE("Chan.HappensBefore.KthRecvBeforeKPlusCthSend") {
  // Capacity C = 1: the 1st receive happens before the 2nd send completes (the
  // counting-semaphore rule).
  const int rounds = goro_test::Scaled(300);
  int bad = 0;
  for (int i = 0; i < rounds; i++) {
    auto c = goro::make_chan<int>(1);
    auto data = std::make_shared<int>(0);
    c.send(1);
    goro::go([c, data, i] {
      *data = i + 1;
      (void)c.recv();
    });
    c.send(2);  // completes only after the goroutine's receive
    if (*data != i + 1) bad++;
  }
  CHECK(bad == 0);
}

// ---------------------------------------------------------------------------
// many goroutines, all operations at once

TEST_CASE("Chan.Stress.ManySendersManyReceiversSum") {
  const int n = goro_test::Scaled(5000);
  for (int cap : {0, 3, 100}) {
    auto c = goro::make_chan<int>(cap);
    auto sums = goro::make_chan<long long>(8);
    for (int i = 0; i < 4; i++) {
      goro::go([c, sums] {
        long long s = 0;
        for (int v : c) s += v;
        sums.send(s);
      });
    }
    goro::sync::WaitGroup wg;
    for (int i = 0; i < 4; i++) {
      wg.Go([c, n] {
        for (int k = 1; k <= n; k++) c.send(k);
      });
    }
    wg.Wait();
    goro::close(c);
    long long total = 0;
    for (int i = 0; i < 4; i++) total += sums.recv();
    CHECK(total == 4LL * n * (n + 1) / 2);
  }
}

TEST_CASE("Chan.Stress.NoGoroutineLeak") {
  int base = goro::runtime::NumGoroutine();
  auto c = goro::make_chan<int>();
  goro::sync::WaitGroup wg;
  for (int i = 0; i < 20; i++) {
    wg.Go([c] { c.send(1); });
  }
  int sum = 0;
  for (int i = 0; i < 20; i++) sum += c.recv();
  wg.Wait();
  CHECK(sum == 20);
  CHECK(goro_test::WaitForGoroutines(base) <= base);
}

// ---------------------------------------------------------------------------
// element layout, foreign threads, blocking

namespace {
struct alignas(64) OverAligned {
  int v = 0;
  char pad[60] = {};
};
struct Big {
  int first = 0;
  char bytes[8192] = {};
  int last = 0;
};
}  // namespace

TEST_CASE("Chan.Layout.OverAlignedAndBigElements") {
  auto a = goro::make_chan<OverAligned>(3);
  for (int i = 0; i < 7; i++) {  // wraps the ring
    OverAligned x;
    x.v = i;
    a.send(x);
    OverAligned y = a.recv();
    CHECK(y.v == i);
  }
  a.send(OverAligned{});
  a.send(OverAligned{});
  auto b = goro::make_chan<Big>();
  goro::go([b] {
    auto big = std::make_unique<Big>();
    big->first = 1;
    big->bytes[4096] = 'z';
    big->last = 2;
    b.send(*big);
    b.close();
  });
  auto got = std::make_unique<Big>(b.recv());
  CHECK(got->first == 1);
  CHECK(got->bytes[4096] == 'z');
  CHECK(got->last == 2);
  auto [z, ok] = b.recv_ok();
  CHECK_FALSE(ok);
  CHECK(z.last == 0);
}

TEST_CASE("Chan.Threads.ForeignThreadSendsAndReceives") {
  auto c = goro::make_chan<int>();
  auto back = goro::make_chan<int>();
  goro::go([c, back] {
    for (int v : c) back.send(v * 2);
    back.close();
  });
  std::thread t([c] {
    for (int i = 1; i <= 100; i++) c.send(i);
    c.close();
  });
  int sum = 0;
  for (int v : back) sum += v;
  t.join();
  CHECK(sum == 10100);
}

TEST_CASE("Chan.Blocking.BlockedGoroutinesDoNotStarveOthers") {
  // More goroutines block in recv than there are slots; the goroutine that
  // feeds them is spawned last and must still run (the key promise).
  const int blocked = goro_test::Procs() * 4 + 4;
  auto c = goro::make_chan<int>();
  auto done = goro::make_chan<int>(static_cast<int>(blocked));
  for (int i = 0; i < blocked; i++) {
    goro::go([c, done] { done.send(c.recv()); });
  }
  goro::go([c, blocked] {
    for (int i = 0; i < blocked; i++) c.send(1);
  });
  int n = 0;
  for (int i = 0; i < blocked; i++) n += done.recv();
  CHECK(n == blocked);
}
