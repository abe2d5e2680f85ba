// goro/time.h: Go's time package: Duration, Time, Sleep, timers and tickers.
//
// Mirrors Go's `time` with Go 1.23 timer semantics:
//
//   using namespace goro;
//   time::Duration d = 1500 * time::Millisecond;
//   std::cout << d << "\n";                         // 1.5s, as Go prints it
//   time::Sleep(10 * time::Millisecond);            // hands the slot on
//   select(case_recv(c, [](int v) { /* ... */ }),
//          case_recv(time::After(time::Second), [] { /* timed out */ }));
//   auto t = time::NewTicker(100 * time::Millisecond);
//   for (int i = 0; i < 3; i++) t.C.recv();         // three ticks
//   t.Stop();
//
// Duration is an int64 count of nanoseconds, as Go's: constants Nanosecond ...
// Hour, `n * d`, `d * n`, `d / n`, `d1 + d2`, comparisons, String() in Go's
// format ("1.5s", "1m30s", "2h0m0s", "0s", "1µs"), ParseDuration with Go's errors,
// and implicit conversion from any std::chrono::duration (to() converts back).
// Integer overflow wraps as in Go; division by zero throws
// goro::Panic("runtime error: integer divide by zero").
//
// Time is a wall-clock instant with a monotonic reading when it came from Now():
// Sub, Before, After and Equal use the monotonic readings when both have one,
// so measuring elapsed time is immune to clock changes, as in Go.
//
// Timers (Go 1.23 semantics):
// - NewTimer(d) sends the current time on t.C once, after at least d; After(d)
//   is NewTimer(d).C. Tick(d) and NewTicker(d) send every d; a slow receiver
//   gets ticks dropped, never queued.
// - After Stop or Reset returns, no receive on t.C sees a value from before the
//   call (no stale value: the `if (!t.Stop()) t.C.recv()` idiom is unneeded).
//   Stop and Reset return true when the timer was pending: not yet fired, or
//   fired with its value not yet received. len and cap of t.C are 0, as in Go.
// - AfterFunc(d, f) runs f in its own goroutine after d; its Timer has a nil C.
//   Stop returns false once f has started and does not wait for it.
// - A timer or ticker whose handles (and channel) are all gone is released
//   without Stop, as Go 1.23 collects them: `case_recv(time::After(time::Hour))`
//   in a loop leaks nothing. AfterFunc timers run even when unreferenced.
// - One timer thread serves every timer. It never runs user code: it sends on
//   channels without blocking, starts AfterFunc's f with go(), and cancels
//   contexts whose deadline passed (goro's own code; see goro/context.h).
//
// Blocking: Sleep and receives on timer channels are goro blocking primitives:
// the worker's slot is handed on while they wait.
//
// Thread safety: Duration and Time are values. Timer and Ticker are handles that
// share one timer (as Go's *Timer); every method may be called from any
// goroutine at once.
//
// Memory ordering: a timer's send on C happens before the receive that gets it
// (channel rules); the call to AfterFunc (or Reset) happens before f starts;
// Stop and Reset are ordered with the timer thread by one mutex, so once they
// return, the old setting can neither fire nor be received.
//
// Misuse (Go's panics): Stop or Reset on a default-constructed Timer
// ("time: Stop called on uninitialized Timer", "time: Reset called on
// uninitialized Timer"); NewTicker(d <= 0) ("non-positive interval for
// NewTicker"); Ticker::Reset(d <= 0) ("non-positive interval for Ticker.Reset");
// Reset on a default-constructed Ticker ("time: Reset called on uninitialized
// Ticker"). Tick(d <= 0) returns a nil channel, as in Go.
#ifndef GORO_TIME_H_
#define GORO_TIME_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "goro/chan.h"

namespace goro::time {

namespace internal {
[[noreturn]] void DivideByZero();
constexpr int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }
}  // namespace internal

// Duration is Go's time.Duration: a signed count of nanoseconds.
class Duration {
 public:
  constexpr Duration() = default;
  // Duration(n) is Go's time.Duration(n): n nanoseconds. A floating-point n is
  // truncated toward zero, as Go's conversion does.
  template <class N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
  constexpr explicit Duration(N n) : ns_(static_cast<int64_t>(n)) {}
  // From any std::chrono duration (truncated to nanoseconds).
  template <class Rep, class Period>
  constexpr Duration(std::chrono::duration<Rep, Period> d)  // NOLINT: implicit
      : ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) {}

  constexpr int64_t Nanoseconds() const { return ns_; }
  constexpr int64_t Microseconds() const { return ns_ / 1000; }
  constexpr int64_t Milliseconds() const { return ns_ / 1000000; }
  double Seconds() const;
  double Minutes() const;
  double Hours() const;
  // String formats as Go: "72h3m0.5s", "1.5s", "1m30s", "300ms", "-1.5µs", "0s".
  std::string String() const;
  // Truncate, Round and Abs as Go's (Round halves away from zero; both saturate).
  Duration Truncate(Duration m) const;
  Duration Round(Duration m) const;
  Duration Abs() const;

  // std::chrono interop: d.to<std::chrono::milliseconds>() (truncates), or the
  // implicit conversion to std::chrono::nanoseconds.
  template <class ChronoDuration = std::chrono::nanoseconds>
  constexpr ChronoDuration to() const {
    return std::chrono::duration_cast<ChronoDuration>(std::chrono::nanoseconds(ns_));
  }
  constexpr operator std::chrono::nanoseconds() const {  // NOLINT: implicit
    return std::chrono::nanoseconds(ns_);
  }
  constexpr explicit operator int64_t() const { return ns_; }

  // Arithmetic wraps on overflow, as Go's int64 does.
  friend constexpr Duration operator+(Duration a, Duration b) {
    return FromNs(internal::Wrap(static_cast<uint64_t>(a.ns_) + static_cast<uint64_t>(b.ns_)));
  }
  friend constexpr Duration operator-(Duration a, Duration b) {
    return FromNs(internal::Wrap(static_cast<uint64_t>(a.ns_) - static_cast<uint64_t>(b.ns_)));
  }
  constexpr Duration operator-() const { return Duration() - *this; }
  constexpr Duration operator+() const { return *this; }
  // Go multiplies Durations as int64s: time.Duration(n) * time.Millisecond.
  friend constexpr Duration operator*(Duration a, Duration b) {
    return FromNs(internal::Wrap(static_cast<uint64_t>(a.ns_) * static_cast<uint64_t>(b.ns_)));
  }
  template <class N, std::enable_if_t<std::is_integral_v<N>, int> = 0>
  friend constexpr Duration operator*(N n, Duration d) {
    return Duration(n) * d;
  }
  template <class N, std::enable_if_t<std::is_integral_v<N>, int> = 0>
  friend constexpr Duration operator*(Duration d, N n) {
    return d * Duration(n);
  }
  // Go divides Durations as int64s: d / time.Millisecond is a Duration count.
  friend constexpr Duration operator/(Duration a, Duration b) {
    if (b.ns_ == 0) internal::DivideByZero();
    if (b.ns_ == -1) return -a;  // Go: MinInt64 / -1 wraps to MinInt64
    return FromNs(a.ns_ / b.ns_);
  }
  template <class N, std::enable_if_t<std::is_integral_v<N>, int> = 0>
  friend constexpr Duration operator/(Duration d, N n) {
    return d / Duration(n);
  }
  friend constexpr Duration operator%(Duration a, Duration b) {
    if (b.ns_ == 0) internal::DivideByZero();
    if (b.ns_ == -1) return Duration();
    return FromNs(a.ns_ % b.ns_);
  }
  template <class N, std::enable_if_t<std::is_integral_v<N>, int> = 0>
  friend constexpr Duration operator%(Duration d, N n) {
    return d % Duration(n);
  }
  constexpr Duration& operator+=(Duration b) { return *this = *this + b; }
  constexpr Duration& operator-=(Duration b) { return *this = *this - b; }
  constexpr Duration& operator*=(Duration b) { return *this = *this * b; }
  constexpr Duration& operator/=(Duration b) { return *this = *this / b; }
  constexpr Duration& operator%=(Duration b) { return *this = *this % b; }
  friend constexpr auto operator<=>(Duration, Duration) = default;
  friend constexpr bool operator==(Duration, Duration) = default;

 private:
  static constexpr Duration FromNs(int64_t ns) {
    Duration d;
    d.ns_ = ns;
    return d;
  }
  int64_t ns_ = 0;
};

std::ostream& operator<<(std::ostream& os, Duration d);

inline constexpr Duration Nanosecond{1};
inline constexpr Duration Microsecond = 1000 * Nanosecond;
inline constexpr Duration Millisecond = 1000 * Microsecond;
inline constexpr Duration Second = 1000 * Millisecond;
inline constexpr Duration Minute = 60 * Second;
inline constexpr Duration Hour = 60 * Minute;

// ParseDuration parses Go's duration syntax: a sign and a sequence of decimal
// numbers with optional fraction and a unit ("300ms", "-1.5h", "2h45m"); units
// are "ns", "us" ("µs", "μs"), "ms", "s", "m", "h". Errors carry Go's texts,
// e.g. `time: invalid duration "1.5"`, `time: missing unit in duration "1"`,
// `time: unknown unit "d" in duration "1d"` (kInvalidArgument).
absl::StatusOr<Duration> ParseDuration(std::string_view s);

// Time is an instant: wall-clock seconds and nanoseconds since the Unix epoch,
// plus a monotonic clock reading when it came from Now(). The zero Time is
// Go's January 1, year 1, 00:00:00 UTC (IsZero()).
class Time {
 public:
  constexpr Time() = default;

  Time Add(Duration d) const;
  // Sub returns t-u, saturating at the largest and smallest Durations.
  Duration Sub(Time u) const;
  bool After(Time u) const;
  bool Before(Time u) const;
  bool Equal(Time u) const;
  // Compare returns -1, 0 or +1 (Go 1.20).
  int Compare(Time u) const;
  bool IsZero() const { return sec_ == kZeroSec && nsec_ == 0; }

  int64_t Unix() const { return sec_; }
  int64_t UnixMilli() const;
  int64_t UnixMicro() const;
  int64_t UnixNano() const;
  int Nanosecond() const { return nsec_; }
  // Round(0) strips the monotonic reading, as in Go; Truncate likewise for d <= 0.
  Time Round(Duration d) const;
  Time Truncate(Duration d) const;

  // String formats as Go's Time.String in the local zone:
  // "2026-11-28 09:01:02.123456789 +0000 UTC m=+0.001234567".
  std::string String() const;
  // Format with a Go layout is not provided; use the std::chrono conversion:
  std::chrono::system_clock::time_point to_system_clock() const;

  // Equality of the whole value (as Go's ==), including the monotonic reading;
  // use Equal to compare instants.
  friend bool operator==(const Time&, const Time&) = default;

 private:
  friend Time Now();
  friend Time Unix(int64_t sec, int64_t nsec);
  static constexpr int64_t kZeroSec = -62135596800;  // Jan 1, year 1 UTC
  int64_t SinceZeroMod(Duration d) const;  // (t - zero Time) mod d, for d > 0
  int64_t sec_ = kZeroSec;
  int32_t nsec_ = 0;
  bool has_mono_ = false;
  int64_t mono_ = 0;  // CLOCK_MONOTONIC nanoseconds
};

std::ostream& operator<<(std::ostream& os, const Time& t);

// Now returns the current time, with a monotonic reading.
Time Now();
// Since(t) is Now().Sub(t); Until(t) is t.Sub(Now()).
Duration Since(Time t);
Duration Until(Time t);
// Unix returns the Time of sec seconds and nsec nanoseconds after the epoch
// (nsec may be outside [0, 1e9)); UnixMilli and UnixMicro likewise.
Time Unix(int64_t sec, int64_t nsec);
Time UnixMilli(int64_t msec);
Time UnixMicro(int64_t usec);

// NowFunc is an injectable source of the current time: packages that read the
// clock (rate, gobreaker) accept one so tests can run on exact, fake time. An
// empty NowFunc means the real clock, Now.
using NowFunc = std::function<Time()>;

// Sleep pauses the calling goroutine for at least d; d <= 0 returns at once.
// A goro blocking primitive: the worker's slot is handed on meanwhile.
void Sleep(Duration d);

}  // namespace goro::time

namespace goro::time::internal {
struct TimerCore;  // lib/time/timer.h
}  // namespace goro::time::internal

namespace goro::time {

// Timer is Go's *time.Timer: a handle; copies share the timer.
class Timer {
 public:
  // A default-constructed Timer is uninitialized: Stop and Reset panic.
  Timer() = default;

  // C receives the time once the timer fires (nil for AfterFunc timers).
  recv_chan<Time> C;

  // Stop prevents the timer from firing. It returns true if the call stopped a
  // pending timer (not fired yet, or fired and its value not yet received),
  // false if it had already fired and been received, or was stopped. After Stop
  // returns, no receive on C sees a value. For AfterFunc, false means f has
  // already been started (Stop does not wait for it).
  bool Stop() const;
  // Reset changes the timer to fire after d, returning what Stop would have
  // returned. After Reset returns, no receive on C sees a value from before it.
  // For AfterFunc, f runs again after d (and may overlap an earlier run).
  bool Reset(Duration d) const;

  friend bool operator==(const Timer& a, const Timer& b) { return a.core_ == b.core_; }

 private:
  friend Timer NewTimer(Duration d);
  friend Timer AfterFunc(Duration d, std::function<void()> f);
  std::shared_ptr<internal::TimerCore> core_;
};

// Ticker is Go's *time.Ticker: a handle; copies share the ticker.
class Ticker {
 public:
  Ticker() = default;

  // C receives the time at each tick; ticks are dropped for a slow receiver.
  recv_chan<Time> C;

  // Stop turns the ticker off; C is not closed, and no tick is received after
  // Stop returns. Stop on a default-constructed Ticker does nothing (as Go).
  void Stop() const;
  // Reset stops the ticker and restarts it with period d: the next tick comes
  // d after the call. Panics "non-positive interval for Ticker.Reset" if d <= 0.
  void Reset(Duration d) const;

  friend bool operator==(const Ticker& a, const Ticker& b) { return a.core_ == b.core_; }

 private:
  friend Ticker NewTicker(Duration d);
  std::shared_ptr<internal::TimerCore> core_;
};

// NewTimer returns a timer that sends the current time on C after at least d
// (d <= 0: at once).
Timer NewTimer(Duration d);
// After(d) is NewTimer(d).C.
recv_chan<Time> After(Duration d);
// AfterFunc runs f in its own goroutine after d. The returned Timer's C is nil.
Timer AfterFunc(Duration d, std::function<void()> f);
// NewTicker returns a ticker sending every d. Panics "non-positive interval for
// NewTicker" if d <= 0.
Ticker NewTicker(Duration d);
// Tick is NewTicker(d).C, or a nil channel when d <= 0.
recv_chan<Time> Tick(Duration d);

}  // namespace goro::time

#endif  // GORO_TIME_H_
