// test/gotest_chan_test.cc: ports of Go's own channel test programs,
// /usr/lib/go-1.19/test/chan/*.go plus test/closedchan.go and test/chancap.go.
//
// Each TEST_CASE's first comment names the Go file it ports. Where a Go program
// panics inside a goroutine on a wrong result, the port counts the failure in an
// atomic and the test thread checks the count: an assertion made by a goroutine
// that outlives its test case would be reported against the wrong test. perm.go
// (direction rules, a compile-time test) is ported elsewhere.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "goro_test.h"

namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// select3.go helpers.

// The two signals of select3.go's testBlock and testPanic.
constexpr const char* kAlways = "function did not";
constexpr const char* kNever = "function did";

// Counts calls of select3.go's unreachable(). Go panics there; a goroutine
// blocked forever by testBlock may outlive its test case, so it only counts.
std::atomic<int> g_unreachable{0};
void Unreachable() { g_unreachable.fetch_add(1); }

// TestBlock is select3.go's testBlock: it runs f in a goroutine and races it
// against a goroutine that sleeps (10 ms when f must block, up to 10 s when it
// must not), and returns the signal that arrived first: kNever if f returned,
// kAlways if the timer fired first.
//
// Go's c is unbuffered and the loser stays blocked on it forever; here c has
// room for both signals, and the long timer stops early once the result is in,
// so only a goroutine that really blocks forever in f is left behind.
std::string TestBlock(const char* signal, std::function<void()> f) {
  auto c = goro::make_chan<std::string>(2);
  auto settled = std::make_shared<std::atomic<bool>>(false);
  goro::go([c, f] {
    f();
    c.send(kNever);  // f didn't block
  });
  const bool long_wait = std::string(signal) == kNever;
  goro::go([c, settled, long_wait] {
    if (long_wait) {
      // Wait a long time so that a slow machine does not make us miss f.
      auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!settled->load() && std::chrono::steady_clock::now() < deadline) {
        goro_test::SleepMs(1);
      }
    } else {
      // As short as we can without false negatives.
      goro_test::SleepMs(10);
    }
    c.send(kAlways);  // f blocked
  });
  std::string got = c.recv();
  settled->store(true);
  return got;
}

// TestPanic is select3.go's testPanic: calls f and returns kAlways if it
// panicked (threw goro::Panic), kNever if it returned.
std::string TestPanic(const std::function<void()>& f) {
  try {
    f();
  } catch (const goro::Panic&) {
    return kAlways;
  }
  return kNever;
}

// A closed unbuffered channel, as select3.go's closedch.
goro::chan<int> ClosedChan() {
  auto c = goro::make_chan<int>();
  goro::close(c);
  return c;
}

}  // namespace

TEST_CASE("GoTestChan.Select3.NilChannelBlocks") {
  // Go: test/chan/select3.go (sending/receiving from a nil channel blocks)
  goro::chan<int> nilch;
  CHECK(TestBlock(kAlways, [nilch] { nilch.send(7); }) == kAlways);
  CHECK(TestBlock(kAlways, [nilch] { (void)nilch.recv(); }) == kAlways);
  CHECK(TestBlock(kAlways, [nilch] { (void)nilch.recv_ok(); }) == kAlways);
}

TEST_CASE("GoTestChan.Select3.NilCaseWithDefaultNeverChosen") {
  // Go: test/chan/select3.go (a nil channel inside a select is never selected)
  int before = g_unreachable.load();
  goro::chan<int> nilch;
  int idx = -1;
  CHECK(TestPanic([&] {
          idx = goro::select(goro::case_send(nilch, 7, [] { Unreachable(); }),
                             goro::case_default());
        }) == kNever);
  CHECK(idx == 1);
  idx = -1;
  CHECK(TestPanic([&] {
          idx = goro::select(goro::case_recv(nilch, [] { Unreachable(); }),
                             goro::case_default());
        }) == kNever);
  CHECK(idx == 1);
  CHECK(g_unreachable.load() == before);
}

TEST_CASE("GoTestChan.Select3.BufferedSendDoesNotBlock") {
  // Go: test/chan/select3.go (sending to an async channel with free buffer space
  // never blocks)
  CHECK(TestBlock(kNever, [] {
          auto ch = goro::make_chan<int>(1);
          ch.send(7);
        }) == kNever);
}

TEST_CASE("GoTestChan.Select3.ClosedChannelReceivesZeroFalse") {
  // Go: test/chan/select3.go (receiving from a closed channel never blocks)
  auto closedch = ClosedChan();
  auto bad = std::make_shared<std::atomic<int>>(0);
  CHECK(TestBlock(kNever, [closedch, bad] {
          for (int i = 0; i < 10; i++) {
            if (closedch.recv() != 0) bad->fetch_add(1);
            auto [x, ok] = closedch.recv_ok();
            if (x != 0 || ok) bad->fetch_add(1);
          }
        }) == kNever);
  CHECK(bad->load() == 0);
}

TEST_CASE("GoTestChan.Select3.SendOnClosedPanics") {
  // Go: test/chan/select3.go (sending to a closed channel panics)
  auto closedch = ClosedChan();
  CHECK(TestPanic([&] { closedch.send(7); }) == kAlways);
  CHECK_THROWS_WITH_AS(closedch.send(7), "send on closed channel", goro::Panic);
}

TEST_CASE("GoTestChan.Select3.NotReadyReceiveBlocks") {
  // Go: test/chan/select3.go (receiving from a non-ready channel always blocks)
  CHECK(TestBlock(kAlways, [] {
          auto ch = goro::make_chan<int>();
          (void)ch.recv();
        }) == kAlways);
}

TEST_CASE("GoTestChan.Select3.EmptySelectBlocks") {
  // Go: test/chan/select3.go (empty selects always block)
  CHECK(TestBlock(kAlways, [] { goro::select(); }) == kAlways);
}

TEST_CASE("GoTestChan.Select3.NilOnlySelectBlocks") {
  // Go: test/chan/select3.go (selects with only nil channels always block)
  int before = g_unreachable.load();
  goro::chan<int> nilch;
  CHECK(TestBlock(kAlways, [nilch] {
          goro::select(goro::case_recv(nilch, [] { Unreachable(); }));
        }) == kAlways);
  CHECK(TestBlock(kAlways, [nilch] {
          goro::select(goro::case_send(nilch, 7, [] { Unreachable(); }));
        }) == kAlways);
  CHECK(TestBlock(kAlways, [nilch] {
          goro::select(goro::case_recv(nilch, [] { Unreachable(); }),
                       goro::case_send(nilch, 7, [] { Unreachable(); }));
        }) == kAlways);
  CHECK(g_unreachable.load() == before);
}

TEST_CASE("GoTestChan.Select3.NotReadySelectBlocks") {
  // Go: test/chan/select3.go (selects with non-ready non-nil channels always
  // block)
  int before = g_unreachable.load();
  CHECK(TestBlock(kAlways, [] {
          auto ch = goro::make_chan<int>();
          goro::select(goro::case_recv(ch, [] { Unreachable(); }));
        }) == kAlways);
  CHECK(g_unreachable.load() == before);
}

TEST_CASE("GoTestChan.Select3.DefaultNeverBlocks") {
  // Go: test/chan/select3.go (selects with default cases don't block)
  int before = g_unreachable.load();
  goro::chan<int> nilch;
  auto idx = std::make_shared<std::atomic<int>>(-1);
  CHECK(TestBlock(kNever, [idx] { idx->store(goro::select(goro::case_default())); }) ==
        kNever);
  CHECK(idx->load() == 0);
  idx->store(-1);
  CHECK(TestBlock(kNever, [nilch, idx] {
          idx->store(goro::select(goro::case_recv(nilch, [] { Unreachable(); }),
                                  goro::case_default()));
        }) == kNever);
  CHECK(idx->load() == 1);
  idx->store(-1);
  CHECK(TestBlock(kNever, [nilch, idx] {
          idx->store(goro::select(goro::case_send(nilch, 7, [] { Unreachable(); }),
                                  goro::case_default()));
        }) == kNever);
  CHECK(idx->load() == 1);
  CHECK(g_unreachable.load() == before);
}

TEST_CASE("GoTestChan.Select3.ReadyCaseBeatsDefault") {
  // Go: test/chan/select3.go (selects with ready channels don't block)
  int before = g_unreachable.load();
  auto got = std::make_shared<std::atomic<int>>(0);
  CHECK(TestBlock(kNever, [got] {
          auto ch = goro::make_chan<int>(1);
          goro::select(goro::case_send(ch, 7), goro::case_default([] { Unreachable(); }));
          got->store(ch.len());
        }) == kNever);
  CHECK(got->load() == 1);
  CHECK(TestBlock(kNever, [got] {
          auto ch = goro::make_chan<int>(1);
          ch.send(7);
          goro::select(goro::case_recv(ch, [got](int v) { got->store(v); }),
                       goro::case_default([] { Unreachable(); }));
        }) == kNever);
  CHECK(got->load() == 7);
  CHECK(g_unreachable.load() == before);
}

TEST_CASE("GoTestChan.Select3.SelectOnClosedChannel") {
  // Go: test/chan/select3.go (selects with closed channels behave like ordinary
  // operations)
  auto closedch = ClosedChan();
  auto bad = std::make_shared<std::atomic<int>>(0);
  CHECK(TestBlock(kNever, [closedch] { goro::select(goro::case_recv(closedch)); }) ==
        kNever);
  CHECK(TestBlock(kNever, [closedch, bad] {
          goro::select(goro::case_recv(closedch, [bad](int x) {
            if (x != 0) bad->fetch_add(1);
          }));
        }) == kNever);
  CHECK(TestBlock(kNever, [closedch, bad] {
          goro::select(goro::case_recv(closedch, [bad](int x, bool ok) {
            if (x != 0 || ok) bad->fetch_add(1);
          }));
        }) == kNever);
  CHECK(bad->load() == 0);
  int handler_runs = 0;
  CHECK(TestPanic([&] {
          goro::select(goro::case_send(closedch, 7, [&] { handler_runs++; }));
        }) == kAlways);
  CHECK_THROWS_WITH_AS(goro::select(goro::case_send(closedch, 7, [&] { handler_runs++; })),
                       "send on closed channel", goro::Panic);
  CHECK(handler_runs == 0);
}

TEST_CASE("GoTestChan.Select3.SelfSendReceiveBlocks") {
  // Go: test/chan/select3.go (select should not get confused if it sees itself)
  auto hits = std::make_shared<std::atomic<int>>(0);
  CHECK(TestBlock(kAlways, [hits] {
          auto c = goro::make_chan<int>();
          goro::select(goro::case_send(c, 1, [hits] { hits->fetch_add(1); }),
                       goro::case_recv(c, [hits] { hits->fetch_add(1); }));
        }) == kAlways);
  CHECK(hits->load() == 0);
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.DoubleSelect.NoDuplicates") {
  // Go: test/chan/doubleselect.go (two cases of one select must never both run)
  // Go runs 100000 iterations with GOMAXPROCS(2); the registrations cover P.
  const int iterations = goro_test::Scaled(100000);
  auto c1 = goro::make_chan<int>();
  auto c2 = goro::make_chan<int>();
  auto c3 = goro::make_chan<int>();
  auto c4 = goro::make_chan<int>();
  auto done = goro::make_chan<bool>();
  auto cmux = goro::make_chan<int>();

  // sender sends a counter to one of four channels; if two cases ran in one
  // iteration, the same value would reach two channels.
  goro::go(
      [](int n, goro::send_chan<int> c1, goro::send_chan<int> c2, goro::send_chan<int> c3,
         goro::send_chan<int> c4) {
        for (int i = 0; i < n; i++) {
          goro::select(goro::case_send(c1, i), goro::case_send(c2, i),
                       goro::case_send(c3, i), goro::case_send(c4, i));
        }
        // Go's deferred closes run in reverse order.
        goro::close(c4);
        goro::close(c3);
        goro::close(c2);
        goro::close(c1);
      },
      iterations, c1, c2, c3, c4);
  // mux forwards what sender sent on one channel to cmux.
  auto mux = [](goro::send_chan<int> out, goro::recv_chan<int> in,
                goro::send_chan<bool> done) {
    for (int v : in) out.send(v);
    done.send(true);
  };
  goro::go(mux, cmux, c1, done);
  goro::go(mux, cmux, c2, done);
  goro::go(mux, cmux, c3, done);
  goro::go(mux, cmux, c4, done);
  goro::go([done, cmux] {
    done.recv();
    done.recv();
    done.recv();
    done.recv();
    goro::close(cmux);
  });

  // recver checks for duplicates.
  std::vector<bool> seen(static_cast<std::size_t>(iterations), false);
  int duplicates = 0;
  int out_of_range = 0;
  int received = 0;
  for (int v : goro::recv_chan<int>(cmux)) {
    received++;
    if (v < 0 || v >= iterations) {
      out_of_range++;
      continue;
    }
    if (seen[static_cast<std::size_t>(v)]) duplicates++;
    seen[static_cast<std::size_t>(v)] = true;
  }
  CHECK(duplicates == 0);
  CHECK(out_of_range == 0);
  CHECK(received == iterations);  // not in Go's test; follows from no loss
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.Fifo.Asynch") {
  // Go: test/chan/fifo.go (AsynchFifo: a buffered channel is a FIFO)
  constexpr int N = 10;
  auto ch = goro::make_chan<int>(N);
  for (int i = 0; i < N; i++) ch.send(i);
  for (int i = 0; i < N; i++) CHECK(ch.recv() == i);
}

TEST_CASE("GoTestChan.Fifo.Synch") {
  // Go: test/chan/fifo.go (SynchFifo: a daisy chain of goroutines reads an
  // unbuffered channel in send order)
  constexpr int N = 10;
  auto ch = goro::make_chan<int>();
  auto in = goro::make_chan<int>();
  auto start = in;
  auto bad = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < N; i++) {
    auto out = goro::make_chan<int>();
    goro::go(
        [bad](goro::recv_chan<int> ch, int val, goro::recv_chan<int> in,
              goro::send_chan<int> out) {
          in.recv();
          if (ch.recv() != val) bad->fetch_add(1);  // Go: panic(val)
          out.send(1);
        },
        ch, i, in, out);
    in = out;
  }
  start.send(0);
  for (int i = 0; i < N; i++) ch.send(i);
  CHECK(in.recv() == 1);
  CHECK(bad->load() == 0);
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.Goroutines.Chain") {
  // Go: test/chan/goroutines.go (a chain of 10000 goroutines, `left <- <-right`,
  // all blocked until one value ripples through)
  //
  // Every goroutine of the chain blocks at once, and in goro each blocked
  // goroutine holds an OS thread (goro/runtime.h, Limits), so the chain needs
  // n + P + a few pool threads; Go's parked goroutines need none. The default
  // limit (10000, Go's) is therefore raised for this test and restored after.
  // Under ThreadSanitizer 10000 threads exhaust memory (about 1 MB of shadow
  // each), so sanitizer builds run a chain of 1000.
  const int n = goro_test::Scaled(10000);
  int old_max = goro::runtime::debug::SetMaxThreads(n + 1000);
  auto leftmost = goro::make_chan<int>();
  auto right = leftmost;
  auto left = leftmost;
  for (int i = 0; i < n; i++) {
    right = goro::make_chan<int>();
    goro::go([](goro::chan<int> left, goro::chan<int> right) { left.send(right.recv()); },
             left, right);
    left = right;
  }
  goro::go([](goro::chan<int> c) { c.send(1); }, right);
  CHECK(leftmost.recv() == 1);
  goro::runtime::debug::SetMaxThreads(old_max);
}

// ---------------------------------------------------------------------------

namespace {

// sieve1.go's Generate: sends 2, 3, 4, ... to ch.
void Generate(goro::send_chan<int> ch) {
  for (int i = 2;; i++) ch.send(i);
}

// sieve1.go's Filter: copies in to out, dropping multiples of prime.
void Filter(goro::recv_chan<int> in, goro::send_chan<int> out, int prime) {
  for (int i : in) {
    if (i % prime != 0) out.send(i);
  }
}

// sieve1.go's Sieve: daisy-chains Filter goroutines.
void Sieve(goro::send_chan<int> primes) {
  auto ch = goro::make_chan<int>();
  goro::go(Generate, ch);
  for (;;) {
    int prime = ch.recv();
    primes.send(prime);
    auto ch1 = goro::make_chan<int>();
    goro::go(Filter, ch, ch1, prime);
    ch = ch1;
  }
}

}  // namespace

TEST_CASE("GoTestChan.Sieve1.First25Primes") {
  // Go: test/chan/sieve1.go (concurrent prime sieve up to 97). As in Go, the
  // generator, the sieve and the filters stay blocked when the test returns.
  auto primes = goro::make_chan<int>();
  goro::go(Sieve, primes);
  const int a[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                   43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
  for (int want : a) {
    int x = primes.recv();
    CHECK(x == want);
  }
}

// ---------------------------------------------------------------------------

namespace {

// nonblock.go's sleep(): two ticks of a 10 us ticker, then three Gosched.
void NonblockSleep() {
  goro_test::Sleep(10us);
  goro_test::Sleep(10us);
  goro::runtime::Gosched();
  goro::runtime::Gosched();
  goro::runtime::Gosched();
}

// Go's maxTries is 10000 sleeps of about 10 us (100 ms). A sleep here is
// longer (timer slack), and a loaded machine may start a goroutine late, so the
// retries also go on until 10 s have passed: this checks "does not block".
constexpr int kMaxTries = 10000;
constexpr auto kMaxRetryTime = 10s;

// NonblockRecvEmpty is nonblock.go's opening `select { case x = <-c: panic;
// default: }`: a non-blocking receive on an empty channel takes default.
template <class T>
void NonblockRecvEmpty(const goro::chan<T>& c) {
  int idx = goro::select(goro::case_recv(c), goro::case_default());
  CHECK(idx == 1);
}

// NonblockRound is one type's part of nonblock.go's main loop: a receiver
// goroutine that expects to_receiver, a non-blocking send loop, then a sender
// goroutine that sends from_sender and a non-blocking receive loop.
template <class T>
void NonblockRound(int buffer, const goro::chan<T>& c, const goro::chan<bool>& sync,
                   const T& to_receiver, const T& from_sender) {
  auto bad = std::make_shared<std::atomic<int>>(0);
  // xreceiver
  goro::go(
      [bad, to_receiver](goro::chan<T> c, goro::chan<bool> strobe) {
        if (c.recv() != to_receiver) bad->fetch_add(1);  // Go: panic("... value")
        strobe.send(true);
      },
      c, sync);
  int tries = 0;
  auto start = std::chrono::steady_clock::now();
  bool sent = false;
  for (;;) {
    if (goro::select(goro::case_send(c, to_receiver), goro::case_default()) == 0) {
      sent = true;
      break;
    }
    tries++;
    if (tries > kMaxTries && std::chrono::steady_clock::now() - start > kMaxRetryTime) break;
    NonblockSleep();
  }
  REQUIRE_MESSAGE(sent, "receiver buffer=" << buffer << " tries=" << tries);
  sync.recv();

  // xsender
  goro::go(
      [from_sender](goro::chan<T> c, goro::chan<bool> strobe) {
        c.send(from_sender);
        strobe.send(true);
      },
      c, sync);
  if (buffer > 0) sync.recv();
  tries = 0;
  start = std::chrono::steady_clock::now();
  bool received = false;
  T got{};
  for (;;) {
    if (goro::select(goro::case_recv(c, [&](T v) { got = std::move(v); }),
                     goro::case_default()) == 0) {
      received = true;
      break;
    }
    tries++;
    if (tries > kMaxTries && std::chrono::steady_clock::now() - start > kMaxRetryTime) break;
    NonblockSleep();
  }
  REQUIRE_MESSAGE(received, "sender buffer=" << buffer << " tries=" << tries);
  CHECK(got == from_sender);
  if (buffer == 0) sync.recv();
  CHECK(bad->load() == 0);
}

}  // namespace

TEST_CASE("GoTestChan.Nonblock.SendRecvWithDefault") {
  // Go: test/chan/nonblock.go (non-blocking send and receive via select with
  // default, buffer sizes 0 and 1, for int32, int64, bool and string)
  auto sync = goro::make_chan<bool>();
  for (int buffer = 0; buffer < 2; buffer++) {
    CAPTURE(buffer);
    auto c32 = goro::make_chan<int32_t>(buffer);
    auto c64 = goro::make_chan<int64_t>(buffer);
    auto cb = goro::make_chan<bool>(buffer);
    auto cs = goro::make_chan<std::string>(buffer);

    NonblockRecvEmpty(c32);
    NonblockRecvEmpty(c64);
    NonblockRecvEmpty(cb);
    NonblockRecvEmpty(cs);

    NonblockRound<int32_t>(buffer, c32, sync, 123, 234);
    NonblockRound<int64_t>(buffer, c64, sync, 123456, 234567);
    NonblockRound<bool>(buffer, cb, sync, true, true);
    NonblockRound<std::string>(buffer, cs, sync, "hello", "hello again");
  }
}

// ---------------------------------------------------------------------------

namespace {

// closedchan.go's Chan interface, over a chan int.
class ClosedChanIface {
 public:
  virtual ~ClosedChanIface() = default;
  virtual void Send(int x) = 0;
  virtual bool Nbsend(int x) = 0;
  virtual int Recv() = 0;
  virtual std::pair<int, bool> Nbrecv() = 0;                // x, selected
  virtual std::pair<int, bool> Recv2() = 0;                 // x, ok
  virtual std::tuple<int, bool, bool> Nbrecv2() = 0;        // x, ok, selected
  virtual void Close() = 0;
  virtual const char* Impl() const = 0;
};

// Counts closedchan.go's panic("nbsend") and friends: control flow that falls
// out of a select that should have returned.
std::atomic<int> g_fell_through{0};

// XChan: direct channel operations where possible.
class XChan final : public ClosedChanIface {
 public:
  explicit XChan(goro::chan<int> c) : c_(std::move(c)) {}
  void Send(int x) override { c_.send(x); }
  bool Nbsend(int x) override {
    bool sent = false;
    goro::select(goro::case_send(c_, x, [&] { sent = true; }), goro::case_default());
    return sent;
  }
  int Recv() override { return c_.recv(); }
  std::pair<int, bool> Nbrecv() override {
    std::pair<int, bool> r{0, false};
    goro::select(goro::case_recv(c_, [&](int x) { r = {x, true}; }), goro::case_default());
    return r;
  }
  std::pair<int, bool> Recv2() override {
    auto [x, ok] = c_.recv_ok();
    return {x, ok};
  }
  std::tuple<int, bool, bool> Nbrecv2() override {
    std::tuple<int, bool, bool> r{0, false, false};
    goro::select(goro::case_recv(c_, [&](int x, bool ok) { r = {x, ok, true}; }),
                 goro::case_default());
    return r;
  }
  void Close() override { goro::close(c_); }
  const char* Impl() const override { return "(<- operator)"; }

 private:
  goro::chan<int> c_;
};

// SChan: indirect operations via select.
class SChan final : public ClosedChanIface {
 public:
  explicit SChan(goro::chan<int> c) : c_(std::move(c)) {}
  void Send(int x) override { goro::select(goro::case_send(c_, x)); }
  bool Nbsend(int x) override {
    bool r = false;
    goro::select(goro::case_default([&] { r = false; }),
                 goro::case_send(c_, x, [&] { r = true; }));
    return r;
  }
  int Recv() override {
    int r = -1;
    goro::select(goro::case_recv(c_, [&](int x) { r = x; }));
    return r;
  }
  std::pair<int, bool> Nbrecv() override {
    std::pair<int, bool> r{-1, false};
    goro::select(goro::case_default([&] { r = {0, false}; }),
                 goro::case_recv(c_, [&](int x) { r = {x, true}; }));
    return r;
  }
  std::pair<int, bool> Recv2() override {
    std::pair<int, bool> r{-1, false};
    goro::select(goro::case_recv(c_, [&](int x, bool ok) { r = {x, ok}; }));
    return r;
  }
  std::tuple<int, bool, bool> Nbrecv2() override {
    std::tuple<int, bool, bool> r{-1, false, false};
    goro::select(goro::case_default([&] { r = {0, false, false}; }),
                 goro::case_recv(c_, [&](int x, bool ok) { r = {x, ok, true}; }));
    return r;
  }
  void Close() override { goro::close(c_); }
  const char* Impl() const override { return "(select)"; }

 private:
  goro::chan<int> c_;
};

// closedchan.go's dummy: a channel nobody ever uses.
const goro::chan<bool>& Dummy() {
  static const goro::chan<bool> dummy = goro::make_chan<bool>();
  return dummy;
}

// SSChan: indirect operations via larger selects (with a dummy case).
class SSChan final : public ClosedChanIface {
 public:
  explicit SSChan(goro::chan<int> c) : c_(std::move(c)) {}
  void Send(int x) override {
    goro::select(goro::case_send(c_, x), goro::case_recv(Dummy()));
  }
  bool Nbsend(int x) override {
    int idx = goro::select(goro::case_default(), goro::case_recv(Dummy()),
                           goro::case_send(c_, x));
    if (idx == 0) return false;
    if (idx == 2) return true;
    g_fell_through.fetch_add(1);  // Go: panic("nbsend")
    return false;
  }
  int Recv() override {
    int r = 0;
    if (goro::select(goro::case_recv(Dummy()), goro::case_recv(c_, [&](int x) { r = x; })) ==
        1) {
      return r;
    }
    g_fell_through.fetch_add(1);  // Go: panic("recv")
    return -1;
  }
  std::pair<int, bool> Nbrecv() override {
    int r = 0;
    int idx = goro::select(goro::case_recv(Dummy()), goro::case_default(),
                           goro::case_recv(c_, [&](int x) { r = x; }));
    if (idx == 1) return {0, false};
    if (idx == 2) return {r, true};
    g_fell_through.fetch_add(1);  // Go: panic("nbrecv")
    return {-1, false};
  }
  std::pair<int, bool> Recv2() override {
    std::pair<int, bool> r{-1, false};
    if (goro::select(goro::case_recv(Dummy()),
                     goro::case_recv(c_, [&](int x, bool ok) { r = {x, ok}; })) == 1) {
      return r;
    }
    g_fell_through.fetch_add(1);  // Go: panic("recv")
    return {-1, false};
  }
  std::tuple<int, bool, bool> Nbrecv2() override {
    std::tuple<int, bool, bool> r{-1, false, false};
    int idx = goro::select(goro::case_recv(Dummy()), goro::case_default(),
                           goro::case_recv(c_, [&](int x, bool ok) { r = {x, ok, true}; }));
    if (idx == 1) return {0, false, false};
    if (idx == 2) return r;
    g_fell_through.fetch_add(1);  // Go: panic("nbrecv")
    return {-1, false, false};
  }
  void Close() override { goro::close(c_); }
  const char* Impl() const override { return "(select)"; }

 private:
  goro::chan<int> c_;
};

using MakeIface = std::unique_ptr<ClosedChanIface> (*)(goro::chan<int>);
const MakeIface kMks[] = {
    [](goro::chan<int> c) -> std::unique_ptr<ClosedChanIface> {
      return std::make_unique<XChan>(std::move(c));
    },
    [](goro::chan<int> c) -> std::unique_ptr<ClosedChanIface> {
      return std::make_unique<SChan>(std::move(c));
    },
    [](goro::chan<int> c) -> std::unique_ptr<ClosedChanIface> {
      return std::make_unique<SSChan>(std::move(c));
    },
};

// closedchan.go's test1: c is closed and drained.
void ClosedTest1(ClosedChanIface& c) {
  INFO("impl ", c.Impl());
  for (int i = 0; i < 3; i++) {
    // recv a close signal (a zero value)
    CHECK(c.Recv() == 0);
    {
      auto [x, ok] = c.Recv2();
      CHECK(x == 0);
      CHECK_FALSE(ok);
    }
    // received a value without blocking, so selected == true
    {
      auto [x, selected] = c.Nbrecv();
      CHECK(x == 0);
      CHECK(selected);
    }
    {
      auto [x, ok, selected] = c.Nbrecv2();
      CHECK(x == 0);
      CHECK_FALSE(ok);
      CHECK(selected);
    }
  }
  // a non-blocking send on a closed channel panics
  CHECK_THROWS_WITH_AS(c.Nbsend(1), "send on closed channel", goro::Panic);
  // the value was discarded
  CHECK(c.Recv() == 0);
  // similarly Send
  CHECK_THROWS_WITH_AS(c.Send(2), "send on closed channel", goro::Panic);
  CHECK(c.Recv() == 0);
}

// testasync1..4: the one buffered value comes out first, by each kind of recv.
void ClosedTestAsync1(ClosedChanIface& c) {
  INFO("impl ", c.Impl());
  CHECK(c.Recv() == 1);
  ClosedTest1(c);
}
void ClosedTestAsync2(ClosedChanIface& c) {
  INFO("impl ", c.Impl());
  auto [x, ok] = c.Recv2();
  CHECK(x == 1);
  CHECK(ok);
  ClosedTest1(c);
}
void ClosedTestAsync3(ClosedChanIface& c) {
  INFO("impl ", c.Impl());
  auto [x, selected] = c.Nbrecv();
  CHECK(x == 1);
  CHECK(selected);
  ClosedTest1(c);
}
void ClosedTestAsync4(ClosedChanIface& c) {
  INFO("impl ", c.Impl());
  auto [x, ok, selected] = c.Nbrecv2();
  CHECK(x == 1);
  CHECK(ok);
  CHECK(selected);
  ClosedTest1(c);
}

goro::chan<int> ClosedSync() {
  auto c = goro::make_chan<int>();
  goro::close(c);
  return c;
}

goro::chan<int> ClosedAsync() {
  auto c = goro::make_chan<int>(2);
  c.send(1);
  goro::close(c);
  return c;
}

}  // namespace

TEST_CASE("GoTestChan.ClosedChan.Sync") {
  // Go: test/closedchan.go (main: test1 on a closed unbuffered channel, through
  // XChan, SChan and SSChan)
  int before = g_fell_through.load();
  for (MakeIface mk : kMks) {
    auto c = mk(ClosedSync());
    ClosedTest1(*c);
  }
  CHECK(g_fell_through.load() == before);
}

TEST_CASE("GoTestChan.ClosedChan.Async") {
  // Go: test/closedchan.go (main: testasync1..4 on a closed channel holding one
  // buffered value, through XChan, SChan and SSChan)
  int before = g_fell_through.load();
  void (*const testcloseds[])(ClosedChanIface&) = {ClosedTestAsync1, ClosedTestAsync2,
                                                    ClosedTestAsync3, ClosedTestAsync4};
  for (auto testclosed : testcloseds) {
    for (MakeIface mk : kMks) {
      auto c = mk(ClosedAsync());
      testclosed(*c);
    }
  }
  CHECK(g_fell_through.load() == before);
}

TEST_CASE("GoTestChan.ClosedChan.CloseNilAndDoubleClosePanic") {
  // Go: test/closedchan.go (close of a nil channel and a second close panic)
  goro::chan<int> ch;
  CHECK_THROWS_WITH_AS(goro::close(ch), "close of nil channel", goro::Panic);
  ch = goro::make_chan<int>();
  goro::close(ch);
  CHECK_THROWS_WITH_AS(goro::close(ch), "close of closed channel", goro::Panic);
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.ChanCap.LenCap") {
  // Go: test/chancap.go (cap and len of buffered and unbuffered channels)
  auto c = goro::make_chan<int>(10);
  CHECK(goro::len(c) == 0);
  CHECK(goro::cap(c) == 10);
  for (int i = 0; i < 3; i++) c.send(i);
  CHECK(goro::len(c) == 3);
  CHECK(goro::cap(c) == 10);
  c = goro::make_chan<int>();
  CHECK(goro::len(c) == 0);
  CHECK(goro::cap(c) == 0);
}

TEST_CASE("GoTestChan.ChanCap.SizeOutOfRange") {
  // Go: test/chancap.go (makechan: size out of range, for a negative size and,
  // on 64-bit, for mem > maxAlloc (1<<59) and elem.size*cap overflow (1<<63-1)).
  // Go's T is chan int (8-byte elements): int64_t below; int for good measure.
  int n = -1;
  CHECK_THROWS_WITH_AS(goro::make_chan<int64_t>(n), "makechan: size out of range",
                       goro::Panic);
  CHECK_THROWS_WITH_AS(goro::make_chan<int64_t>(static_cast<int64_t>(n)),
                       "makechan: size out of range", goro::Panic);
  CHECK_THROWS_WITH_AS(goro::make_chan<int>(n), "makechan: size out of range", goro::Panic);
  static_assert(sizeof(void*) == 8, "this port covers chancap.go's 64-bit branch");
  int64_t n2 = int64_t{1} << 59;
  CHECK_THROWS_WITH_AS(goro::make_chan<int64_t>(n2), "makechan: size out of range",
                       goro::Panic);
  CHECK_THROWS_WITH_AS(goro::make_chan<int>(n2), "makechan: size out of range", goro::Panic);
  n2 = INT64_MAX;  // 1<<63 - 1
  CHECK_THROWS_WITH_AS(goro::make_chan<int64_t>(n2), "makechan: size out of range",
                       goro::Panic);
  CHECK_THROWS_WITH_AS(goro::make_chan<int>(n2), "makechan: size out of range", goro::Panic);
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.Select.OperandsEvaluatedOnce") {
  // Go: test/chan/select.go (every send value of a select is evaluated exactly
  // once per select, even for nil channels and cases not chosen)
  unsigned counter = 0;
  unsigned shift = 0;
  auto get_value = [&]() -> unsigned {
    counter++;
    return 1u << shift;
  };
  auto send = [&](goro::chan<unsigned> a, goro::chan<unsigned> b) {
    int i = 0;
    for (;;) {
      bool brk = false;
      goro::select(goro::case_send(a, get_value(),
                                   [&] {
                                     i++;
                                     a = nullptr;
                                   }),
                   goro::case_send(b, get_value(),
                                   [&] {
                                     i++;
                                     b = nullptr;
                                   }),
                   goro::case_default([&] { brk = true; }));
      if (brk) break;
      shift++;
    }
    return i;
  };
  auto a = goro::make_chan<unsigned>(1);
  auto b = goro::make_chan<unsigned>(1);
  CHECK(send(a, b) == 2);
  unsigned av = a.recv();
  unsigned bv = b.recv();
  CHECK((av | bv) == 3u);
  CHECK(send(a, nullptr) == 1);
  CHECK(counter == 10u);
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.ZeroSize.MakeAndUse") {
  // Go: test/chan/zerosize.go (channels of zero-sized element types). Go makes
  // chan [0]byte and chan struct{}, buffered and not; the port also moves a value
  // through each, which Go's program does not.
  using ZeroBytes = std::array<std::byte, 0>;  // Go's [0]byte
  auto a = goro::make_chan<ZeroBytes>();
  auto b = goro::make_chan<ZeroBytes>(1);
  auto c = goro::make_chan<goro::Empty>();
  auto d = goro::make_chan<goro::Empty>(1);
  CHECK(a.cap() == 0);
  CHECK(b.cap() == 1);
  CHECK(c.cap() == 0);
  CHECK(d.cap() == 1);

  b.send(ZeroBytes{});
  CHECK(b.len() == 1);
  auto [bv, bok] = b.recv_ok();
  (void)bv;
  CHECK(bok);
  d.send(goro::Empty{});
  CHECK(d.len() == 1);
  CHECK(d.recv() == goro::Empty{});
  CHECK(d.len() == 0);

  goro::go([a, c] {
    a.send(ZeroBytes{});
    c.send(goro::Empty{});
    goro::close(c);
  });
  auto [av, aok] = a.recv_ok();
  (void)av;
  CHECK(aok);
  auto [cv, cok] = c.recv_ok();
  CHECK(cok);
  CHECK(cv == goro::Empty{});
  auto [cv2, cok2] = c.recv_ok();
  (void)cv2;
  CHECK_FALSE(cok2);
}

// ---------------------------------------------------------------------------

TEST_CASE("GoTestChan.Select6.LosingCaseQueueNotCorrupted") {
  // Go: test/chan/select6.go (issue 2075: a select that loses on c1, while
  // other waiters are queued on c1, must not corrupt c1's queue)
  auto c1 = goro::make_chan<bool>();
  auto c2 = goro::make_chan<bool>();
  auto c3 = goro::make_chan<bool>();
  auto wrong = std::make_shared<std::atomic<int>>(0);
  auto finished = goro::make_chan<int>(2);  // not in Go: lets the test see both end
  goro::go([c1, finished] {
    c1.recv();
    finished.send(1);
  });
  goro::go([c1, c2, c3, wrong, finished] {
    goro::select(goro::case_recv(c1, [wrong] { wrong->fetch_add(1); }),  // Go: panic("dummy")
                 goro::case_recv(c2, [c3] { c3.send(true); }));
    c1.recv();
    finished.send(2);
  });
  goro::go([c2] { c2.send(true); });
  c3.recv();
  c1.send(true);
  c1.send(true);
  int sum = finished.recv() + finished.recv();
  CHECK(sum == 3);
  CHECK(wrong->load() == 0);
}

// ---------------------------------------------------------------------------

namespace {

// select7.go's receivers, each reporting what it got on `got` (not in Go,
// whose receivers discard the value: the report lets the test check it).
using Recv7 = void (*)(goro::recv_chan<int>, goro::chan<int>);

void Recv7Plain(goro::recv_chan<int> c, goro::chan<int> got) { got.send(c.recv()); }

void Recv7Select1(goro::recv_chan<int> c, goro::chan<int> got) {
  int v = -1;
  goro::select(goro::case_recv(c, [&](int x) { v = x; }));
  got.send(v);
}

void Recv7Select2(goro::recv_chan<int> c, goro::chan<int> got) {
  auto c2 = goro::make_chan<int>();
  int v = -1;
  goro::select(goro::case_recv(c, [&](int x) { v = x; }),
               goro::case_recv(c2, [&](int x) { v = 100 + x; }));
  got.send(v);
}

void Send7Plain(Recv7 recv, goro::chan<int> got) {
  auto c = goro::make_chan<int>();
  goro::go(recv, c, got);
  goro::runtime::Gosched();
  c.send(1);
}

void Send7Select1(Recv7 recv, goro::chan<int> got) {
  auto c = goro::make_chan<int>();
  goro::go(recv, c, got);
  goro::runtime::Gosched();
  goro::select(goro::case_send(c, 1));
}

void Send7Select2(Recv7 recv, goro::chan<int> got) {
  auto c = goro::make_chan<int>();
  goro::go(recv, c, got);
  goro::runtime::Gosched();
  auto c2 = goro::make_chan<int>();
  int idx = goro::select(goro::case_send(c, 1), goro::case_send(c2, 1));
  CHECK(idx == 0);
}

}  // namespace

TEST_CASE("GoTestChan.Select7.DiscardedValueCombinations") {
  // Go: test/chan/select7.go (plain, 1-case and 2-case select receive crossed
  // with plain, 1-case and 2-case select send)
  auto got = goro::make_chan<int>(1);
  const Recv7 recvs[] = {Recv7Plain, Recv7Select1, Recv7Select2};
  void (*const sends[])(Recv7, goro::chan<int>) = {Send7Plain, Send7Select1, Send7Select2};
  for (int r = 0; r < 3; r++) {
    for (int s = 0; s < 3; s++) {
      CAPTURE(r);
      CAPTURE(s);
      sends[s](recvs[r], got);
      CHECK(got.recv() == 1);
    }
  }
}
