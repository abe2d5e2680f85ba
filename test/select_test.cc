// test/select_test.cc: API-level tests for goro/select.h.
//
// Covers Go's select (go-semantics.md §1.4, API.md "select"): the returned case
// index, optional handlers and the three case_recv handler forms, case_send
// with convertible values on chan<T> and send_chan<T>, case_recv on recv_chan<T>,
// once-only evaluation of operands, uniform random choice among ready cases,
// default, nil cases, closed channels, blocked selects woken by senders,
// receivers and close, handlers that reassign their own channel variable, no
// lost values when another case wins, move-only values, and select_dynamic.
//
// Goroutines never run doctest assertions: they report through atomics and
// channels. Tests that show that a select blocks forever leave a goroutine
// blocked (captures are by value); the process exits past it.
#include <atomic>
#include <chrono>
#include <memory>
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

// ChiSquare of observed counts against a uniform distribution.
double ChiSquare(const std::vector<int>& counts) {
  double total = 0;
  for (int c : counts) total += c;
  double expect = total / static_cast<double>(counts.size());
  double chi2 = 0;
  for (int c : counts) chi2 += (c - expect) * (c - expect) / expect;
  return chi2;
}

struct Counted {
  static std::atomic<long> live;
  int id = -1;
  Counted() { live++; }
  explicit Counted(int i) : id(i) { live++; }
  Counted(const Counted& o) : id(o.id) { live++; }
  Counted(Counted&& o) noexcept : id(o.id) {
    o.id = -1;
    live++;
  }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) = default;
  ~Counted() { live--; }
};
std::atomic<long> Counted::live{0};

// Direction rules for cases (Go's test/chan/perm.go, select part).
template <class H>
concept CanCaseRecv = requires(const H& h) { goro::case_recv(h); };
template <class H>
concept CanCaseSend = requires(const H& h) { goro::case_send(h, 1); };
static_assert(CanCaseRecv<goro::chan<int>> && CanCaseSend<goro::chan<int>>);
static_assert(CanCaseRecv<goro::recv_chan<int>> && !CanCaseSend<goro::recv_chan<int>>);
static_assert(CanCaseSend<goro::send_chan<int>> && !CanCaseRecv<goro::send_chan<int>>);
static_assert(std::is_same_v<decltype(goro::select(goro::case_default())), int>);

}  // namespace

// ---------------------------------------------------------------------------
// return value and handlers

TEST_CASE("Select.Index.IsTheCaseThatRan") {
  auto a = goro::make_chan<int>(1);
  auto b = goro::make_chan<int>(1);
  auto empty = goro::make_chan<int>();
  b.send(5);
  CHECK(goro::select(goro::case_recv(a), goro::case_recv(b)) == 1);
  a.send(6);
  CHECK(goro::select(goro::case_recv(a), goro::case_recv(empty)) == 0);
  CHECK(goro::select(goro::case_recv(empty), goro::case_default()) == 1);
  CHECK(goro::select(goro::case_default(), goro::case_recv(empty)) == 0);
  CHECK(goro::select(goro::case_recv(empty), goro::case_send(a, 1), goro::case_default()) == 1);
  CHECK(a.recv() == 1);
  CHECK(goro::select(goro::case_default()) == 0);
}

TEST_CASE("Select.Handlers.OptionalAndRecvForms") {
  auto c = goro::make_chan<int>(4);
  int got = 0;
  bool ran = false;
  c.send(1);
  CHECK(goro::select(goro::case_recv(c)) == 0);  // no handler: value dropped
  CHECK(c.len() == 0);

  c.send(2);
  goro::select(goro::case_recv(c, [&] { ran = true; }));
  CHECK(ran);

  c.send(3);
  goro::select(goro::case_recv(c, [&](int v) { got = v; }));
  CHECK(got == 3);

  bool okv = false;
  c.send(4);
  goro::select(goro::case_recv(c, [&](int v, bool ok) {
    got = v;
    okv = ok;
  }));
  CHECK(got == 4);
  CHECK(okv);

  // Handler parameter by const reference and by rvalue reference.
  c.send(5);
  goro::select(goro::case_recv(c, [&](const int& v) { got = v; }));
  CHECK(got == 5);
  c.send(6);
  goro::select(goro::case_recv(c, [&](int&& v, bool) { got = v; }));
  CHECK(got == 6);

  ran = false;
  goro::select(goro::case_send(c, 7, [&] { ran = true; }));
  CHECK(ran);
  CHECK(c.recv() == 7);
  goro::select(goro::case_send(c, 8));
  CHECK(c.recv() == 8);

  ran = false;
  goro::select(goro::case_recv(c), goro::case_default([&] { ran = true; }));
  CHECK(ran);
}

TEST_CASE("Select.Handlers.OnlyTheChosenOneRuns") {
  auto a = goro::make_chan<int>(1);
  auto b = goro::make_chan<int>();
  int ran_a = 0, ran_b = 0, ran_d = 0;
  a.send(1);
  int i = goro::select(goro::case_recv(a, [&] { ran_a++; }), goro::case_recv(b, [&] { ran_b++; }),
                       goro::case_default([&] { ran_d++; }));
  CHECK(i == 0);
  CHECK(ran_a == 1);
  CHECK(ran_b == 0);
  CHECK(ran_d == 0);
}

TEST_CASE("Select.CaseSend.ConvertibleValues") {
  auto l = goro::make_chan<long long>(1);
  goro::select(goro::case_send(l, 5));  // int -> long long
  CHECK(l.recv() == 5);
  auto s = goro::make_chan<std::string>(1);
  goro::select(goro::case_send(s, "literal"));  // const char* -> std::string
  CHECK(s.recv() == "literal");
  std::string str = "lvalue";
  goro::select(goro::case_send(s, str));
  CHECK(s.recv() == "lvalue");
  CHECK(str == "lvalue");  // copied, not moved from
  auto d = goro::make_chan<double>(1);
  goro::send_chan<double> ds = d;
  goro::select(goro::case_send(ds, 2));  // on a send_chan
  CHECK(d.recv() == 2.0);
}

TEST_CASE("Select.CaseRecv.OnRecvChan") {
  auto c = goro::make_chan<int>(1);
  goro::recv_chan<int> r = c;
  goro::send_chan<int> s = c;
  goro::select(goro::case_send(s, 11));
  int got = 0;
  CHECK(goro::select(goro::case_recv(r, [&](int v) { got = v; })) == 0);
  CHECK(got == 11);
}

TEST_CASE("Select.Evaluation.OperandsAndValuesOnce") {
  // test/chan/select.go counts these calls.
  auto ready = goro::make_chan<int>(1);
  auto idle = goro::make_chan<int>();
  ready.send(1);
  int chan_calls = 0, value_calls = 0;
  auto get_ready = [&] {
    chan_calls++;
    return ready;
  };
  auto get_idle = [&] {
    chan_calls++;
    return idle;
  };
  auto value = [&] {
    value_calls++;
    return 42;
  };
  int i = goro::select(goro::case_recv(get_ready()), goro::case_send(get_idle(), value()),
                       goro::case_recv(get_idle()), goro::case_default());
  CHECK(i == 0);
  CHECK(chan_calls == 3);
  CHECK(value_calls == 1);  // evaluated though its case was not chosen

  chan_calls = value_calls = 0;
  i = goro::select(goro::case_send(get_idle(), value()), goro::case_default());
  CHECK(i == 1);
  CHECK(chan_calls == 1);
  CHECK(value_calls == 1);
}

TEST_CASE("Select.Evaluation.OnceWhenBlocked") {
  auto c = goro::make_chan<int>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto result = goro::make_chan<int>(1);
  goro::go([c, calls, result] {
    auto get = [&] {
      calls->fetch_add(1);
      return c;
    };
    int got = 0;
    goro::select(goro::case_recv(get(), [&](int v) { got = v; }));
    result.send(got);
  });
  goro_test::SleepMs(20);
  c.send(3);
  CHECK(result.recv() == 3);
  CHECK(calls->load() == 1);
}

// ---------------------------------------------------------------------------
// random choice

TEST_CASE("Select.Fairness.ThreeReadyCases") {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  auto c = goro::make_chan<int>();
  goro::close(a);
  goro::close(b);
  goro::close(c);
  const int n = goro_test::Scaled(30000);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < n; i++) {
    counts[static_cast<size_t>(
        goro::select(goro::case_recv(a), goro::case_recv(b), goro::case_recv(c)))]++;
  }
  // Two degrees of freedom: P(chi2 > 40) = e^-20, about 2e-9.
  CHECK(ChiSquare(counts) < 40.0);
  CHECK(counts[0] > 0);
  CHECK(counts[1] > 0);
  CHECK(counts[2] > 0);
}

TEST_CASE("Select.Fairness.MixedReadyCasesDefaultNeverChosen") {
  auto with_value = goro::make_chan<int>(1);  // receive ready
  auto with_room = goro::make_chan<int>(1);   // send ready
  auto closed = goro::make_chan<int>();       // receive ready (zero, false)
  goro::close(closed);
  const int n = goro_test::Scaled(30000);
  std::vector<int> counts(4, 0);
  for (int i = 0; i < n; i++) {
    if (with_value.len() == 0) with_value.send(1);
    if (with_room.len() == 1) (void)with_room.recv();
    counts[static_cast<size_t>(goro::select(goro::case_recv(with_value),
                                            goro::case_send(with_room, 2),
                                            goro::case_recv(closed), goro::case_default()))]++;
  }
  CHECK(counts[3] == 0);
  counts.pop_back();
  CHECK(ChiSquare(counts) < 40.0);
}

TEST_CASE("Select.Fairness.EightReadyCases") {
  std::vector<goro::chan<int>> cs;
  for (int i = 0; i < 8; i++) {
    cs.push_back(goro::make_chan<int>());
    cs.back().close();
  }
  const int n = goro_test::Scaled(40000);
  std::vector<int> counts(8, 0);
  for (int i = 0; i < n; i++) {
    counts[static_cast<size_t>(goro::select(
        goro::case_recv(cs[0]), goro::case_recv(cs[1]), goro::case_recv(cs[2]),
        goro::case_recv(cs[3]), goro::case_recv(cs[4]), goro::case_recv(cs[5]),
        goro::case_recv(cs[6]), goro::case_recv(cs[7])))]++;
  }
  // Seven degrees of freedom: P(chi2 > 50) is about 1.5e-8.
  CHECK(ChiSquare(counts) < 50.0);
}

TEST_CASE("Select.Fairness.TwoSendCasesOneReceiver") {
  // A blocked select whose two send cases on one channel can both be completed
  // by one receiver: which one the receiver completes is random.
  auto c = goro::make_chan<int>();
  auto done = goro::make_chan<int>(1);
  const int rounds = 100;
  goro::go([c, done, rounds] {
    for (int i = 0; i < rounds; i++) {
      goro::select(goro::case_send(c, 1), goro::case_send(c, 2));
    }
    done.send(1);
  });
  int ones = 0, twos = 0, other = 0;
  for (int i = 0; i < rounds; i++) {
    if (i % 2 == 0) goro_test::SleepMs(1);  // let the select block first
    int v = c.recv();
    if (v == 1) {
      ones++;
    } else if (v == 2) {
      twos++;
    } else {
      other++;
    }
  }
  CHECK(done.recv() == 1);
  CHECK(other == 0);
  CHECK(ones + twos == rounds);
  // Binomial(100, 1/2): below 10 has probability about 1.5e-17.
  CHECK(ones >= 10);
  CHECK(twos >= 10);
}

// ---------------------------------------------------------------------------
// default and nil cases

TEST_CASE("Select.Default.OnlyWhenNoneReady") {
  auto unbuf = goro::make_chan<int>();
  auto empty = goro::make_chan<int>(3);
  auto full = goro::make_chan<int>(1);
  full.send(1);
  goro::chan<int> nil;
  int i = goro::select(goro::case_recv(unbuf), goro::case_send(unbuf, 1), goro::case_recv(empty),
                       goro::case_send(full, 2), goro::case_recv(nil), goro::case_send(nil, 3),
                       goro::case_default());
  CHECK(i == 6);
  CHECK(full.len() == 1);
  CHECK(empty.len() == 0);

  // One case always ready: default is never taken.
  int defaults = 0;
  for (int k = 0; k < 1000; k++) {
    if (full.len() == 0) full.send(1);
    if (goro::select(goro::case_recv(empty), goro::case_recv(full), goro::case_default()) == 2) {
      defaults++;
    }
  }
  CHECK(defaults == 0);
}

TEST_CASE("Select.Default.ReadyUnbufferedPartner") {
  // An unbuffered send case is ready when a receiver is already waiting.
  auto c = goro::make_chan<int>();
  auto got = goro::make_chan<int>(1);
  goro::go([c, got] { got.send(c.recv()); });
  int sent_at = -1;
  for (int k = 0; k < 10000; k++) {
    if (goro::select(goro::case_send(c, 9), goro::case_default()) == 0) {
      sent_at = k;
      break;
    }
    goro_test::SleepMs(1);
  }
  CHECK(sent_at >= 0);
  CHECK(got.recv() == 9);
}

TEST_CASE("Select.Nil.NeverReady") {
  goro::chan<int> nil;
  goro::send_chan<int> snil;
  goro::recv_chan<int> rnil;
  auto ready = goro::make_chan<int>();
  goro::close(ready);
  int nil_chosen = 0;
  for (int k = 0; k < 1000; k++) {
    int i = goro::select(goro::case_recv(nil), goro::case_send(nil, 1), goro::case_send(snil, 2),
                         goro::case_recv(rnil), goro::case_recv(ready));
    if (i != 4) nil_chosen++;
  }
  CHECK(nil_chosen == 0);
  CHECK(goro::select(goro::case_recv(nil), goro::case_send(snil, 1), goro::case_default()) == 2);
}

TEST_CASE("Select.Nil.OnlyNilCasesBlocksForever") {
  auto done = NewFlag();
  goro::go([done] {
    goro::chan<int> a;
    goro::send_chan<std::string> b;
    goro::select(goro::case_recv(a), goro::case_send(b, "x"));
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Select.Empty.NoCasesBlocksForever") {
  auto done = NewFlag();
  goro::go([done] {
    goro::select();
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

// ---------------------------------------------------------------------------
// closed channels

TEST_CASE("Select.Closed.RecvYieldsZeroFalse") {
  auto c = goro::make_chan<std::string>(1);
  c.send("buffered");
  goro::close(c);
  std::string v = "unset";
  bool ok = false;
  goro::select(goro::case_recv(c, [&](std::string s, bool k) {
    v = std::move(s);
    ok = k;
  }));
  CHECK(v == "buffered");
  CHECK(ok);
  goro::select(goro::case_recv(c, [&](std::string s, bool k) {
    v = std::move(s);
    ok = k;
  }));
  CHECK(v.empty());
  CHECK_FALSE(ok);
  v = "unset";
  goro::select(goro::case_recv(c, [&](std::string s) { v = std::move(s); }));
  CHECK(v.empty());
  // A closed receive case is ready, so default is not taken.
  CHECK(goro::select(goro::case_recv(c), goro::case_default()) == 0);
}

TEST_CASE("Select.Closed.SendCasePanicsWithoutHandler") {
  auto c = goro::make_chan<int>(1);
  goro::close(c);
  bool ran = false;
  CHECK(PanicOf([&] { goro::select(goro::case_send(c, 1, [&] { ran = true; })); }) ==
        "send on closed channel");
  CHECK_FALSE(ran);
  // A send on a closed channel is ready, so with default it is chosen and panics.
  bool ran_default = false;
  CHECK(PanicOf([&] {
          goro::select(goro::case_send(c, 1, [&] { ran = true; }),
                       goro::case_default([&] { ran_default = true; }));
        }) == "send on closed channel");
  CHECK_FALSE(ran);
  CHECK_FALSE(ran_default);
  // Through a send_chan too.
  goro::send_chan<int> s = c;
  CHECK(PanicOf([&] { goro::select(goro::case_send(s, 1)); }) == "send on closed channel");
  CHECK(c.len() == 0);
}

TEST_CASE("Select.Closed.RandomBetweenPanicAndReadyCase") {
  // Go: if another case is ready too, the random choice decides whether the
  // select panics. Both outcomes must be seen.
  auto closed = goro::make_chan<int>();
  goro::close(closed);
  auto ready = goro::make_chan<int>(1);
  int panics = 0, recvs = 0;
  for (int k = 0; k < 200; k++) {
    if (ready.len() == 0) ready.send(1);
    try {
      if (goro::select(goro::case_send(closed, 1), goro::case_recv(ready)) == 1) recvs++;
    } catch (const goro::Panic&) {
      panics++;
    }
  }
  CHECK(panics + recvs == 200);
  CHECK(panics >= 20);
  CHECK(recvs >= 20);
}

// ---------------------------------------------------------------------------
// blocked selects

TEST_CASE("Select.Blocked.WokenBySender") {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>(2);
  auto result = goro::make_chan<std::pair<int, int>>(1);
  auto done = NewFlag();
  goro::go([a, b, result, done] {
    int got = -1;
    int i = goro::select(goro::case_recv(a, [&](int v) { got = v; }),
                         goro::case_recv(b, [&](int v) { got = v; }));
    done->store(true);
    result.send({i, got});
  });
  CHECK(StillBlocked(done));
  b.send(77);
  auto [i, v] = result.recv();
  CHECK(i == 1);
  CHECK(v == 77);
  CHECK(b.len() == 0);
}

TEST_CASE("Select.Blocked.WokenByReceiver") {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  auto result = goro::make_chan<int>(1);
  auto done = NewFlag();
  goro::go([a, b, result, done] {
    int i = goro::select(goro::case_send(a, 10), goro::case_send(b, 20));
    done->store(true);
    result.send(i);
  });
  CHECK(StillBlocked(done));
  CHECK(a.recv() == 10);
  CHECK(result.recv() == 0);
  // The losing case sent nothing.
  CHECK(goro::select(goro::case_recv(b), goro::case_default()) == 1);
}

TEST_CASE("Select.Blocked.WokenByCloseRecv") {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  auto result = goro::make_chan<std::pair<int, bool>>(1);
  goro::go([a, b, result] {
    bool ok = true;
    int i = goro::select(goro::case_recv(a, [&](int, bool k) { ok = k; }),
                         goro::case_recv(b, [&](int, bool k) { ok = k; }));
    result.send({i, ok});
  });
  goro_test::SleepMs(20);
  goro::close(b);
  auto [i, ok] = result.recv();
  CHECK(i == 1);
  CHECK_FALSE(ok);
}

TEST_CASE("Select.Blocked.WokenByCloseSendPanics") {
  auto c = goro::make_chan<int>();
  auto other = goro::make_chan<int>();
  auto result = goro::make_chan<std::string>(1);
  auto handler_ran = std::make_shared<std::atomic<bool>>(false);
  goro::go([c, other, result, handler_ran] {
    try {
      goro::select(goro::case_send(c, 1, [=] { handler_ran->store(true); }),
                   goro::case_recv(other));
      result.send("no panic");
    } catch (const goro::Panic& p) {
      result.send(p.what());
    }
  });
  goro_test::SleepMs(20);
  goro::close(c);
  CHECK(result.recv() == "send on closed channel");
  CHECK_FALSE(handler_ran->load());
}

TEST_CASE("Select.Blocked.ManySelectsWokenByClose") {
  auto stop = goro::make_chan<goro::Empty>();
  auto idle = goro::make_chan<int>();
  auto woke = goro::make_chan<int>(16);
  for (int k = 0; k < 10; k++) {
    goro::go([stop, idle, woke] {
      int i = goro::select(goro::case_recv(idle), goro::case_recv(stop));
      woke.send(i);
    });
  }
  goro_test::SleepMs(10);
  goro::close(stop);
  int sum = 0;
  for (int k = 0; k < 10; k++) sum += woke.recv();
  CHECK(sum == 10);  // every one took case 1
}

TEST_CASE("Select.Blocked.NeverPairsWithItself") {
  // test/chan/select3.go, last case: a select with a send and a receive on the
  // same unbuffered channel must block.
  auto c = goro::make_chan<int>();
  auto done = NewFlag();
  auto result = goro::make_chan<int>(1);
  goro::go([c, done, result] {
    int i = goro::select(goro::case_send(c, 5), goro::case_recv(c));
    done->store(true);
    result.send(i);
  });
  CHECK(StillBlocked(done));
  CHECK(c.recv() == 5);
  CHECK(result.recv() == 0);
}

TEST_CASE("Select.Blocked.FromMainThread") {
  auto c = goro::make_chan<int>();
  goro::go([c] {
    goro_test::SleepMs(10);
    c.send(8);
  });
  int got = 0;
  CHECK(goro::select(goro::case_recv(c, [&](int v) { got = v; })) == 0);
  CHECK(got == 8);
}

// ---------------------------------------------------------------------------
// handlers that reassign their channel variable (Go's TestSelectStress)

TEST_CASE("Select.Handler.ReassignsOwnChannelToNil") {
  // After N values from a channel, its handler sets the variable to nil; the
  // loop ends when every channel variable is nil. Logic from Go's
  // src/runtime/chan_test.go TestSelectStress, smaller.
  const int n = goro_test::Scaled(2000);
  goro::chan<int> c0 = goro::make_chan<int>(), c1 = goro::make_chan<int>(),
                  c2 = goro::make_chan<int>(2), c3 = goro::make_chan<int>(3);
  goro::sync::WaitGroup wg;
  for (auto c : {c0, c1, c2, c3}) {
    wg.Go([c, n] {
      for (int i = 0; i < n; i++) c.send(i);
    });
  }
  int counts[4] = {0, 0, 0, 0};
  bool in_order = true;
  int loops = 0;
  while (c0 != nullptr || c1 != nullptr || c2 != nullptr || c3 != nullptr) {
    loops++;
    goro::select(goro::case_recv(c0,
                                 [&](int v) {
                                   in_order = in_order && v == counts[0];
                                   if (++counts[0] == n) c0 = nullptr;
                                 }),
                 goro::case_recv(c1,
                                 [&](int v) {
                                   in_order = in_order && v == counts[1];
                                   if (++counts[1] == n) c1 = goro::chan<int>{};
                                 }),
                 goro::case_recv(c2,
                                 [&](int v) {
                                   in_order = in_order && v == counts[2];
                                   if (++counts[2] == n) c2 = nullptr;
                                 }),
                 goro::case_recv(c3, [&](int v) {
                   in_order = in_order && v == counts[3];
                   if (++counts[3] == n) c3 = nullptr;
                 }));
  }
  wg.Wait();
  CHECK(loops == 4 * n);
  CHECK(in_order);
  CHECK(counts[0] == n);
  CHECK(counts[3] == n);
}

TEST_CASE("Select.Handler.DropsLastReferenceToItsChannel") {
  // The handler releases the only handle: the channel is destroyed inside the
  // handler, so goro must not touch it afterwards (ASan would see it).
  for (int k = 0; k < 100; k++) {
    auto c = goro::make_chan<std::string>(2);
    c.send(std::string(100, 'v'));
    c.close();
    std::string got;
    bool ok1 = false;
    goro::select(goro::case_recv(c, [&](std::string s, bool ok) {
      got = std::move(s);
      ok1 = ok;
      c = nullptr;  // the last reference: the channel dies here
    }));
    CHECK(ok1);
    CHECK(got.size() == 100);
    CHECK(c == nullptr);
    auto s = goro::make_chan<int>(1);
    goro::select(goro::case_send(s, 1, [&] { s = goro::chan<int>{}; }));
    CHECK(s == nullptr);
  }
}

// ---------------------------------------------------------------------------
// no value lost when another case wins

TEST_CASE("Select.Race.NoValueLostOrDuplicated") {
  const int senders = 4;
  const int receivers = 4;
  const int per = goro_test::Scaled(3000);
  const int total = senders * per;
  goro::chan<int> cs[4] = {goro::make_chan<int>(), goro::make_chan<int>(),
                           goro::make_chan<int>(1), goro::make_chan<int>(4)};
  auto seen = std::make_shared<std::vector<std::atomic<int>>>(static_cast<size_t>(total));
  auto bad = std::make_shared<std::atomic<int>>(0);
  goro::sync::WaitGroup send_wg, recv_wg;
  for (int s = 0; s < senders; s++) {
    send_wg.Go([cs, s, per] {
      for (int i = 0; i < per; i++) {
        int v = s * per + i;
        goro::select(goro::case_send(cs[0], v), goro::case_send(cs[1], v),
                     goro::case_send(cs[2], v), goro::case_send(cs[3], v));
      }
    });
  }
  for (int r = 0; r < receivers; r++) {
    recv_wg.Go([cs, seen, bad, total, r] {
      goro::chan<int> c[4] = {cs[0], cs[1], cs[2], cs[3]};
      auto record = [&](int k) {
        return [&, k](int v, bool ok) {
          if (!ok) {
            c[k] = nullptr;
          } else if (v < 0 || v >= total) {
            bad->fetch_add(1);
          } else {
            (*seen)[static_cast<size_t>(v)].fetch_add(1);
          }
        };
      };
      // Half the receivers use select, half plain receives on one channel.
      if (r % 2 == 0) {
        while (c[0] != nullptr || c[1] != nullptr || c[2] != nullptr || c[3] != nullptr) {
          goro::select(goro::case_recv(c[0], record(0)), goro::case_recv(c[1], record(1)),
                       goro::case_recv(c[2], record(2)), goro::case_recv(c[3], record(3)));
        }
      } else {
        for (int v : c[r % 4]) record(r % 4)(v, true);
      }
    });
  }
  send_wg.Wait();
  for (auto& c : cs) goro::close(c);
  recv_wg.Wait();
  int missing = 0, duplicated = 0;
  for (auto& s : *seen) {
    if (s.load() == 0) missing++;
    if (s.load() > 1) duplicated++;
  }
  CHECK(missing == 0);
  CHECK(duplicated == 0);
  CHECK(bad->load() == 0);
}

TEST_CASE("Select.Race.SendersAndReceiversBothSelect") {
  // Both sides select over the same two unbuffered channels; each pairing
  // completes exactly one case on each side.
  const int n = goro_test::Scaled(5000);
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  auto sum = goro::make_chan<long long>(1);
  goro::go([a, b, n, sum] {
    long long s = 0;
    for (int i = 0; i < n; i++) {
      goro::select(goro::case_recv(a, [&](int v) { s += v; }),
                   goro::case_recv(b, [&](int v) { s += v; }));
    }
    sum.send(s);
  });
  for (int i = 1; i <= n; i++) goro::select(goro::case_send(a, i), goro::case_send(b, i));
  CHECK(sum.recv() == static_cast<long long>(n) * (n + 1) / 2);
}

// ---------------------------------------------------------------------------
// move-only and counted values

TEST_CASE("Select.MoveOnly.SendAndRecvUniquePtr") {
  auto c = goro::make_chan<std::unique_ptr<int>>(1);
  CHECK(goro::select(goro::case_send(c, std::make_unique<int>(7))) == 0);
  std::unique_ptr<int> got;
  goro::select(goro::case_recv(c, [&](std::unique_ptr<int> p) { got = std::move(p); }));
  REQUIRE(got != nullptr);
  CHECK(*got == 7);

  // Across goroutines, unbuffered.
  auto u = goro::make_chan<std::unique_ptr<int>>();
  goro::go([u] {
    for (int i = 0; i < 10; i++) goro::select(goro::case_send(u, std::make_unique<int>(i)));
    goro::close(u);
  });
  int sum = 0;
  bool open = true;
  while (open) {
    goro::select(goro::case_recv(u, [&](std::unique_ptr<int> p, bool ok) {
      if (!ok) {
        open = false;
        CHECK(p == nullptr);
      } else {
        sum += *p;
      }
    }));
  }
  CHECK(sum == 45);
}

TEST_CASE("Select.MoveOnly.LosingSendCaseDestroysItsValue") {
  long before = Counted::live.load();
  {
    auto full = goro::make_chan<Counted>(1);
    full.send(Counted(1));
    auto ready = goro::make_chan<Counted>(1);
    ready.send(Counted(2));
    int got = 0;
    for (int k = 0; k < 10; k++) {
      int i = goro::select(goro::case_send(full, Counted(100 + k)),
                           goro::case_recv(ready, [&](Counted c) { got = c.id; }));
      CHECK(i == 1);
      ready.send(Counted(2));
    }
    CHECK(got == 2);
    CHECK(goro::select(goro::case_send(full, Counted(5)), goro::case_default()) == 1);
    auto lost = goro::make_chan<std::unique_ptr<int>>();
    CHECK(goro::select(goro::case_send(lost, std::make_unique<int>(1)), goro::case_default()) == 1);
    CHECK(full.recv().id == 1);
  }
  CHECK(Counted::live.load() == before);
}

// ---------------------------------------------------------------------------
// select_dynamic

TEST_CASE("Select.Dynamic.RecvSendDefault") {
  auto in = goro::make_chan<int>(1);
  auto out = goro::make_chan<int>(1);
  out.send(0);  // full: the send case is not ready
  int got = -1;
  bool ok_seen = false;
  bool sent = false, dflt = false;
  std::vector<goro::Case> cases;
  cases.push_back(goro::case_recv(in, [&](int v, bool ok) {
    got = v;
    ok_seen = ok;
  }));
  cases.push_back(goro::case_send(out, 5, [&] { sent = true; }));
  cases.push_back(goro::case_default([&] { dflt = true; }));
  CHECK(goro::select_dynamic(cases) == 2);
  CHECK(dflt);
  in.send(3);
  CHECK(goro::select_dynamic(cases) == 0);
  CHECK(got == 3);
  CHECK(ok_seen);
  (void)out.recv();
  CHECK(goro::select_dynamic(cases) == 1);
  CHECK(sent);
  CHECK(out.recv() == 5);
}

TEST_CASE("Select.Dynamic.RuntimeSizedCases") {
  const int n = 50;
  std::vector<goro::chan<int>> chans;
  for (int i = 0; i < n; i++) chans.push_back(goro::make_chan<int>(1));
  int last = -1;
  std::vector<goro::Case> cases;
  for (int i = 0; i < n; i++) {
    cases.push_back(goro::case_recv(chans[static_cast<size_t>(i)], [&last](int v) { last = v; }));
  }
  bool right = true;
  for (int k = 0; k < n; k++) {
    int j = (k * 7) % n;
    chans[static_cast<size_t>(j)].send(j * 10);
    int i = goro::select_dynamic(cases);
    right = right && i == j && last == j * 10;
  }
  CHECK(right);
  // Fairness over runtime-sized ready cases.
  for (auto& c : chans) goro::close(c);
  std::vector<int> counts(static_cast<size_t>(n), 0);
  const int rounds = goro_test::Scaled(50000);
  for (int k = 0; k < rounds; k++) counts[static_cast<size_t>(goro::select_dynamic(cases))]++;
  // 49 degrees of freedom: mean 49, sd ~9.9; 130 is about 8 sd out.
  CHECK(ChiSquare(counts) < 130.0);
}

TEST_CASE("Select.Dynamic.HandlerForms") {
  auto c = goro::make_chan<std::string>(3);
  c.send("a");
  c.send("b");
  c.send("c");
  bool ran = false;
  std::string v1;
  std::vector<goro::Case> none{goro::case_recv(c)};
  std::vector<goro::Case> zero{goro::case_recv(c, [&] { ran = true; })};
  std::vector<goro::Case> one{goro::case_recv(c, [&](std::string s) { v1 = s; })};
  CHECK(goro::select_dynamic(none) == 0);
  CHECK(goro::select_dynamic(zero) == 0);
  CHECK(ran);
  CHECK(goro::select_dynamic(one) == 0);
  CHECK(v1 == "c");
  goro::recv_chan<std::string> r = c;
  goro::send_chan<std::string> s = c;
  std::vector<goro::Case> dir{goro::case_send(s, "dir"), goro::case_default()};
  CHECK(goro::select_dynamic(dir) == 0);
  std::vector<goro::Case> rdir{goro::case_recv(r, [&](std::string x) { v1 = x; })};
  CHECK(goro::select_dynamic(rdir) == 0);
  CHECK(v1 == "dir");
}

TEST_CASE("Select.Dynamic.MultipleDefaultsPanic") {
  auto c = goro::make_chan<int>(1);
  c.send(1);
  bool ran = false;
  std::vector<goro::Case> cases;
  cases.push_back(goro::case_default([&] { ran = true; }));
  cases.push_back(goro::case_recv(c, [&] { ran = true; }));
  cases.push_back(goro::case_default([&] { ran = true; }));
  CHECK(PanicOf([&] { goro::select_dynamic(cases); }) == "reflect.Select: multiple default cases");
  CHECK_FALSE(ran);
  CHECK(c.len() == 1);  // nothing was received
}

TEST_CASE("Select.Dynamic.EmptyBlocksForever") {
  auto done = NewFlag();
  goro::go([done] {
    std::vector<goro::Case> none;
    goro::select_dynamic(none);
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Select.Dynamic.NilCasesNeverReady") {
  goro::chan<int> nil;
  std::vector<goro::Case> cases;
  cases.push_back(goro::case_recv(nil));
  cases.push_back(goro::case_send(nil, 1));
  cases.push_back(goro::case_default());
  CHECK(goro::select_dynamic(cases) == 2);
  auto done = NewFlag();
  goro::go([done] {
    goro::chan<int> n2;
    std::vector<goro::Case> only_nil;
    only_nil.push_back(goro::case_recv(n2));
    only_nil.push_back(goro::case_send(n2, 2));
    goro::select_dynamic(only_nil);
    done->store(true);
  });
  CHECK(StillBlocked(done));
}

TEST_CASE("Select.Dynamic.ClosedChannels") {
  auto c = goro::make_chan<int>();
  goro::close(c);
  bool ok = true, ran = false;
  std::vector<goro::Case> recv{goro::case_recv(c, [&](int, bool k) { ok = k; })};
  CHECK(goro::select_dynamic(recv) == 0);
  CHECK_FALSE(ok);
  std::vector<goro::Case> send{goro::case_send(c, 1, [&] { ran = true; })};
  CHECK(PanicOf([&] { goro::select_dynamic(send); }) == "send on closed channel");
  CHECK_FALSE(ran);
}

TEST_CASE("Select.Dynamic.ReusedVectorResendsEachTime") {
  auto out = goro::make_chan<std::string>();
  auto quit = goro::make_chan<int>();
  const int n = goro_test::Scaled(1000);
  auto received = goro::make_chan<int>(1);
  goro::go([out, quit, n, received] {
    int good = 0;
    for (int i = 0; i < n; i++) {
      if (out.recv() == "hello, this string is long enough to be on the heap") good++;
    }
    received.send(good);
    quit.send(1);
  });
  int sends = 0;
  bool stop = false;
  std::vector<goro::Case> cases;
  cases.push_back(goro::case_send(out, "hello, this string is long enough to be on the heap",
                                  [&] { sends++; }));
  cases.push_back(goro::case_recv(quit, [&] { stop = true; }));
  int loops = 0;
  while (!stop) {
    goro::select_dynamic(cases);
    loops++;
  }
  CHECK(sends == n);
  CHECK(loops == n + 1);
  CHECK(received.recv() == n);
}

TEST_CASE("Select.Dynamic.MoveOnlySendCase") {
  auto c = goro::make_chan<std::unique_ptr<int>>(2);
  std::vector<goro::Case> cases;
  cases.push_back(goro::case_send(c, std::make_unique<int>(4)));
  CHECK(goro::select_dynamic(cases) == 0);
  auto p = c.recv();
  REQUIRE(p != nullptr);
  CHECK(*p == 4);
  std::unique_ptr<int> got;
  std::vector<goro::Case> r;
  r.push_back(goro::case_recv(c, [&](std::unique_ptr<int> x) { got = std::move(x); }));
  c.send(std::make_unique<int>(9));
  CHECK(goro::select_dynamic(r) == 0);
  REQUIRE(got != nullptr);
  CHECK(*got == 9);
}

TEST_CASE("Select.Dynamic.ValuesNotLostAcrossGoroutines") {
  const int n = goro_test::Scaled(3000);
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>(2);
  auto sum = goro::make_chan<long long>(1);
  goro::go([a, b, n, sum] {
    long long s = 0;
    std::vector<goro::Case> cases;
    cases.push_back(goro::case_recv(a, [&](int v) { s += v; }));
    cases.push_back(goro::case_recv(b, [&](int v) { s += v; }));
    for (int i = 0; i < n; i++) goro::select_dynamic(cases);
    sum.send(s);
  });
  for (int i = 1; i <= n; i++) {
    std::vector<goro::Case> cases;
    cases.push_back(goro::case_send(a, i));
    cases.push_back(goro::case_send(b, i));
    goro::select_dynamic(cases);
  }
  CHECK(sum.recv() == static_cast<long long>(n) * (n + 1) / 2);
}

// ---------------------------------------------------------------------------
// duplicates, foreign threads, blocking

TEST_CASE("Select.Duplicate.SameChannelTwice") {
  // Go's TestSelectDuplicateChannel idea: one select may name a channel twice;
  // both cases are ready together and either may win.
  auto c = goro::make_chan<int>(1);
  int first = 0, second = 0;
  for (int k = 0; k < 200; k++) {
    c.send(k);
    int got = -1;
    int i = goro::select(goro::case_recv(c, [&](int v) { got = v; }),
                         goro::case_recv(c, [&](int v) { got = v; }));
    if (got == k) (i == 0 ? first : second)++;
  }
  CHECK(first + second == 200);
  CHECK(first >= 20);
  CHECK(second >= 20);
  // Send and receive on one buffered channel with a value and room: both ready.
  auto b = goro::make_chan<int>(2);
  int sends = 0, recvs = 0;
  for (int k = 0; k < 200; k++) {
    while (b.len() > 0) (void)b.recv();
    b.send(1);
    if (goro::select(goro::case_send(b, 2), goro::case_recv(b)) == 0) {
      sends++;
    } else {
      recvs++;
    }
  }
  CHECK(sends >= 20);
  CHECK(recvs >= 20);
}

TEST_CASE("Select.Threads.FromForeignThread") {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  std::atomic<long> sum{0};
  std::thread t([&] {
    bool a_open = true, b_open = true;
    goro::chan<int> ca = a, cb = b;
    while (a_open || b_open) {
      goro::select(goro::case_recv(ca,
                                   [&](int v, bool ok) {
                                     if (ok) {
                                       sum += v;
                                     } else {
                                       a_open = false;
                                       ca = nullptr;
                                     }
                                   }),
                   goro::case_recv(cb, [&](int v, bool ok) {
                     if (ok) {
                       sum += v;
                     } else {
                       b_open = false;
                       cb = nullptr;
                     }
                   }));
    }
  });
  goro::go([a] {
    for (int i = 1; i <= 100; i++) a.send(i);
    a.close();
  });
  goro::go([b] {
    for (int i = 1; i <= 100; i++) b.send(i);
    b.close();
  });
  t.join();
  CHECK(sum.load() == 10100);
}

TEST_CASE("Select.Blocking.BlockedSelectsDoNotStarveOthers") {
  const int blocked = goro_test::Procs() * 4 + 4;
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  auto done = goro::make_chan<int>(blocked);
  int base = goro::runtime::NumGoroutine();
  for (int i = 0; i < blocked; i++) {
    goro::go([a, b, done] {
      int got = 0;
      goro::select(goro::case_recv(a, [&](int v) { got = v; }),
                   goro::case_recv(b, [&](int v) { got = v; }));
      done.send(got);
    });
  }
  goro::go([a, b, blocked] {
    for (int i = 0; i < blocked; i++) {
      goro::select(goro::case_send(a, 1), goro::case_send(b, 1));
    }
  });
  int n = 0;
  for (int i = 0; i < blocked; i++) n += done.recv();
  CHECK(n == blocked);
  CHECK(goro_test::WaitForGoroutines(base) <= base);
}

TEST_CASE("Select.Blocked.TwoSymmetricSelectsPair") {
  // Two goroutines each select over a send and a receive on the same
  // unbuffered channel: they pair with each other (one sends, one receives),
  // never with themselves.
  const int rounds = goro_test::Scaled(500);
  int bad = 0;
  for (int r = 0; r < rounds; r++) {
    auto c = goro::make_chan<int>();
    auto out = goro::make_chan<std::pair<int, int>>(2);  // (case index, value got)
    for (int g = 0; g < 2; g++) {
      goro::go([c, out, g] {
        int got = -1;
        int i = goro::select(goro::case_send(c, g), goro::case_recv(c, [&](int v) { got = v; }));
        out.send({i, got});
      });
    }
    auto a = out.recv();
    auto b = out.recv();
    // Exactly one sent (index 0) and the other received (index 1) the sender's value.
    bool ok = (a.first == 0 && b.first == 1 && b.second != -1) ||
              (a.first == 1 && b.first == 0 && a.second != -1);
    if (!ok) bad++;
  }
  CHECK(bad == 0);
}

TEST_CASE("Select.Race.CloseDuringSelects") {
  // Goroutines select over a send and a receive on one channel while it is
  // closed. Every value received with ok == true came from a send that
  // succeeded, and every select either completed or panicked with Go's message.
  const int rounds = goro_test::Scaled(100);
  int bad_rounds = 0;
  for (int r = 0; r < rounds; r++) {
    auto c = goro::make_chan<int>(r % 3);
    auto sent = std::make_shared<std::atomic<int>>(0);
    auto recvd = std::make_shared<std::atomic<int>>(0);
    auto zero = std::make_shared<std::atomic<int>>(0);
    auto panics = std::make_shared<std::atomic<int>>(0);
    auto other = std::make_shared<std::atomic<int>>(0);
    goro::sync::WaitGroup wg;
    const int g = 8, per = 100;
    for (int k = 0; k < g; k++) {
      wg.Go([=] {
        for (int i = 0; i < per; i++) {
          try {
            goro::select(goro::case_send(c, 1, [&] { sent->fetch_add(1); }),
                         goro::case_recv(c, [&](int v, bool ok) {
                           if (ok && v == 1) {
                             recvd->fetch_add(1);
                           } else if (!ok && v == 0) {
                             zero->fetch_add(1);
                           } else {
                             other->fetch_add(1);
                           }
                         }));
          } catch (const goro::Panic& p) {
            if (std::string(p.what()) == "send on closed channel") {
              panics->fetch_add(1);
            } else {
              other->fetch_add(1);
            }
          }
        }
      });
    }
    if (r % 2 == 1) goro_test::SleepMs(1);
    goro::close(c);
    wg.Wait();
    // Drain what is still buffered: those were sent but not yet received.
    int left = 0;
    for (int v : c) left += v;
    bool ok = other->load() == 0 && sent->load() == recvd->load() + left &&
              sent->load() + recvd->load() + zero->load() + panics->load() == g * per;
    if (!ok) bad_rounds++;
  }
  CHECK(bad_rounds == 0);
}
