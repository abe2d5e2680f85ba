// goro/gobreaker.h: sony/gobreaker v2, the circuit breaker.
//
// CircuitBreaker<T> mirrors github.com/sony/gobreaker/v2 (v2.4): a state
// machine that stops sending requests to a service that keeps failing, then
// lets a few through to see whether it has recovered.
//
//   namespace gobreaker = goro::gobreaker;
//   gobreaker::Settings st{                         // var st gobreaker.Settings
//       .Name = "inventory",                        // st.Name = "inventory"
//       .Timeout = 30 * goro::time::Second,         // st.Timeout = 30 * time.Second
//       .ReadyToTrip = [](const gobreaker::Counts& c) {
//         return c.ConsecutiveFailures > 3;
//       },
//   };
//   auto cb = gobreaker::NewCircuitBreaker<std::string>(st);
//   absl::StatusOr<std::string> body = cb.Execute(
//       [&]() -> absl::StatusOr<std::string> { return Fetch(url); });
//   if (gobreaker::IsOpenState(body.status())) { /* fail fast */ }
//
// States (StateClosed, StateHalfOpen, StateOpen), exactly as gobreaker:
// - Closed: every request goes through. Each failure calls ReadyToTrip with the
//   counts; true opens the breaker. With Interval > 0 the counts are cleared
//   every Interval (a new generation); with BucketPeriod > 0 as well, Interval
//   is rounded up to a multiple of BucketPeriod and the counts cover a rolling
//   window of Interval/BucketPeriod buckets instead: the oldest bucket's counts
//   leave the window every BucketPeriod.
// - Open: every request fails at once with ErrOpenState, without running.
//   After Timeout (strictly later) the breaker is half-open.
// - HalfOpen: up to MaxRequests requests go through (excluded ones give their
//   place back); more fail with ErrTooManyRequests. MaxRequests consecutive
//   successes close the breaker; any failure opens it again.
// Every change of state clears the counts and starts a new generation. A result
// whose request started in an earlier generation is ignored, and in a rolling
// window a result whose bucket has left the window is ignored.
//
// Defaults (a zero field): MaxRequests 1, Interval 0 (counts never cleared in
// the closed state), Timeout 60s, ReadyToTrip `ConsecutiveFailures > 5`,
// IsSuccessful `err.ok()`, IsExcluded never, Now the real clock.
//
// Results: Execute(f) runs f only if the breaker lets the request through and
// returns f's result unchanged; IsExcluded(status) true makes it count as
// neither success nor failure (it counts in TotalExclusions), else
// IsSuccessful(status) decides. An exception thrown by f (a goro::Panic or any
// other) is recorded as the status UnknownError(what()) (Go's
// fmt.Errorf("%v", e)), judged by IsExcluded/IsSuccessful like any other, so a
// failure by default, and rethrown unchanged (gobreaker's panic rule).
//
// Goes beyond gobreaker:
// - OnStateChange runs after the breaker's lock is released, so it may call the
//   breaker (State, Counts, even Execute) without deadlocking (gobreaker calls
//   it under its mutex: issue #37). Callbacks still run one at a time and in the
//   order of the transitions: when another goroutine is running one, the
//   transition is queued and that goroutine runs it next, so the call that
//   caused it may return before its callback has run.
// - IsSuccessful and IsExcluded run without the lock, once per finished request.
// - Settings.Now (a time::NowFunc) injects the clock, so tests and simulations
//   run on exact, fake time. An empty Now is the real clock, time::Now.
// ReadyToTrip and Now run under the breaker's lock (as in gobreaker) and must
// not call the breaker; they should be quick.
//
// Handles: NewCircuitBreaker<T>(st) and CircuitBreaker<T>(st) both make a
// breaker; copies share it, as copies of Go's *CircuitBreaker do. A
// default-constructed handle is nil: using it throws goro::Panic("runtime
// error: invalid memory address or nil pointer dereference"), as Go does.
// TwoStepCircuitBreaker<T> likewise. T is any type absl::StatusOr can hold
// (use goro::Empty for "no value").
//
// Thread safety: every method may be called from any goroutine or thread at
// once; the breaker's critical sections are short and never block (f runs
// outside them), so no call hands its slot on.
//
// Memory ordering: what a goroutine did before a call that changed the state
// is visible to OnStateChange for that transition.
#ifndef GORO_GOBREAKER_H_
#define GORO_GOBREAKER_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "goro/time.h"

namespace goro::gobreaker {

// State is Go's gobreaker.State: StateClosed (0), StateHalfOpen (1) and
// StateOpen (2). Like Go's `type State int`, any int converts to a State.
enum State : int {
  StateClosed = 0,
  StateHalfOpen = 1,
  StateOpen = 2,
};

// String is Go's State.String(): "closed", "half-open", "open", and
// "unknown state: N" for any other value. operator<< prints the same.
std::string String(State s);
std::ostream& operator<<(std::ostream& os, State s);

// ErrOpenState is returned while the breaker is open; ErrTooManyRequests when
// it is half-open and MaxRequests requests are already under way. The texts are
// gobreaker's; the codes say "try again later" (kUnavailable) and "over the
// limit" (kResourceExhausted, HTTP 429's code).
inline const absl::Status ErrOpenState = absl::UnavailableError("circuit breaker is open");
inline const absl::Status ErrTooManyRequests = absl::ResourceExhaustedError("too many requests");

// Go's errors.Is(err, gobreaker.ErrOpenState) / ErrTooManyRequests: true for the
// status itself and for one that wraps it ("fetch: circuit breaker is open",
// with the same code).
bool IsOpenState(const absl::Status& err);
bool IsTooManyRequests(const absl::Status& err);

// Counts is Go's gobreaker.Counts: the numbers of requests and of their
// outcomes in the current generation (or rolling window). Requests counts
// requests let through; excluded results count only in TotalExclusions.
struct Counts {
  uint32_t Requests = 0;
  uint32_t TotalSuccesses = 0;
  uint32_t TotalFailures = 0;
  uint32_t TotalExclusions = 0;
  uint32_t ConsecutiveSuccesses = 0;
  uint32_t ConsecutiveFailures = 0;

  friend bool operator==(const Counts&, const Counts&) = default;
};

// operator<< prints Counts as Go's %+v does: "{Requests:1 TotalSuccesses:1 ...}".
std::ostream& operator<<(std::ostream& os, const Counts& c);

// Settings is Go's gobreaker.Settings, field for field (plus Now); fill it by
// assignment or with designated initializers, in this order. (Every field
// has a default member initializer, so g++'s -Wmissing-field-initializers stays
// quiet about the ones a designated initializer leaves out.)
struct Settings {
  // Name is the breaker's name, passed to OnStateChange.
  std::string Name{};
  // MaxRequests is how many requests may go through while half-open (0: 1).
  uint32_t MaxRequests = 0;
  // Interval is the closed state's cyclic period for clearing the counts
  // (<= 0: never cleared). With BucketPeriod, the rolling window's length.
  time::Duration Interval{};
  // BucketPeriod > 0 (with Interval > 0) makes the counts a rolling window of
  // buckets this long; Interval is rounded up to a multiple of it.
  time::Duration BucketPeriod{};
  // Timeout is how long the breaker stays open (<= 0: 60 seconds).
  time::Duration Timeout{};
  // ReadyToTrip is called with a copy of the counts after every failure in the
  // closed state; true opens the breaker. Empty: ConsecutiveFailures > 5.
  std::function<bool(const Counts&)> ReadyToTrip{};
  // OnStateChange is called after every change of state (see above: after the
  // lock is released, one at a time, in order).
  std::function<void(const std::string& name, State from, State to)> OnStateChange{};
  // IsSuccessful says whether a request's status counts as a success.
  // Empty: err.ok().
  std::function<bool(const absl::Status&)> IsSuccessful{};
  // IsExcluded says whether a request's status is left out of the counts
  // (e.g. the caller's own context::Canceled). Empty: nothing is excluded.
  std::function<bool(const absl::Status&)> IsExcluded{};
  // Now is the clock (a goro extension). Empty: time::Now.
  time::NowFunc Now{};
};

namespace internal {

class Breaker;  // lib/gobreaker/gobreaker.cc

// A request let through: the generation and bucket age it started in.
struct Ticket {
  uint64_t generation = 0;
  uint64_t age = 0;
};

std::shared_ptr<Breaker> NewBreaker(Settings st);
absl::StatusOr<Ticket> BeforeRequest(Breaker& b);
void AfterRequest(Breaker& b, Ticket t, const absl::Status& err);
// AfterException records the exception being handled (std::current_exception).
void AfterException(Breaker& b, Ticket t, std::exception_ptr e);
State GetState(Breaker& b);
Counts GetCounts(Breaker& b);
const std::string& GetName(const Breaker& b);
[[noreturn]] void NilBreaker();

// RollingCounts is gobreaker v2's rolling window: the totals plus one Counts
// per bucket, in a ring indexed by age % buckets.size().
struct RollingCounts {
  explicit RollingCounts(int64_t num_buckets);

  Counts counts;
  uint64_t age = 0;
  std::vector<Counts> buckets;

  uint64_t Index(uint64_t a) const;
  uint64_t Current() const { return Index(age); }
  uint32_t ValidRequests() const;  // Requests - TotalExclusions, at least 0
  void OnRequest();
  void OnSuccess(uint64_t a);
  void OnFailure(uint64_t a);
  void OnExclusion(uint64_t a);
  void Clear();
  void Roll();
  void Subtract(uint64_t oldest);
  void Grow(uint64_t a);
  // BucketAt(i) is the bucket i steps from the current one (negative: older).
  Counts BucketAt(int index) const;
};

// For tests: the breaker's configuration and state, read under its lock.
struct Snapshot {
  std::string name;
  uint32_t max_requests;
  time::Duration interval, bucket_period, timeout;
  bool has_on_state_change;
  State state;
  uint64_t generation;
  RollingCounts counts{0};
  time::Time start, expiry;
};
Snapshot Inspect(Breaker& b);

struct Access {
  template <class H>
  static Breaker& Of(const H& h) {
    if (h.b_ == nullptr) NilBreaker();
    return *h.b_;
  }
};

}  // namespace internal

// CircuitBreaker is Go's *gobreaker.CircuitBreaker[T]: a handle to a breaker.
template <class T>
class CircuitBreaker {
 public:
  // A default-constructed handle is nil.
  CircuitBreaker() = default;
  // CircuitBreaker(st) is NewCircuitBreaker<T>(st).
  explicit CircuitBreaker(Settings st) : b_(internal::NewBreaker(std::move(st))) {}

  // Name returns the breaker's name.
  const std::string& Name() const { return internal::GetName(B()); }
  // State returns the current state, after applying any timeout or interval
  // that has passed (which may run OnStateChange).
  gobreaker::State State() const { return internal::GetState(B()); }
  // Counts returns the counts as they are (no time-based transition).
  gobreaker::Counts Counts() const { return internal::GetCounts(B()); }

  // Execute runs req if the breaker lets the request through, records the
  // outcome and returns req's result unchanged; otherwise it returns
  // ErrOpenState or ErrTooManyRequests without calling req. req returns
  // absl::StatusOr<T> (or anything convertible to it). An exception from req
  // is recorded (a failure by default) and rethrown.
  template <class F>
  absl::StatusOr<T> Execute(F&& req) const {
    static_assert(std::is_convertible_v<std::invoke_result_t<F&>, absl::StatusOr<T>>,
                  "Execute: req must return absl::StatusOr<T> (or a T)");
    internal::Breaker& b = B();
    absl::StatusOr<internal::Ticket> t = internal::BeforeRequest(b);
    if (!t.ok()) return t.status();
    absl::StatusOr<T> result = Call(b, *t, req);
    internal::AfterRequest(b, *t, result.status());
    return result;
  }

  friend bool operator==(const CircuitBreaker& a, const CircuitBreaker& b) {
    return a.b_ == b.b_;
  }

 private:
  friend struct internal::Access;
  template <class>
  friend class TwoStepCircuitBreaker;

  template <class F>
  static absl::StatusOr<T> Call(internal::Breaker& b, internal::Ticket t, F& req) {
    try {
      return req();
    } catch (...) {
      internal::AfterException(b, t, std::current_exception());
      throw;
    }
  }
  internal::Breaker& B() const { return internal::Access::Of(*this); }

  std::shared_ptr<internal::Breaker> b_;
};

// NewCircuitBreaker returns a new breaker configured by st.
template <class T>
CircuitBreaker<T> NewCircuitBreaker(Settings st) {
  return CircuitBreaker<T>(std::move(st));
}

// DoneFunc is what TwoStepCircuitBreaker::Allow hands out: call it once with the
// request's status (OkStatus() for a success) to record the outcome.
using DoneFunc = std::function<void(const absl::Status& err)>;

// TwoStepCircuitBreaker is Go's *gobreaker.TwoStepCircuitBreaker[T]: Allow
// asks whether a request may go; the caller reports its outcome through the
// returned done callback (v2.4: done takes the request's error).
template <class T>
class TwoStepCircuitBreaker {
 public:
  TwoStepCircuitBreaker() = default;
  explicit TwoStepCircuitBreaker(Settings st) : b_(internal::NewBreaker(std::move(st))) {}

  const std::string& Name() const { return internal::GetName(B()); }
  gobreaker::State State() const { return internal::GetState(B()); }
  gobreaker::Counts Counts() const { return internal::GetCounts(B()); }

  // Allow returns ErrOpenState or ErrTooManyRequests if the breaker rejects
  // the request, else the done callback for its outcome. done is judged by
  // IsExcluded and IsSuccessful as Execute's results are; a done called after
  // the generation changed is ignored.
  absl::StatusOr<DoneFunc> Allow() const {
    internal::Breaker& b = B();
    absl::StatusOr<internal::Ticket> t = internal::BeforeRequest(b);
    if (!t.ok()) return t.status();
    return DoneFunc([bp = b_, t = *t](const absl::Status& err) {
      internal::AfterRequest(*bp, t, err);
    });
  }

  friend bool operator==(const TwoStepCircuitBreaker& a, const TwoStepCircuitBreaker& b) {
    return a.b_ == b.b_;
  }

 private:
  friend struct internal::Access;
  internal::Breaker& B() const { return internal::Access::Of(*this); }

  std::shared_ptr<internal::Breaker> b_;
};

// NewTwoStepCircuitBreaker returns a new two-step breaker configured by st.
template <class T>
TwoStepCircuitBreaker<T> NewTwoStepCircuitBreaker(Settings st) {
  return TwoStepCircuitBreaker<T>(std::move(st));
}

}  // namespace goro::gobreaker

#endif  // GORO_GOBREAKER_H_
