// goro/rate.h: golang.org/x/time/rate, a token-bucket rate limiter.
//
// Mirrors x/time/rate (v0.13 and later: the bucket starts full, durations are
// capped, a refused Allow or Reserve changes nothing), plus rate.Sometimes:
//
//   auto lim = goro::rate::NewLimiter(goro::rate::Every(100 * goro::time::Millisecond), 3);
//   if (lim.Allow()) { /* handle it */ } else { /* drop it */ }  // if lim.Allow() {
//   absl::Status err = lim.Wait(ctx);             // err := lim.Wait(ctx): blocks for a token
//   goro::rate::Reservation r = lim.Reserve();    // r := lim.Reserve()
//   goro::time::Sleep(r.Delay());                 // time.Sleep(r.Delay())
//
// The bucket holds up to b tokens and refills at r tokens per second; each
// event takes n tokens (1 for Allow, Reserve, Wait). Semantics (x/time/rate's,
// with its float64 arithmetic, step for step):
// - A new limiter is full (b tokens). Limit is events per second, a double;
//   Inf allows every event, even with burst 0; Every(d) is 1/d.Seconds() (Inf
//   for d <= 0). The zero Limiter (`Limiter lim;`) rejects everything except
//   AllowN(t, 0).
// - AllowN(t, n): n tokens available at t? Yes: take them. No: change nothing.
// - ReserveN(t, n) always takes the tokens, borrowing from the future, unless
//   n > burst (then the Reservation is not OK and nothing changes). The
//   Reservation says when to act; Cancel gives back the tokens that later
//   reservations have not already counted on, unless the time to act has passed.
// - WaitN(ctx, n) fails at once when n > burst (kInvalidArgument,
//   "rate: Wait(n=%d) exceeds limiter's burst %d") or when the wait would pass
//   ctx's deadline (kDeadlineExceeded, "rate: Wait(n=%d) would exceed context
//   deadline"; context::IsDeadlineExceeded is false for it, as errors.Is is in
//   Go); returns ctx.Err() if ctx is done before or during the wait (and then
//   cancels its reservation); OkStatus() once the tokens are its.
// - Time running backwards gives no tokens and takes none: a t before the last
//   update counts as that update's time. Tokens may be negative after
//   reservations into the future. SetLimit and SetBurst first bring the bucket
//   up to date; reservations made before keep their times.
//
// The clock: Allow, Reserve, Wait, Tokens, SetLimit, SetBurst, Delay and
// Cancel read the limiter's clock, time::Now unless a time::NowFunc was given
// (constructor or SetNow), so tests can run on exact, fake time; the *At and
// *N(t, ...) forms take the time explicitly, as in Go. WaitN computes its delay
// on that clock and then waits on a real timer (time::NewTimer).
//
// Limiter is Go's rate.Limiter value: constructed in place, neither copyable
// nor movable. NewLimiter returns a LimiterPtr, Go's *rate.Limiter: a handle
// with the same methods, whose copies share one limiter. A Reservation is a
// small immutable value that keeps its limiter alive; copies are
// interchangeable, as copies of Go's *Reservation are.
//
// Thread safety: every method may be called from any goroutine at once; each
// takes the limiter's lock once, so calls are linearizable (Go's mutex).
// SetNow may be called at any time; the clock function itself must be safe to
// call from several threads at once.
//
// Memory ordering: a call that changes the limiter happens before every later
// call that sees its effect.
//
// Blocking: WaitN and Sometimes::Do hand their worker's slot on while they
// wait (goro/runtime.h).
//
// Misuse: methods on a nil LimiterPtr throw Go's nil-pointer panic
// ("runtime error: invalid memory address or nil pointer dereference").
#ifndef GORO_RATE_H_
#define GORO_RATE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "goro/context.h"
#include "goro/sync/mutex.h"
#include "goro/time.h"

namespace goro::rate {

// Limit is the maximum frequency of events, in events per second (a float64,
// as Go's `type Limit float64`). A zero Limit allows no events.
using Limit = double;

// Inf is the infinite rate limit: it allows all events, even with burst 0.
inline constexpr Limit Inf = std::numeric_limits<double>::max();

// InfDuration is what Delay returns for a Reservation that is not OK.
inline constexpr time::Duration InfDuration{std::numeric_limits<int64_t>::max()};

// Every converts a minimum time interval between events to a Limit (Inf for
// interval <= 0).
Limit Every(time::Duration interval);

class Limiter;
class Reservation;

namespace internal {
struct LimiterState;
struct Access;
// The timer seam of Go's internal lim.wait, for tests: returns a channel that
// receives once the delay has passed (the real one is time::NewTimer(d).C).
using NewTimerFunc = std::function<recv_chan<time::Time>(time::Duration)>;
// WaitAt is WaitN starting at time t, with timers from new_timer.
absl::Status WaitAt(Limiter& lim, const context::Context& ctx, int n, time::Time t,
                    const NewTimerFunc& new_timer);
// ReserveMax is Go's internal lim.reserveN(t, n, max): ReserveN that refuses
// a wait longer than max (AllowN is max 0, ReserveN is max InfDuration).
Reservation ReserveMax(Limiter& lim, time::Time t, int n, time::Duration max);
// TimeToAct returns r's time to act (the zero Time if r is not OK).
time::Time TimeToAct(const Reservation& r);
[[noreturn]] void NilLimiter();
}  // namespace internal

// Reservation holds what a Limiter granted: how many tokens, and when the
// holder may act. A default-constructed Reservation is not OK.
class Reservation {
 public:
  Reservation() = default;

  // OK reports whether the limiter can provide the tokens within the maximum
  // wait. If not, Delay returns InfDuration and Cancel does nothing.
  bool OK() const { return ok_; }
  // Delay is DelayFrom(now), now from the limiter's clock.
  time::Duration Delay() const;
  // DelayFrom returns how long after t the holder must wait before acting:
  // 0 means now; InfDuration means the reservation is not OK.
  time::Duration DelayFrom(time::Time t) const;
  // Cancel is CancelAt(now), now from the limiter's clock.
  void Cancel() const;
  // CancelAt gives back, as of t, the tokens of this reservation that later
  // reservations have not counted on. Nothing happens if it is not OK, if its
  // time to act is before t, or if the limit is Inf. (As in Go, cancelling
  // twice may give tokens back twice.)
  void CancelAt(time::Time t) const;

 private:
  friend struct internal::Access;
  bool ok_ = false;
  std::shared_ptr<internal::LimiterState> lim_;
  int tokens_ = 0;
  time::Time time_to_act_;
  Limit limit_ = 0;  // the Limit at reservation time
};

// Limiter is a token bucket of size b, initially full, refilled at r tokens
// per second.
class Limiter {
 public:
  // The zero Limiter: limit 0, burst 0. It rejects every event.
  Limiter();
  // Limiter(r, b) is *NewLimiter(r, b): rate r, burst b, full.
  Limiter(rate::Limit r, int b);
  // The same, reading the current time from now (empty: time::Now).
  Limiter(rate::Limit r, int b, time::NowFunc now);
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;
  ~Limiter();

  // Limit returns the maximum overall event rate.
  rate::Limit Limit() const;
  // Burst returns the maximum burst size.
  int Burst() const;
  // TokensAt returns the number of tokens available at t (may be negative).
  double TokensAt(time::Time t) const;
  // Tokens is TokensAt(now).
  double Tokens() const;

  // Allow is AllowN(now, 1).
  bool Allow();
  // AllowN reports whether n events may happen at t, taking the tokens if so.
  bool AllowN(time::Time t, int n);

  // Reserve is ReserveN(now, 1).
  Reservation Reserve();
  // ReserveN reserves n tokens as of t; r.OK() is false if n exceeds the burst
  // (unless the limit is Inf).
  Reservation ReserveN(time::Time t, int n);

  // Wait is WaitN(ctx, 1).
  absl::Status Wait(const context::Context& ctx);
  // WaitN blocks until n events may happen; see the file comment for errors.
  absl::Status WaitN(const context::Context& ctx, int n);

  // SetLimit is SetLimitAt(now, r).
  void SetLimit(rate::Limit r);
  // SetLimitAt brings the bucket up to t and sets a new Limit.
  void SetLimitAt(time::Time t, rate::Limit r);
  // SetBurst is SetBurstAt(now, b).
  void SetBurst(int b);
  // SetBurstAt brings the bucket up to t and sets a new burst size.
  void SetBurstAt(time::Time t, int b);

  // SetNow replaces the clock (goro's addition; empty: time::Now).
  void SetNow(time::NowFunc now);
  // Now reads the limiter's clock.
  time::Time Now() const;

 private:
  friend struct internal::Access;
  std::shared_ptr<internal::LimiterState> st_;
};

// LimiterPtr is Go's *rate.Limiter: a handle whose copies share one Limiter.
// A default-constructed LimiterPtr is nil.
class LimiterPtr {
 public:
  LimiterPtr() = default;
  LimiterPtr(std::nullptr_t) {}  // NOLINT: implicit, as a nil pointer

  rate::Limit Limit() const { return L().Limit(); }
  int Burst() const { return L().Burst(); }
  double TokensAt(time::Time t) const { return L().TokensAt(t); }
  double Tokens() const { return L().Tokens(); }
  bool Allow() const { return L().Allow(); }
  bool AllowN(time::Time t, int n) const { return L().AllowN(t, n); }
  Reservation Reserve() const { return L().Reserve(); }
  Reservation ReserveN(time::Time t, int n) const { return L().ReserveN(t, n); }
  absl::Status Wait(const context::Context& ctx) const { return L().Wait(ctx); }
  absl::Status WaitN(const context::Context& ctx, int n) const { return L().WaitN(ctx, n); }
  void SetLimit(rate::Limit r) const { L().SetLimit(r); }
  void SetLimitAt(time::Time t, rate::Limit r) const { L().SetLimitAt(t, r); }
  void SetBurst(int b) const { L().SetBurst(b); }
  void SetBurstAt(time::Time t, int b) const { L().SetBurstAt(t, b); }
  void SetNow(time::NowFunc now) const { L().SetNow(std::move(now)); }
  time::Time Now() const { return L().Now(); }

  // The Limiter itself (Go's *lim), e.g. to pass it as Limiter&.
  Limiter& operator*() const { return L(); }
  Limiter* operator->() const { return &L(); }
  Limiter* get() const { return p_.get(); }

  explicit operator bool() const { return p_ != nullptr; }
  friend bool operator==(const LimiterPtr& a, const LimiterPtr& b) { return a.p_ == b.p_; }
  friend bool operator==(const LimiterPtr& a, std::nullptr_t) { return a.p_ == nullptr; }

 private:
  friend LimiterPtr NewLimiter(rate::Limit r, int b, time::NowFunc now);
  Limiter& L() const {
    if (p_ == nullptr) internal::NilLimiter();
    return *p_;
  }
  std::shared_ptr<Limiter> p_;
};

// NewLimiter returns a new limiter allowing events at rate r with bursts of
// at most b tokens, initially full; now, if given, is its clock.
LimiterPtr NewLimiter(rate::Limit r, int b, time::NowFunc now = nullptr);

namespace internal {
struct SometimesState {
  sync::Mutex mu;    // Do runs one call at a time (a goro blocking wait)
  int count = 0;     // number of Do calls; guarded by mu
  time::Time last;   // when f last ran; guarded by mu
};
}  // namespace internal

// Sometimes is Go's rate.Sometimes: it performs an action occasionally.
//
//   static goro::rate::Sometimes s{.First = 3, .Interval = 10 * goro::time::Second};
//   s.Do([] { std::cerr << "here I am!\n"; });
//
// The filters are a union: the first call always runs f; First: N runs the
// first N calls; Every: M runs every M-th call, starting with the first;
// Interval runs f if at least Interval has passed since f last ran. The zero
// Sometimes runs f exactly once. Concurrent calls to Do run one at a time
// (a goro blocking wait), so f calling Do on the same Sometimes deadlocks, as
// in Go. Now is goro's addition: the clock (empty: time::Now). Neither
// copyable nor movable once declared.
struct Sometimes {
  int First = 0;
  int Every = 0;
  time::Duration Interval{};
  time::NowFunc Now{};

  // Do runs f as First, Every and Interval allow. If f throws, the call does
  // not count and the lock is released.
  template <class F>
  void Do(F&& f) {
    std::lock_guard<sync::Mutex> lock(internal_.mu);
    if (internal_.count == 0 || (First > 0 && internal_.count < First) ||
        (Every > 0 && internal_.count % Every == 0) ||
        (Interval > time::Duration() && SinceLast() >= Interval)) {
      std::forward<F>(f)();
      internal_.last = Clock();
    }
    internal_.count++;
  }

  // Not for users: the lock, the call count and the time of the last run.
  internal::SometimesState internal_{};

 private:
  time::Time Clock() const;
  time::Duration SinceLast() const;
};

}  // namespace goro::rate

#endif  // GORO_RATE_H_
