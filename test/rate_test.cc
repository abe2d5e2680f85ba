// test/rate_test.cc: tests for goro/rate.h.
//
// Part 1 ports golang.org/x/time/rate's rate_test.go (at 2b4e439, after
// v0.13.0; Debian ships v0.3.0, whose file lacks TestSetAfterZeroLimit and
// TestTinyLimit). Each test names the Go function it ports. Go's run/runReserve
// tables become the same tables here, checked the same way: TokensAt exactly,
// times to act rounded to the nearest d as Go's dSince does. Every table runs
// twice: from a Now() time (with a monotonic reading, as Go's t0) and from a
// fixed wall-clock time. Go's fake testTime becomes FakeClock; Go's internal
// lim.reserveN and lim.wait(ctx, n, t, newTimer) are reached through
// rate::internal::ReserveMax and rate::internal::WaitAt.
//
// Where a port differs from Go's test, the test says why. In short: the
// limiter reads the fake clock too (Go's tests mix fake and real time in
// Allow/Cancel, goro's limiter takes the clock as a NowFunc), and tests whose
// Go versions depend on real time (TestSimultaneousRequests, TestWaitTimeout)
// are made exact.
//
// Part 2 ports sometimes_test.go (the Example outputs become checks). Part 3
// covers goro's contracts: the zero Limiter, LimiterPtr sharing and nil,
// Reservation lifetime, error statuses, the injectable clock, the capped
// duration conversion, and WaitN as a goro blocking primitive on real timers.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "goro/context.h"
#include "goro/rate.h"
#include "goro/sync.h"
#include "goro/time.h"
#include "goro_test.h"

namespace {

namespace rate = goro::rate;
namespace time = goro::time;
namespace context = goro::context;
using time::Duration;
using time::Time;

constexpr Duration d = 100 * time::Millisecond;

// The instants t0 ... t9 of Go's test, K*d apart.
struct Times {
  explicit Times(Time base) : t0(base) {}
  Time T(int k) const { return t0.Add(k * d); }
  Time t0;
};

// The two bases every table runs from: a Now() time (monotonic reading, as
// Go's t0 = time.Now()) and a fixed wall-clock time.
std::vector<Time> Bases() { return {time::Now(), time::Unix(1700000000, 123456789)}; }

// FakeClock is Go's testTime: a fake current time and fake timers that fire
// when the time is advanced past them.
class FakeClock {
 public:
  explicit FakeClock(Time start) : cur_(start) {}

  Time Now() {
    std::lock_guard<std::mutex> g(mu_);
    return cur_;
  }
  Duration Since(Time t) {
    std::lock_guard<std::mutex> g(mu_);
    return cur_.Sub(t);
  }
  void Advance(Duration dur) {
    std::lock_guard<std::mutex> g(mu_);
    AdvanceLocked(dur);
  }
  // NewTimer returns a channel that receives the fake time once it reaches
  // now+dur (Go's newTimer without its advance).
  goro::recv_chan<Time> NewTimer(Duration dur) {
    std::lock_guard<std::mutex> g(mu_);
    auto ch = goro::make_chan<Time>(1);
    timers_.push_back({cur_.Add(dur), ch});
    return ch;
  }
  // AdvanceToTimer moves the time to the earliest timer, firing it.
  void AdvanceToTimer() {
    std::lock_guard<std::mutex> g(mu_);
    REQUIRE(!timers_.empty());
    Time when = timers_[0].when;
    for (const auto& t : timers_) {
      if (t.when.Before(when)) when = t.when;
    }
    AdvanceLocked(when.Sub(cur_));
  }
  // Func is the clock as a NowFunc.
  time::NowFunc Func() {
    return [this] { return Now(); };
  }
  // Seam is the timer source handed to WaitAt: a timer, then Go's advance().
  rate::internal::NewTimerFunc Seam() {
    return [this](Duration dur) {
      auto ch = NewTimer(dur);
      AdvanceToTimer();
      return ch;
    };
  }

 private:
  struct Timer {
    Time when;
    goro::chan<Time> ch;
  };
  void AdvanceLocked(Duration dur) {
    cur_ = cur_.Add(dur);
    for (size_t i = 0; i < timers_.size();) {
      if (timers_[i].when.After(cur_)) {
        i++;
      } else {
        timers_[i].ch.send(cur_);  // buffered, never blocks
        timers_.erase(timers_.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  std::mutex mu_;
  Time cur_;
  std::vector<Timer> timers_;
};

// closeEnough is Go's (one-sided, as Go writes it).
bool CloseEnough(rate::Limit a, rate::Limit b) { return (std::abs(a / b) - 1.0) < 1e-9; }

// dFromDuration: dur in multiples of d, rounded to the nearest.
int64_t DFromDuration(Duration dur) { return ((dur + d / 2) / d).Nanoseconds(); }

struct Allow {
  int k;        // at t_k
  double toks;  // TokensAt before the call
  int n;
  bool ok;
};

// run is Go's run: TokensAt exactly, then AllowN.
void Run(rate::Limiter& lim, const Times& ts, const std::vector<Allow>& allows) {
  for (size_t i = 0; i < allows.size(); i++) {
    const Allow& a = allows[i];
    CAPTURE(i);
    CHECK(lim.TokensAt(ts.T(a.k)) == a.toks);
    CHECK(lim.AllowN(ts.T(a.k), a.n) == a.ok);
  }
}

struct Request {
  int k;    // at t_k
  int n;
  int act;  // expected time to act, t_act (ignored when !ok)
  bool ok;
};

// runReserveMax is Go's: reserve with a maximum wait, check OK and t_act.
rate::Reservation RunReserveMax(rate::Limiter& lim, const Times& ts, Request req,
                                Duration max) {
  rate::Reservation r = rate::internal::ReserveMax(lim, ts.T(req.k), req.n, max);
  CHECK(r.OK() == req.ok);
  if (r.OK()) CHECK(DFromDuration(rate::internal::TimeToAct(r).Sub(ts.t0)) == req.act);
  return r;
}

rate::Reservation RunReserve(rate::Limiter& lim, const Times& ts, Request req) {
  return RunReserveMax(lim, ts, req, rate::InfDuration);
}

struct Wait {
  const char* name;
  context::Context ctx;
  int n;
  int delay;  // in multiples of d
  bool nil_err;
};

// runWait is Go's, on fake time: the delay is exact, so it must equal
// w.delay (Go allows up to 150% for real-time slop, which fake time has not).
absl::Status RunWaitErr(FakeClock& tt, rate::Limiter& lim, const Wait& w) {
  CAPTURE(w.name);
  Time start = tt.Now();
  absl::Status err = rate::internal::WaitAt(lim, w.ctx, w.n, start, tt.Seam());
  Duration delay = tt.Since(start);
  CHECK(err.ok() == w.nil_err);
  CHECK(DFromDuration(delay) == w.delay);
  return err;
}

void RunWait(FakeClock& tt, rate::Limiter& lim, const Wait& w) { (void)RunWaitErr(tt, lim, w); }

// ---------------------------------------------------------------- Part 1

TEST_CASE("Rate.Go.Limit") {  // TestLimit
  CHECK(rate::Limit(10) != rate::Inf);
  CHECK(rate::Inf == std::numeric_limits<double>::max());
  CHECK(rate::InfDuration == Duration(std::numeric_limits<int64_t>::max()));
}

TEST_CASE("Rate.Go.Every") {  // TestEvery
  struct {
    Duration interval;
    rate::Limit lim;
  } cases[] = {
      {Duration(0), rate::Inf},
      {Duration(-1), rate::Inf},
      {1 * time::Nanosecond, 1e9},
      {1 * time::Microsecond, 1e6},
      {1 * time::Millisecond, 1e3},
      {10 * time::Millisecond, 100},
      {100 * time::Millisecond, 10},
      {1 * time::Second, 1},
      {2 * time::Second, 0.5},
      {Duration(2.5 * 1e9), 0.4},
      {4 * time::Second, 0.25},
      {10 * time::Second, 0.1},
      {Duration(std::numeric_limits<int64_t>::max()),
       1e9 / static_cast<double>(std::numeric_limits<int64_t>::max())},
  };
  for (const auto& tc : cases) {
    CAPTURE(tc.interval.String());
    CHECK(CloseEnough(rate::Every(tc.interval), tc.lim));
  }
}

TEST_CASE("Rate.Go.LimiterBurst1") {  // TestLimiterBurst1
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 1);
    Run(lim, ts,
        {
            {0, 1, 1, true},
            {0, 0, 1, false},
            {0, 0, 1, false},
            {1, 1, 1, true},
            {1, 0, 1, false},
            {1, 0, 1, false},
            {2, 1, 2, false},  // burst size is 1, so n=2 always fails
            {2, 1, 1, true},
            {2, 0, 1, false},
        });
  }
}

TEST_CASE("Rate.Go.LimiterBurst3") {  // TestLimiterBurst3
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 3);
    Run(lim, ts,
        {
            {0, 3, 2, true},
            {0, 1, 2, false},
            {0, 1, 1, true},
            {0, 0, 1, false},
            {1, 1, 4, false},
            {2, 2, 1, true},
            {3, 2, 1, true},
            {4, 2, 1, true},
            {4, 1, 1, true},
            {4, 0, 1, false},
            {4, 0, 1, false},
            {9, 3, 3, true},
            {9, 0, 0, true},
        });
  }
}

TEST_CASE("Rate.Go.LimiterJumpBackwards") {  // TestLimiterJumpBackwards
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 3);
    Run(lim, ts,
        {
            {1, 3, 1, true},  // start at t1
            {0, 2, 1, true},  // jump back to t0, two tokens remain
            {0, 1, 1, true},
            {0, 0, 1, false},
            {0, 0, 1, false},
            {1, 1, 1, true},  // got a token
            {1, 0, 1, false},
            {1, 0, 1, false},
            {2, 1, 1, true},  // got another token
            {2, 0, 1, false},
            {2, 0, 1, false},
        });
  }
}

TEST_CASE("Rate.Go.Limiter_noTruncationErrors") {  // TestLimiter_noTruncationErrors
  rate::Limiter lim(0.7692307692307693, 1);
  CHECK(lim.Allow());
}

TEST_CASE("Rate.Go.SimultaneousRequests") {  // TestSimultaneousRequests
  // Go's limiter reads the real clock at 1 token per second, so a slow run
  // could see a sixth token; here the clock stands still, so exactly the
  // burst is allowed, however slowly the goroutines run.
  constexpr int kLimit = 1, kBurst = 5, kRequests = 15;
  Time frozen = time::Now();
  rate::Limiter lim(kLimit, kBurst, [frozen] { return frozen; });
  std::atomic<int> num_ok{0};
  goro::sync::WaitGroup wg;
  for (int i = 0; i < kRequests; i++) {
    wg.Go([&] {
      if (lim.Allow()) num_ok.fetch_add(1);
    });
  }
  wg.Wait();
  CHECK(num_ok.load() == kBurst);
}

TEST_CASE("Rate.Go.LongRunningQPS") {  // TestLongRunningQPS (fake-time version)
  constexpr int kLimit = 100, kBurst = 100;
  FakeClock tt(time::Now());
  rate::Limiter lim(kLimit, kBurst);
  int num_ok = 0;
  Time start = tt.Now();
  Time end = start.Add(5 * time::Second);
  while (tt.Now().Before(end)) {
    if (lim.AllowN(tt.Now(), 1)) num_ok++;
    tt.Advance(2 * time::Millisecond);
  }
  Duration elapsed = tt.Since(start);
  double ideal = kBurst + (kLimit * static_cast<double>(elapsed.Nanoseconds()) / 1e9);
  CHECK(num_ok <= static_cast<int>(ideal + 1));    // never more than allowed
  CHECK(num_ok >= static_cast<int>(0.999 * ideal));  // very close to it
}

TEST_CASE("Rate.Go.SimpleReserve") {  // TestSimpleReserve
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    RunReserve(lim, ts, {0, 2, 2, true});
    RunReserve(lim, ts, {3, 2, 4, true});
  }
}

TEST_CASE("Rate.Go.Mix") {  // TestMix
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 3, 1, false});  // false because n > Burst
    RunReserve(lim, ts, {0, 2, 0, true});
    Run(lim, ts, {{1, 1, 2, false}});  // not enough tokens - don't allow
    RunReserve(lim, ts, {1, 2, 2, true});
    Run(lim, ts, {{1, -1, 1, false}});  // negative tokens - don't allow
    Run(lim, ts, {{3, 1, 1, true}});
  }
}

TEST_CASE("Rate.Go.CancelInvalid") {  // TestCancelInvalid
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    rate::Reservation r = RunReserve(lim, ts, {0, 3, 3, false});
    r.CancelAt(ts.T(0));                    // should have no effect
    RunReserve(lim, ts, {0, 2, 2, true});  // did not get extra tokens
  }
}

TEST_CASE("Rate.Go.CancelLast") {  // TestCancelLast
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    rate::Reservation r = RunReserve(lim, ts, {0, 2, 2, true});
    r.CancelAt(ts.T(1));  // got 2 tokens back
    RunReserve(lim, ts, {1, 2, 2, true});
  }
}

TEST_CASE("Rate.Go.CancelTooLate") {  // TestCancelTooLate
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    rate::Reservation r = RunReserve(lim, ts, {0, 2, 2, true});
    r.CancelAt(ts.T(3));  // too late to cancel - should have no effect
    RunReserve(lim, ts, {3, 2, 4, true});
  }
}

TEST_CASE("Rate.Go.Cancel0Tokens") {  // TestCancel0Tokens
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    rate::Reservation r = RunReserve(lim, ts, {0, 1, 1, true});
    RunReserve(lim, ts, {0, 1, 2, true});
    r.CancelAt(ts.T(0));  // got 0 tokens back
    RunReserve(lim, ts, {0, 1, 3, true});
  }
}

TEST_CASE("Rate.Go.Cancel1Token") {  // TestCancel1Token
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    rate::Reservation r = RunReserve(lim, ts, {0, 2, 2, true});
    RunReserve(lim, ts, {0, 1, 3, true});
    r.CancelAt(ts.T(2));  // got 1 token back
    RunReserve(lim, ts, {2, 2, 4, true});
  }
}

TEST_CASE("Rate.Go.CancelMulti") {  // TestCancelMulti
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 4);
    RunReserve(lim, ts, {0, 4, 0, true});
    rate::Reservation rA = RunReserve(lim, ts, {0, 3, 3, true});
    RunReserve(lim, ts, {0, 1, 4, true});
    rate::Reservation rC = RunReserve(lim, ts, {0, 1, 5, true});
    rC.CancelAt(ts.T(1));  // get 1 token back
    rA.CancelAt(ts.T(1));  // get 2 tokens back, as if C was never reserved
    RunReserve(lim, ts, {1, 3, 5, true});
  }
}

TEST_CASE("Rate.Go.ReserveJumpBack") {  // TestReserveJumpBack
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {1, 2, 1, true});  // start at t1
    RunReserve(lim, ts, {0, 1, 1, true});  // should violate Limit,Burst
    RunReserve(lim, ts, {2, 2, 3, true});
    // burst size is 2, so n=3 always fails, and the state of lim should not be changed
    RunReserve(lim, ts, {0, 3, 0, false});
    RunReserve(lim, ts, {2, 1, 4, true});
    // the maxReserve is not enough so it fails, and the state of lim should not be changed
    RunReserveMax(lim, ts, {0, 2, 0, false}, d);
    RunReserve(lim, ts, {2, 1, 5, true});
  }
}

TEST_CASE("Rate.Go.ReserveJumpBackCancel") {  // TestReserveJumpBackCancel
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    RunReserve(lim, ts, {1, 2, 1, true});  // start at t1
    rate::Reservation r = RunReserve(lim, ts, {1, 2, 3, true});
    RunReserve(lim, ts, {1, 1, 4, true});
    r.CancelAt(ts.T(0));                    // cancel at t0, get 1 token back
    RunReserve(lim, ts, {1, 2, 4, true});  // should violate Limit,Burst
  }
}

TEST_CASE("Rate.Go.ReserveSetLimit") {  // TestReserveSetLimit
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(5, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    RunReserve(lim, ts, {0, 2, 4, true});
    lim.SetLimitAt(ts.T(2), 10);
    RunReserve(lim, ts, {2, 1, 4, true});  // violates Limit and Burst
  }
}

TEST_CASE("Rate.Go.ReserveSetBurst") {  // TestReserveSetBurst
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(5, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    RunReserve(lim, ts, {0, 2, 4, true});
    lim.SetBurstAt(ts.T(3), 4);
    RunReserve(lim, ts, {0, 4, 9, true});  // violates Limit and Burst
  }
}

TEST_CASE("Rate.Go.ReserveSetLimitCancel") {  // TestReserveSetLimitCancel
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(5, 2);
    RunReserve(lim, ts, {0, 2, 0, true});
    rate::Reservation r = RunReserve(lim, ts, {0, 2, 4, true});
    lim.SetLimitAt(ts.T(2), 10);
    r.CancelAt(ts.T(2));  // 2 tokens back
    RunReserve(lim, ts, {2, 2, 3, true});
  }
}

TEST_CASE("Rate.Go.ReserveMax") {  // TestReserveMax
  for (Time base : Bases()) {
    Times ts(base);
    rate::Limiter lim(10, 2);
    Duration max_t = d;
    RunReserveMax(lim, ts, {0, 2, 0, true}, max_t);
    RunReserveMax(lim, ts, {0, 1, 1, true}, max_t);   // reserve for close future
    RunReserveMax(lim, ts, {0, 1, 2, false}, max_t);  // time to act too far in the future
  }
}

// In the wait tests the limiter reads the fake clock too (Go's reads the real
// one in Reservation.Cancel; goro's limiter takes its clock as a NowFunc).

TEST_CASE("Rate.Go.WaitSimple") {  // TestWaitSimple
  FakeClock tt(time::Now());
  rate::Limiter lim(10, 3, tt.Func());

  auto [ctx, cancel] = context::WithCancel(context::Background());
  cancel();
  absl::Status err = RunWaitErr(tt, lim, {"already-cancelled", ctx, 1, 0, false});
  CHECK(err == context::Canceled);

  err = RunWaitErr(tt, lim, {"exceed-burst-error", context::Background(), 4, 0, false});
  CHECK(err.code() == absl::StatusCode::kInvalidArgument);
  CHECK(err.message() == "rate: Wait(n=4) exceeds limiter's burst 3");

  RunWait(tt, lim, {"act-now", context::Background(), 2, 0, true});
  RunWait(tt, lim, {"act-later", context::Background(), 3, 2, true});
}

TEST_CASE("Rate.Go.WaitCancel") {  // TestWaitCancel
  FakeClock tt(time::Now());
  rate::Limiter lim(10, 3, tt.Func());

  auto [ctx, cancel] = context::WithCancel(context::Background());
  RunWait(tt, lim, {"act-now", ctx, 2, 0, true});  // after this lim.tokens = 1
  goro::recv_chan<Time> ch = tt.NewTimer(d);
  goro::sync::WaitGroup wg;
  wg.Go([ch, cancel = cancel] {
    ch.recv();
    cancel();
  });
  absl::Status err = RunWaitErr(tt, lim, {"will-cancel", ctx, 3, 1, false});
  CHECK(err == context::Canceled);
  wg.Wait();
  // should get 3 tokens back, and have lim.tokens = 2
  CHECK(lim.TokensAt(tt.Now()) == 2);
  RunWait(tt, lim, {"act-now-after-cancel", context::Background(), 2, 0, true});
}

TEST_CASE("Rate.Go.WaitTimeout") {  // TestWaitTimeout
  // Go's ctx times out d after the test starts, in real time, so a slow run
  // could see it done before the first wait. Here the deadline is an hour of
  // real time away, and the fake clock starts d before it: the wait limit,
  // deadline - start, is exactly d, as in Go.
  Time deadline = time::Now().Add(time::Hour);
  FakeClock tt(deadline.Add(-d));
  rate::Limiter lim(10, 3, tt.Func());

  auto [ctx, cancel] = context::WithDeadline(context::Background(), deadline);
  RunWait(tt, lim, {"act-now", ctx, 2, 0, true});
  absl::Status err = RunWaitErr(tt, lim, {"w-timeout-err", ctx, 3, 0, false});
  CHECK(err.code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(err.message() == "rate: Wait(n=3) would exceed context deadline");
  CHECK_FALSE(context::IsDeadlineExceeded(err));  // Go's errors.Is is false too
  CHECK(ctx.Err().ok());                          // it failed at once
  cancel();
}

TEST_CASE("Rate.Go.WaitInf") {  // TestWaitInf
  FakeClock tt(time::Now());
  rate::Limiter lim(rate::Inf, 0, tt.Func());
  RunWait(tt, lim, {"exceed-burst-no-error", context::Background(), 3, 0, true});
}

TEST_CASE("Rate.Go.ZeroLimit") {  // TestZeroLimit
  rate::Limiter r(0, 1);
  CHECK(r.Allow());        // want true when first used
  CHECK_FALSE(r.Allow());  // want false when already used
}

TEST_CASE("Rate.Go.SetAfterZeroLimit") {  // TestSetAfterZeroLimit
  FakeClock tt(time::Now());
  rate::Limiter lim(0, 1, tt.Func());
  // The limiter starts off full, so even at limit 0 the first request is allowed...
  CHECK(lim.Allow());
  // ...but the bucket is not replenished, so the second is not.
  CHECK_FALSE(lim.Allow());
  lim.SetLimit(10);
  // At 10/s the next token comes in 100ms.
  RunWait(tt, lim, {"wait-after-set-nonzero-after-zero", context::Background(), 1, 1, true});
}

TEST_CASE("Rate.Go.TinyLimit") {  // TestTinyLimit (golang/go#71154)
  rate::Limiter lim(1e-10, 1);
  CHECK(lim.Allow());        // the first token is there
  CHECK_FALSE(lim.Allow());  // and the next is 1e10 seconds away
}

// ---------------------------------------------------------------- Part 2

TEST_CASE("Rate.Go.SometimesExamples") {  // sometimes_test.go: ExampleSometimes_*
  std::vector<int> ran;
  auto record = [&](int i) { return [&ran, i] { ran.push_back(i); }; };

  SUBCASE("once") {  // The zero value of Sometimes behaves like sync.Once
    rate::Sometimes s;
    for (int i = 1; i <= 3; i++) s.Do(record(i));
    CHECK(ran == std::vector<int>{1});
  }
  SUBCASE("first") {
    rate::Sometimes s{.First = 2};
    for (int i = 1; i <= 3; i++) s.Do(record(i));
    CHECK(ran == std::vector<int>{1, 2});
  }
  SUBCASE("every") {
    rate::Sometimes s{.Every = 2};
    for (int i = 1; i <= 3; i++) s.Do(record(i));
    CHECK(ran == std::vector<int>{1, 3});
  }
  SUBCASE("interval") {  // Go sleeps 1s; the fake clock jumps
    FakeClock tt(time::Now());
    rate::Sometimes s{.Interval = 1 * time::Second, .Now = tt.Func()};
    s.Do(record(1));
    s.Do(record(2));
    tt.Advance(1 * time::Second);
    s.Do(record(3));
    CHECK(ran == std::vector<int>{1, 3});
  }
  SUBCASE("mix") {
    FakeClock tt(time::Now());
    rate::Sometimes s{.First = 2, .Every = 2, .Interval = 2 * time::Second, .Now = tt.Func()};
    s.Do(record(1));  // First:2
    s.Do(record(2));  // First:2
    s.Do(record(3));  // Every:2
    tt.Advance(2 * time::Second);
    s.Do(record(4));  // Interval
    s.Do(record(5));  // Every:2
    s.Do(record(6));
    CHECK(ran == std::vector<int>{1, 2, 3, 4, 5});
  }
}

TEST_CASE("Rate.Go.SometimesIntervals") {  // TestSometimesZero, ...Max, ...Negative
  for (Duration interval :
       {Duration(0), Duration(std::numeric_limits<int64_t>::max()), Duration(-1)}) {
    rate::Sometimes s{.Interval = interval};
    int n = 0;
    s.Do([&] { n++; });
    s.Do([&] { n++; });
    CHECK(n == 1);
  }
}

TEST_CASE("Rate.Sometimes.SerializesAndThrows") {
  // Concurrent Do calls run one at a time; every call counts.
  rate::Sometimes s{.Every = 1};
  std::atomic<int> inside{0}, max_inside{0}, runs{0};
  goro::sync::WaitGroup wg;
  for (int g = 0; g < 8; g++) {
    wg.Go([&] {
      for (int i = 0; i < goro_test::Scaled(200); i++) {
        s.Do([&] {
          int now = inside.fetch_add(1) + 1;
          int m = max_inside.load();
          while (now > m && !max_inside.compare_exchange_weak(m, now)) {
          }
          if (i % 50 == 0) goro::runtime::Gosched();
          runs.fetch_add(1);
          inside.fetch_sub(1);
        });
      }
    });
  }
  wg.Wait();
  CHECK(max_inside.load() == 1);
  CHECK(runs.load() == 8 * goro_test::Scaled(200));

  // A throwing f releases the lock and does not count (Go: the deferred
  // Unlock runs, count++ does not).
  rate::Sometimes once;
  CHECK(goro_test::PanicOf([&] { once.Do([] { throw goro::Panic("boom"); }); }) == "boom");
  int n = 0;
  once.Do([&] { n++; });  // still the first call
  once.Do([&] { n++; });
  CHECK(n == 1);
}

// ---------------------------------------------------------------- Part 3

TEST_CASE("Rate.ZeroLimiter") {
  rate::Limiter lim;
  Time t = time::Now();
  CHECK(lim.Limit() == 0);
  CHECK(lim.Burst() == 0);
  CHECK(lim.TokensAt(t) == 0);
  CHECK(lim.AllowN(t, 0));  // the one thing it allows
  CHECK_FALSE(lim.AllowN(t, 1));
  CHECK_FALSE(lim.Allow());
  CHECK_FALSE(lim.Reserve().OK());
  CHECK_FALSE(lim.ReserveN(t.Add(time::Hour), 1).OK());
  absl::Status err = lim.Wait(context::Background());
  CHECK(err.message() == "rate: Wait(n=1) exceeds limiter's burst 0");
  CHECK(lim.WaitN(context::Background(), 0).ok());
}

TEST_CASE("Rate.Reservation.NotOK") {
  rate::Reservation none;
  CHECK_FALSE(none.OK());
  CHECK(none.Delay() == rate::InfDuration);
  CHECK(none.DelayFrom(time::Now()) == rate::InfDuration);
  none.Cancel();  // does nothing
  none.CancelAt(time::Now());

  Times ts(time::Now());
  rate::Limiter lim(10, 2);
  rate::Reservation r = lim.ReserveN(ts.t0, 3);  // n > burst
  CHECK_FALSE(r.OK());
  CHECK(r.DelayFrom(ts.t0) == rate::InfDuration);
  CHECK(lim.TokensAt(ts.t0) == 2);  // nothing was taken
}

TEST_CASE("Rate.Reservation.DelayAndCancelUseTheClock") {
  FakeClock tt(time::Now());
  rate::Limiter lim(10, 1, tt.Func());
  CHECK(lim.Reserve().Delay() == Duration(0));
  rate::Reservation r = lim.Reserve();  // the bucket is empty: 100ms
  CHECK(r.OK());
  CHECK(r.Delay() == d);
  tt.Advance(40 * time::Millisecond);
  CHECK(r.Delay() == 60 * time::Millisecond);
  CHECK(r.DelayFrom(tt.Now().Add(time::Second)) == Duration(0));
  CHECK(lim.Tokens() == -0.6);  // exactly what Go computes
  r.Cancel();  // at the fake now: the token comes back
  CHECK(lim.Tokens() == 0.4);
}

TEST_CASE("Rate.Reservation.CancelTwice") {
  // As in Go, a second Cancel gives tokens back again (the first moved the
  // last event back before this reservation's time to act).
  Time t0 = time::Unix(1700000000, 0);
  rate::Limiter lim(10, 2);
  lim.ReserveN(t0, 2);
  rate::Reservation r = lim.ReserveN(t0, 2);
  r.CancelAt(t0);
  CHECK(lim.TokensAt(t0) == 0);
  r.CancelAt(t0);
  CHECK(lim.TokensAt(t0) == 2);
}

TEST_CASE("Rate.Reservation.OutlivesItsLimiter") {
  rate::Reservation r;
  Time t0 = time::Now();
  {
    rate::LimiterPtr lim = rate::NewLimiter(10, 1);
    r = lim.ReserveN(t0, 1);
    lim.ReserveN(t0, 1);
  }
  CHECK(r.OK());
  CHECK(r.DelayFrom(t0) == Duration(0));
  r.CancelAt(t0);  // the state is kept alive by r
  {
    rate::Limiter lim(10, 1);
    r = lim.ReserveN(t0, 1);
  }
  r.CancelAt(t0);
}

TEST_CASE("Rate.LimiterPtr.Shares") {
  Time t0 = time::Now();
  rate::LimiterPtr a = rate::NewLimiter(10, 2);
  rate::LimiterPtr b = a;
  CHECK(a == b);
  CHECK(a.AllowN(t0, 2));
  CHECK_FALSE(b.AllowN(t0, 1));  // b sees a's take
  b.SetLimitAt(t0, 20);
  b.SetBurstAt(t0, 5);
  CHECK(a.Limit() == 20);
  CHECK(a.Burst() == 5);
  CHECK(a.TokensAt(t0.Add(d)) == doctest::Approx(2));
  rate::Limiter& ref = *a;  // Go's *lim
  CHECK(ref.Burst() == 5);
  CHECK(a->Burst() == 5);
  CHECK(a.get() == &ref);

  rate::LimiterPtr nil;
  CHECK(nil == nullptr);
  CHECK_FALSE(nil);
  CHECK(goro_test::PanicOf([&] { nil.Allow(); }) ==
        "runtime error: invalid memory address or nil pointer dereference");
}

TEST_CASE("Rate.Clock.SetNow") {
  FakeClock tt(time::Unix(1700000000, 0));
  rate::LimiterPtr lim = rate::NewLimiter(1, 1, tt.Func());
  CHECK(lim.Now() == tt.Now());
  CHECK(lim.Allow());
  CHECK_FALSE(lim.Allow());
  tt.Advance(time::Second);
  CHECK(lim.Allow());
  FakeClock later(time::Unix(1700000100, 0));
  lim.SetNow(later.Func());
  CHECK(lim.Tokens() == 1);  // 99 s later, full again
  lim.SetNow(nullptr);       // the real clock
  CHECK(lim.Now().After(later.Now()));
}

TEST_CASE("Rate.Arithmetic.CappedDuration") {
  // durationFromTokens caps at InfDuration rather than overflowing
  // (golang/go#71154): 1 token at 1e-10/s is 1e19 ns > MaxInt64.
  Time t0 = time::Unix(1700000000, 0);
  rate::Limiter lim(1e-10, 1);
  CHECK(lim.AllowN(t0, 1));
  rate::Reservation r = lim.ReserveN(t0, 1);
  CHECK(r.OK());  // with no maximum wait
  CHECK(r.DelayFrom(t0) == rate::InfDuration);
  r.CancelAt(t0);
  CHECK(lim.TokensAt(t0) == 0);
  // Limit 0: a reservation beyond the bucket waits forever.
  rate::Limiter zero(0, 1);
  CHECK(zero.ReserveN(t0, 1).DelayFrom(t0) == Duration(0));
  rate::Reservation never = zero.ReserveN(t0, 1);
  CHECK(never.OK());
  CHECK(never.DelayFrom(t0) == rate::InfDuration);
}

TEST_CASE("Rate.Arithmetic.FloatExact") {
  // The values x/time/rate gives for the same steps (checked with Go 1.19):
  // tokens are float64 seconds times the limit, clamped to the burst.
  Time t0 = time::Unix(1700000000, 0);
  rate::Limiter lim(3, 10);
  CHECK(lim.AllowN(t0, 10));
  CHECK(lim.TokensAt(t0.Add(time::Second / 3)) == 0.999999999);
  CHECK(lim.TokensAt(t0.Add(7 * time::Millisecond)) == 7e-3 * 3);
  CHECK(lim.TokensAt(t0.Add(-time::Second)) == 0);  // backwards: no tokens, no debt
  rate::Reservation r = lim.ReserveN(t0, 1);
  CHECK(r.DelayFrom(t0) == Duration(333333333));
}

TEST_CASE("Rate.SetBurst.SmallerAndNegativeN") {
  Time t0 = time::Unix(1700000000, 0);
  rate::Limiter lim(1, 5);
  lim.SetBurstAt(t0, 2);
  // Reading clamps to the new burst at once.
  CHECK(lim.TokensAt(t0) == 2);
  CHECK(lim.AllowN(t0, 2));
  CHECK_FALSE(lim.AllowN(t0, 1));
  // Negative n gives tokens (Go does no check either), still capped by burst on read.
  CHECK(lim.AllowN(t0, -1));
  CHECK(lim.TokensAt(t0) == 1);
}

TEST_CASE("Rate.Wait.RealTimer") {
  // WaitN waits on a real timer, at least until the time to act, and hands
  // its worker on while it does: with GOMAXPROCS=1 another goroutine runs
  // meanwhile.
  constexpr Duration kEvery = 300 * time::Millisecond;
  rate::LimiterPtr lim = rate::NewLimiter(rate::Every(kEvery), 1);
  Time s0 = time::Now();
  CHECK(lim.Wait(context::Background()).ok());  // the full bucket: at once
  auto started = goro::make_chan<goro::Empty>();
  auto finished = goro::make_chan<Time>(1);
  goro::go([=] {
    started.send(goro::Empty{});
    absl::Status err = lim.Wait(context::Background());
    finished.send(err.ok() ? time::Now() : Time());
  });
  started.recv();
  auto pong = goro::make_chan<int>(1);
  goro::go([=] { pong.send(1); });
  CHECK(pong.recv() == 1);
  CHECK(goro::len(finished) == 0);  // the waiter is still waiting
  Time done = finished.recv();
  CHECK(done.Sub(s0) >= kEvery);
}

TEST_CASE("Rate.Wait.RealCancel") {
  rate::LimiterPtr lim = rate::NewLimiter(rate::Every(time::Hour), 1);
  CHECK(lim.Allow());
  auto [ctx, cancel] = context::WithCancel(context::Background());
  goro::go([cancel = cancel] {
    time::Sleep(10 * time::Millisecond);
    cancel();
  });
  absl::Status err = lim.Wait(ctx);
  CHECK(err == context::Canceled);
  CHECK(lim.Tokens() > -0.01);  // the token was given back
  CHECK(lim.Tokens() < 0.01);
}

TEST_CASE("Rate.Wait.DeadlineFailsAtOnce") {
  rate::LimiterPtr lim = rate::NewLimiter(rate::Every(time::Hour), 1);
  CHECK(lim.Allow());
  auto [ctx, cancel] = context::WithTimeout(context::Background(), time::Minute);
  Time s = time::Now();
  absl::Status err = lim.Wait(ctx);
  CHECK(time::Since(s) < 30 * time::Second);
  CHECK(err.message() == "rate: Wait(n=1) would exceed context deadline");
  CHECK(lim.Tokens() < 0.01);  // nothing was reserved
  CHECK(lim.Tokens() > -0.01);
  cancel();
  err = lim.Wait(ctx);  // done before: ctx.Err(), even before the deadline check
  CHECK(err == context::Canceled);
}

}  // namespace
