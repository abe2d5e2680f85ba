// test/gobreaker_test.cc: tests for goro/gobreaker.h.
//
// Part 1 ports sony/gobreaker v2's tests (v2/gobreaker_test.go,
// v2/twostep_gobreaker_test.go, v2/counter_test.go, after v2.4.0); each test
// names the Go function it ports. Where Go fakes time with pseudoSleep (moving
// the breaker's expiry and start back), goro moves an injected clock forward
// (Settings.Now): the same thing seen from the other side. Where Go holds a
// request in flight with a real sleep (100 ms, 1500 ms), goro holds it on a
// channel until the test lets it go, so nothing depends on the machine's speed.
//
// Not ported: Go's TestCountsMethods drives Counts' private helpers, which goro
// keeps in an anonymous namespace; RollingCounts' tests below cover the same
// arithmetic. The distributed breaker and its Redis tests are out of scope.
//
// Part 2 covers goro's contracts: the exact clock (transitions are strict),
// OnStateChange after the lock (it may call the breaker; callbacks are ordered
// under concurrency), exceptions, errors and their predicates, printing, nil
// handles, Interval rounding, the real clock.
//
// Goroutines never run doctest assertions: they report through channels and
// atomics, and the test body checks on the main thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "goro/gobreaker.h"
#include "goro_test.h"

namespace {

namespace gobreaker = goro::gobreaker;
namespace time = goro::time;
using gobreaker::CircuitBreaker;
using gobreaker::Counts;
using gobreaker::Settings;
using gobreaker::State;
using gobreaker::StateClosed;
using gobreaker::StateHalfOpen;
using gobreaker::StateOpen;
using gobreaker::TwoStepCircuitBreaker;
using goro::Empty;
using goro_test::PanicOf;
using goro_test::Scaled;

// Go's errFailure and errExcluded.
const absl::Status kErrFailure = absl::InternalError("fail");
const absl::Status kErrExcluded = absl::AbortedError("excluded");

// Clock is a fake clock shared by a test and the breakers it makes.
class Clock {
 public:
  time::NowFunc Now() const {
    return [ns = ns_, base = base_] { return base.Add(time::Duration(ns->load())); };
  }
  void Advance(time::Duration d) const { ns_->fetch_add(d.Nanoseconds()); }
  // PseudoSleep is Go's pseudoSleep(cb, d). Go's runs on the real clock, which
  // has always moved on by a few nanoseconds by the next call, and its tests
  // lean on that ("over Timeout" after sleeping exactly Timeout): one more
  // nanosecond stands for them.
  void PseudoSleep(time::Duration d) const { Advance(d + time::Nanosecond); }

 private:
  std::shared_ptr<std::atomic<int64_t>> ns_ = std::make_shared<std::atomic<int64_t>>(0);
  time::Time base_ = time::Unix(1700000000, 0);
};

// Go's StateChange record.
struct StateChange {
  std::string name;
  State from = StateClosed;
  State to = StateClosed;
  friend bool operator==(const StateChange&, const StateChange&) = default;
};

absl::Status Succeed(const CircuitBreaker<bool>& cb) {
  return cb.Execute([]() -> absl::StatusOr<bool> { return true; }).status();
}

// Fail returns OkStatus() when the request ran and failed as asked.
absl::Status Fail(const CircuitBreaker<bool>& cb) {
  absl::Status err = cb.Execute([]() -> absl::StatusOr<bool> { return kErrFailure; }).status();
  return err == kErrFailure ? absl::OkStatus() : err;
}

absl::Status Exclude(const CircuitBreaker<bool>& cb) {
  absl::Status err =
      cb.Execute([]() -> absl::StatusOr<bool> { return kErrExcluded; }).status();
  return err == kErrExcluded ? absl::OkStatus() : err;
}

// Held is a request held in flight (Go's succeedLater): Start runs it in a
// goroutine and returns once it is inside the breaker; Finish lets it succeed
// and returns Execute's status.
class Held {
 public:
  void Start(const CircuitBreaker<bool>& cb) {
    goro::go([cb, in = in_, release = release_, out = out_] {
      absl::Status err = cb.Execute([&]() -> absl::StatusOr<bool> {
                             in.send(Empty{});
                             release.recv();
                             return true;
                           }).status();
      out.send(err);
    });
    in_.recv();
  }
  absl::Status Finish() {
    release_.send(Empty{});
    return out_.recv();
  }

 private:
  goro::chan<Empty> in_ = goro::make_chan<Empty>();
  goro::chan<Empty> release_ = goro::make_chan<Empty>();
  goro::chan<absl::Status> out_ = goro::make_chan<absl::Status>(1);
};

CircuitBreaker<bool> NewCustom(const Clock& clock, StateChange* sc) {
  Settings st;
  st.Name = "cb";
  st.MaxRequests = 3;
  st.Interval = 30 * time::Second;
  st.Timeout = 90 * time::Second;
  st.ReadyToTrip = [](const Counts& counts) {
    uint32_t num_reqs = counts.Requests - counts.TotalExclusions;
    double failure_ratio = double(counts.TotalFailures) / double(num_reqs);
    return num_reqs >= 3 && failure_ratio >= 0.6;
  };
  if (sc != nullptr) {
    st.OnStateChange = [sc](const std::string& name, State from, State to) {
      *sc = StateChange{name, from, to};
    };
  }
  st.IsExcluded = [](const absl::Status& err) { return err == kErrExcluded; };
  st.Now = clock.Now();
  return gobreaker::NewCircuitBreaker<bool>(st);
}

CircuitBreaker<bool> NewRollingWindow(const Clock& clock, StateChange* sc) {
  Settings st;
  st.Name = "rw";
  st.MaxRequests = 3;
  st.Interval = 30 * time::Second;
  st.BucketPeriod = 3 * time::Second;
  st.Timeout = 90 * time::Second;
  st.ReadyToTrip = [](const Counts& counts) {
    uint32_t num_reqs = counts.Requests - counts.TotalExclusions;
    double failure_ratio = double(counts.TotalFailures) / double(num_reqs);
    return num_reqs >= 3 && failure_ratio >= 0.6;
  };
  if (sc != nullptr) {
    st.OnStateChange = [sc](const std::string& name, State from, State to) {
      *sc = StateChange{name, from, to};
    };
  }
  st.IsExcluded = [](const absl::Status& err) { return err == kErrExcluded; };
  st.Now = clock.Now();
  return gobreaker::NewCircuitBreaker<bool>(st);
}

template <class H>
gobreaker::internal::Snapshot Inspect(const H& h) {
  return gobreaker::internal::Inspect(gobreaker::internal::Access::Of(h));
}

template <class H>
bool ExpiryIsZero(const H& h) {
  return Inspect(h).expiry.IsZero();
}

template <class H>
Counts BucketAt(const H& h, int i) {
  return Inspect(h).counts.BucketAt(i);
}

// ---------------------------------------------------------------------------
// Part 1: ports of sony/gobreaker v2's tests.

// gobreaker_test.go TestStateConstants
TEST_CASE("Gobreaker.StateConstants") {
  CHECK(State(0) == StateClosed);
  CHECK(State(1) == StateHalfOpen);
  CHECK(State(2) == StateOpen);
  CHECK(gobreaker::String(StateClosed) == "closed");
  CHECK(gobreaker::String(StateHalfOpen) == "half-open");
  CHECK(gobreaker::String(StateOpen) == "open");
  CHECK(gobreaker::String(State(100)) == "unknown state: 100");
}

// gobreaker_test.go TestNewCircuitBreaker
TEST_CASE("Gobreaker.NewCircuitBreaker") {
  Clock clock;
  auto def = gobreaker::NewCircuitBreaker<bool>(Settings{});
  auto s = Inspect(def);
  CHECK(s.name == "");
  CHECK(s.max_requests == 1);
  CHECK(s.interval == time::Duration());
  CHECK(s.timeout == 60 * time::Second);
  CHECK_FALSE(s.has_on_state_change);
  CHECK(s.state == StateClosed);
  CHECK(def.Counts() == Counts{});
  CHECK(s.expiry.IsZero());

  StateChange sc;
  auto custom = NewCustom(clock, &sc);
  s = Inspect(custom);
  CHECK(s.name == "cb");
  CHECK(s.max_requests == 3);
  CHECK(s.interval == 30 * time::Second);
  CHECK(s.timeout == 90 * time::Second);
  CHECK(s.has_on_state_change);
  CHECK(s.state == StateClosed);
  CHECK(custom.Counts() == Counts{});
  CHECK_FALSE(s.expiry.IsZero());

  auto rolling = NewRollingWindow(clock, nullptr);
  s = Inspect(rolling);
  CHECK(s.name == "rw");
  CHECK(s.max_requests == 3);
  CHECK(s.interval == 30 * time::Second);
  CHECK(s.counts.buckets.size() == 10);
  CHECK(s.timeout == 90 * time::Second);
  CHECK_FALSE(s.has_on_state_change);
  CHECK(s.state == StateClosed);
  CHECK(rolling.Counts() == Counts{});
  CHECK(s.expiry.IsZero());

  Settings negative;
  negative.Name = "ncb";
  negative.Interval = -30 * time::Second;
  negative.Timeout = -90 * time::Second;
  auto ncb = gobreaker::NewCircuitBreaker<bool>(negative);
  s = Inspect(ncb);
  CHECK(s.name == "ncb");
  CHECK(s.max_requests == 1);
  CHECK(s.interval == time::Duration());
  CHECK(s.timeout == 60 * time::Second);
  CHECK_FALSE(s.has_on_state_change);
  CHECK(s.state == StateClosed);
  CHECK(ncb.Counts() == Counts{});
  CHECK(s.expiry.IsZero());
}

// gobreaker_test.go TestDefaultCircuitBreaker
TEST_CASE("Gobreaker.DefaultCircuitBreaker") {
  Clock clock;
  auto cb = gobreaker::NewCircuitBreaker<bool>(Settings{.Now = clock.Now()});
  CHECK(cb.Name() == "");

  for (int i = 0; i < 5; i++) CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 5, .TotalFailures = 5, .ConsecutiveFailures = 5});

  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 6, .TotalSuccesses = 1, .TotalFailures = 5,
                              .ConsecutiveSuccesses = 1});

  CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 7, .TotalSuccesses = 1, .TotalFailures = 6,
                              .ConsecutiveFailures = 1});

  // StateClosed to StateOpen
  for (int i = 0; i < 5; i++) CHECK(Fail(cb).ok());  // 6 consecutive failures
  CHECK(cb.State() == StateOpen);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));

  CHECK_FALSE(Succeed(cb).ok());
  CHECK_FALSE(Fail(cb).ok());
  CHECK(cb.Counts() == Counts{});

  clock.PseudoSleep(59 * time::Second);
  CHECK(cb.State() == StateOpen);

  // StateOpen to StateHalfOpen
  clock.PseudoSleep(2 * time::Second);  // over Timeout
  CHECK(cb.State() == StateHalfOpen);
  CHECK(ExpiryIsZero(cb));

  // StateHalfOpen to StateOpen
  CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateOpen);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));

  // StateOpen to StateHalfOpen
  clock.PseudoSleep(60 * time::Second);
  CHECK(cb.State() == StateHalfOpen);
  CHECK(ExpiryIsZero(cb));

  // StateHalfOpen to StateClosed
  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{});
  CHECK(ExpiryIsZero(cb));
}

// gobreaker_test.go TestCustomCircuitBreaker
TEST_CASE("Gobreaker.CustomCircuitBreaker") {
  Clock clock;
  StateChange sc;
  auto cb = NewCustom(clock, &sc);
  CHECK(cb.Name() == "cb");

  for (int i = 0; i < 5; i++) {
    CHECK(Succeed(cb).ok());
    CHECK(Fail(cb).ok());
    CHECK(Exclude(cb).ok());
  }
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 15, .TotalSuccesses = 5, .TotalFailures = 5,
                              .TotalExclusions = 5, .ConsecutiveFailures = 1});

  clock.PseudoSleep(29 * time::Second);
  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 16, .TotalSuccesses = 6, .TotalFailures = 5,
                              .TotalExclusions = 5, .ConsecutiveSuccesses = 1});

  clock.PseudoSleep(1 * time::Second);  // over Interval
  CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 1, .TotalFailures = 1, .ConsecutiveFailures = 1});

  // StateClosed to StateOpen
  CHECK(Succeed(cb).ok());
  CHECK(Fail(cb).ok());  // failure ratio: 2/3 >= 0.6
  CHECK(cb.State() == StateOpen);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"cb", StateClosed, StateOpen});

  // StateOpen to StateHalfOpen
  clock.PseudoSleep(90 * time::Second);
  CHECK(cb.State() == StateHalfOpen);
  CHECK(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"cb", StateOpen, StateHalfOpen});

  // Excluded requests are neutral in the half-open state: they neither count
  // towards MaxRequests once finished nor change the state.
  for (int i = 0; i < 4; i++) CHECK(Exclude(cb).ok());
  CHECK(cb.State() == StateHalfOpen);

  // Half-open to open: the first real failure re-opens the breaker.
  CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateOpen);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"cb", StateHalfOpen, StateOpen});

  // Open to half-open, after the timeout.
  clock.PseudoSleep(90 * time::Second);
  CHECK(cb.State() == StateHalfOpen);

  CHECK(Succeed(cb).ok());
  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateHalfOpen);
  CHECK(cb.Counts() == Counts{.Requests = 2, .TotalSuccesses = 2, .ConsecutiveSuccesses = 2});

  // StateHalfOpen to StateClosed
  Held held;
  held.Start(cb);  // 3 consecutive successes, once it finishes
  CHECK(cb.Counts() == Counts{.Requests = 3, .TotalSuccesses = 2, .ConsecutiveSuccesses = 2});
  absl::Status over = Succeed(cb);  // over MaxRequests
  CHECK(over == gobreaker::ErrTooManyRequests);
  CHECK(held.Finish().ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"cb", StateHalfOpen, StateClosed});
}

// gobreaker_test.go TestRollingWindowCircuitBreaker
TEST_CASE("Gobreaker.RollingWindowCircuitBreaker") {
  Clock clock;
  StateChange sc;
  auto cb = NewRollingWindow(clock, &sc);
  CHECK(cb.Name() == "rw");

  for (int i = 0; i < 5; i++) {
    CHECK(Succeed(cb).ok());
    CHECK(Fail(cb).ok());
    CHECK(Exclude(cb).ok());
  }
  const Counts first{.Requests = 15, .TotalSuccesses = 5, .TotalFailures = 5,
                     .TotalExclusions = 5, .ConsecutiveFailures = 1};
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == first);
  CHECK(Inspect(cb).counts.buckets.size() == 10);
  CHECK(BucketAt(cb, 0) == first);

  clock.PseudoSleep(3 * time::Second);
  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 16, .TotalSuccesses = 6, .TotalFailures = 5,
                              .TotalExclusions = 5, .ConsecutiveSuccesses = 1});
  CHECK(BucketAt(cb, -1) == first);
  CHECK(BucketAt(cb, 0) ==
        Counts{.Requests = 1, .TotalSuccesses = 1, .ConsecutiveSuccesses = 1});

  clock.PseudoSleep(2 * time::Second);
  CHECK(Succeed(cb).ok());
  CHECK(Exclude(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 18, .TotalSuccesses = 7, .TotalFailures = 5,
                              .TotalExclusions = 6, .ConsecutiveSuccesses = 2});
  const Counts second{.Requests = 3, .TotalSuccesses = 2, .TotalExclusions = 1,
                      .ConsecutiveSuccesses = 2};
  CHECK(BucketAt(cb, -1) == first);
  CHECK(BucketAt(cb, 0) == second);

  clock.PseudoSleep(2 * time::Second);
  uint64_t before_age = Inspect(cb).counts.age;
  CHECK(Exclude(cb).ok());
  CHECK(Inspect(cb).counts.age > before_age);  // the window rolled on
  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 20, .TotalSuccesses = 8, .TotalFailures = 5,
                              .TotalExclusions = 7, .ConsecutiveSuccesses = 3});
  const Counts third{.Requests = 2, .TotalSuccesses = 1, .TotalExclusions = 1,
                     .ConsecutiveSuccesses = 1};
  CHECK(BucketAt(cb, -2) == first);
  CHECK(BucketAt(cb, -1) == second);
  CHECK(BucketAt(cb, 0) == third);

  clock.PseudoSleep(2 * time::Second);
  CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 21, .TotalSuccesses = 8, .TotalFailures = 6,
                              .TotalExclusions = 7, .ConsecutiveFailures = 1});
  CHECK(BucketAt(cb, -3) == first);
  CHECK(BucketAt(cb, -2) == second);
  CHECK(BucketAt(cb, -1) == third);
  CHECK(BucketAt(cb, 0) == Counts{.Requests = 1, .TotalFailures = 1, .ConsecutiveFailures = 1});

  // Fill all the buckets.
  for (uint32_t i = 0; i < 6; i++) {
    clock.PseudoSleep(3 * time::Second);
    CHECK(Succeed(cb).ok());
    CHECK(Fail(cb).ok());
    CHECK(cb.Counts() == Counts{.Requests = 23 + 2 * i, .TotalSuccesses = 9 + i,
                                .TotalFailures = 7 + i, .TotalExclusions = 7,
                                .ConsecutiveFailures = 1});
  }
  CHECK(Inspect(cb).counts.buckets.size() == 10);

  // The first bucket leaves the window.
  clock.PseudoSleep(3 * time::Second);
  CHECK(Fail(cb).ok());
  CHECK(cb.Counts() == Counts{.Requests = 19, .TotalSuccesses = 9, .TotalFailures = 8,
                              .TotalExclusions = 2, .ConsecutiveFailures = 2});

  for (uint32_t i = 0; i < 5; i++) {
    CHECK(Fail(cb).ok());
    CHECK(cb.Counts() == Counts{.Requests = 20 + i, .TotalSuccesses = 9,
                                .TotalFailures = 9 + i, .TotalExclusions = 2,
                                .ConsecutiveFailures = 3 + i});
  }
  CHECK(cb.State() == StateClosed);

  CHECK(Fail(cb).ok());  // failure ratio 14/23 > 0.6
  CHECK(cb.State() == StateOpen);
  CHECK_FALSE(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"rw", StateClosed, StateOpen});

  // StateOpen to StateHalfOpen
  clock.PseudoSleep(90 * time::Second);
  CHECK(cb.State() == StateHalfOpen);
  CHECK(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"rw", StateOpen, StateHalfOpen});

  CHECK(Succeed(cb).ok());
  CHECK(Succeed(cb).ok());
  CHECK(cb.State() == StateHalfOpen);
  CHECK(cb.Counts() == Counts{.Requests = 2, .TotalSuccesses = 2, .ConsecutiveSuccesses = 2});

  // StateHalfOpen to StateClosed
  Held held;
  held.Start(cb);
  CHECK(cb.Counts() == Counts{.Requests = 3, .TotalSuccesses = 2, .ConsecutiveSuccesses = 2});
  CHECK(gobreaker::IsTooManyRequests(Succeed(cb)));  // over MaxRequests
  CHECK(held.Finish().ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{});
  CHECK(ExpiryIsZero(cb));
  CHECK(sc == StateChange{"rw", StateHalfOpen, StateClosed});
}

// gobreaker_test.go TestPanicInRequest
TEST_CASE("Gobreaker.PanicInRequest") {
  auto cb = gobreaker::NewCircuitBreaker<bool>(Settings{});
  CHECK(PanicOf([&] {
          (void)cb.Execute([]() -> absl::StatusOr<bool> { throw goro::Panic("oops"); });
        }) == "oops");
  CHECK(cb.Counts() == Counts{.Requests = 1, .TotalFailures = 1, .ConsecutiveFailures = 1});
}

// gobreaker_test.go TestGeneration
TEST_CASE("Gobreaker.Generation") {
  Clock clock;
  auto cb = NewCustom(clock, nullptr);
  clock.PseudoSleep(29 * time::Second);
  CHECK(Succeed(cb).ok());
  Held held;
  held.Start(cb);
  clock.Advance(500 * time::Millisecond);
  CHECK(cb.Counts() == Counts{.Requests = 2, .TotalSuccesses = 1, .ConsecutiveSuccesses = 1});

  clock.Advance(500 * time::Millisecond);  // over Interval
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{});

  // The request from the previous generation has no effect on the counts.
  CHECK(held.Finish().ok());
  CHECK(cb.Counts() == Counts{});
}

// gobreaker_test.go TestCustomIsSuccessful. Go swaps the breaker's private
// predicate halfway through; goro makes a second breaker instead.
TEST_CASE("Gobreaker.CustomIsSuccessful") {
  auto cb = gobreaker::NewCircuitBreaker<bool>(
      Settings{.IsSuccessful = [](const absl::Status&) { return true; }});
  for (int i = 0; i < 5; i++) CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() ==
        Counts{.Requests = 5, .TotalSuccesses = 5, .ConsecutiveSuccesses = 5});

  auto cb2 = gobreaker::NewCircuitBreaker<bool>(
      Settings{.IsSuccessful = [](const absl::Status& err) { return err.ok(); }});
  for (int i = 0; i < 6; i++) CHECK(Fail(cb2).ok());
  CHECK(cb2.State() == StateOpen);
}

// gobreaker_test.go TestCircuitBreakerInParallel
TEST_CASE("Gobreaker.CircuitBreakerInParallel") {
  Clock clock;
  auto cb = NewCustom(clock, nullptr);
  const int num_reqs = Scaled(10000);
  const int num_routines = 10;
  auto ch = goro::make_chan<absl::Status>();
  std::atomic<uint32_t> successes{0}, excludes{0};
  for (int r = 0; r < num_routines; r++) {
    goro::go([=, &successes, &excludes] {
      for (int i = 0; i < num_reqs; i++) {
        absl::Status err;
        if (i % 2 == 0) {
          err = Succeed(cb);
          successes.fetch_add(1);
        } else {
          err = Exclude(cb);
          excludes.fetch_add(1);
        }
        ch.send(err);
      }
    });
  }
  const uint32_t total = uint32_t(num_reqs) * num_routines;
  int bad = 0;
  for (uint32_t i = 0; i < total; i++) bad += !ch.recv().ok();
  CHECK(bad == 0);
  CHECK(cb.Counts() == Counts{.Requests = total, .TotalSuccesses = successes.load(),
                              .TotalExclusions = excludes.load(),
                              .ConsecutiveSuccesses = successes.load()});
}

// gobreaker_test.go TestExcludeAndIsSuccessfulCombination
TEST_CASE("Gobreaker.IsExcludedAndIsSuccessfulCombination") {
  auto cb = gobreaker::NewCircuitBreaker<bool>(Settings{
      .IsSuccessful = [](const absl::Status& err) { return err.ok(); },
      .IsExcluded = [](const absl::Status& err) { return err == kErrExcluded; },
  });
  // An excluded error counts as neither success nor failure.
  for (int i = 0; i < 3; i++) CHECK(Exclude(cb).ok());
  CHECK(cb.Counts() == Counts{.Requests = 3, .TotalExclusions = 3});
  // OkStatus(): a success per IsSuccessful.
  for (int i = 0; i < 3; i++) CHECK(Succeed(cb).ok());
  CHECK(cb.Counts() == Counts{.Requests = 6, .TotalSuccesses = 3, .TotalExclusions = 3,
                              .ConsecutiveSuccesses = 3});
  // Another error: a failure per IsSuccessful.
  for (int i = 0; i < 2; i++) CHECK(Fail(cb).ok());
  CHECK(cb.Counts() == Counts{.Requests = 8, .TotalSuccesses = 3, .TotalFailures = 2,
                              .TotalExclusions = 3, .ConsecutiveFailures = 2});
}

// gobreaker_test.go TestRollingWindowCircuitBreakerInParallel
TEST_CASE("Gobreaker.RollingWindowCircuitBreakerInParallel") {
  Clock clock;
  auto cb = NewRollingWindow(clock, nullptr);
  const int num_goroutines = 12;
  const int num_requests = 100;
  auto ch = goro::make_chan<int>(num_goroutines);
  for (int g = 0; g < num_goroutines; g++) {
    goro::go([=] {
      int bad = 0;
      for (int j = 0; j < num_requests; j++) {
        absl::Status err = j % 3 == 0 ? Succeed(cb) : j % 3 == 1 ? Fail(cb) : Exclude(cb);
        bad += !err.ok();
      }
      ch.send(bad);
    });
  }
  int bad = 0;
  for (int g = 0; g < num_goroutines; g++) bad += ch.recv();
  CHECK(bad == 0);
  // Each goroutine: 34 successes, 33 failures, 33 exclusions; never tripped.
  Counts c = cb.Counts();
  CHECK(c.Requests == 1200);
  CHECK(c.TotalSuccesses == 12 * 34);
  CHECK(c.TotalFailures == 12 * 33);
  CHECK(c.TotalExclusions == 12 * 33);
}

// twostep_gobreaker_test.go helpers.
absl::Status Succeed2Step(const TwoStepCircuitBreaker<bool>& cb) {
  auto done = cb.Allow();
  if (!done.ok()) return done.status();
  (*done)(absl::OkStatus());
  return absl::OkStatus();
}
absl::Status Fail2Step(const TwoStepCircuitBreaker<bool>& cb) {
  auto done = cb.Allow();
  if (!done.ok()) return done.status();
  (*done)(kErrFailure);
  return absl::OkStatus();
}
absl::Status Exclude2Step(const TwoStepCircuitBreaker<bool>& cb) {
  auto done = cb.Allow();
  if (!done.ok()) return done.status();
  (*done)(kErrExcluded);
  return absl::OkStatus();
}

// twostep_gobreaker_test.go TestTwoStepCircuitBreaker. Go's excluded requests
// whose done comes 100 ms later are held here until the test calls done.
TEST_CASE("Gobreaker.TwoStepCircuitBreaker") {
  Clock clock;
  auto cb = gobreaker::NewTwoStepCircuitBreaker<bool>(Settings{
      .Name = "tscb",
      .MaxRequests = 2,
      .IsExcluded = [](const absl::Status& err) { return err == kErrExcluded; },
      .Now = clock.Now(),
  });
  CHECK(cb.Name() == "tscb");

  for (int i = 0; i < 5; i++) CHECK(Fail2Step(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 5, .TotalFailures = 5, .ConsecutiveFailures = 5});

  CHECK(Succeed2Step(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 6, .TotalSuccesses = 1, .TotalFailures = 5,
                              .ConsecutiveSuccesses = 1});

  CHECK(Fail2Step(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 7, .TotalSuccesses = 1, .TotalFailures = 6,
                              .ConsecutiveFailures = 1});

  // StateClosed to StateOpen
  for (int i = 0; i < 5; i++) CHECK(Fail2Step(cb).ok());  // 6 consecutive failures
  CHECK(cb.State() == StateOpen);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));

  CHECK(gobreaker::IsOpenState(Succeed2Step(cb)));
  CHECK(gobreaker::IsOpenState(Fail2Step(cb)));
  CHECK(gobreaker::IsOpenState(Exclude2Step(cb)));
  CHECK(cb.Counts() == Counts{});

  clock.PseudoSleep(59 * time::Second);
  CHECK(cb.State() == StateOpen);

  // StateOpen to StateHalfOpen
  clock.PseudoSleep(1 * time::Second);  // over Timeout
  CHECK(cb.State() == StateHalfOpen);
  CHECK(ExpiryIsZero(cb));

  // With MaxRequests requests in flight, more get ErrTooManyRequests; once the
  // ones in flight finish as excluded, requests are let through again.
  auto d1 = cb.Allow();
  auto d2 = cb.Allow();
  REQUIRE(d1.ok());
  REQUIRE(d2.ok());
  CHECK(Fail2Step(cb) == gobreaker::ErrTooManyRequests);
  CHECK(Succeed2Step(cb) == gobreaker::ErrTooManyRequests);
  goro::go([d1 = *d1] { d1(kErrExcluded); });  // Go calls done from a goroutine
  (*d2)(kErrExcluded);
  CHECK(goro_test::Eventually([&] { return cb.Counts().TotalExclusions == 2; }));
  CHECK(Succeed2Step(cb).ok());

  // StateHalfOpen to StateOpen
  CHECK(Fail2Step(cb).ok());
  CHECK(cb.State() == StateOpen);
  CHECK(cb.Counts() == Counts{});
  CHECK_FALSE(ExpiryIsZero(cb));

  // StateOpen to StateHalfOpen
  clock.PseudoSleep(60 * time::Second);
  CHECK(cb.State() == StateHalfOpen);
  CHECK(ExpiryIsZero(cb));

  // StateHalfOpen to StateClosed
  CHECK(Succeed2Step(cb).ok());
  CHECK(Succeed2Step(cb).ok());
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{});
  CHECK(ExpiryIsZero(cb));
}

// counter_test.go TestNewRollingCounts, TestRollingCountsIndex,
// TestRollingCountsCurrent, TestEmptyRollingCounts
TEST_CASE("Gobreaker.RollingCounts.NewIndexCurrent") {
  using gobreaker::internal::RollingCounts;
  for (int64_t n : {-1, 0}) {
    RollingCounts rc(n);
    CHECK(rc.age == 0);
    CHECK(rc.buckets.empty());
    CHECK(rc.counts == Counts{});
    CHECK(rc.Index(0) == 0);
    CHECK(rc.Index(1) == 0);
    CHECK(rc.Current() == 0);
    rc.Roll();
    CHECK(rc.Current() == 0);
    rc.Subtract(0);  // no change
    CHECK(rc.BucketAt(0) == Counts{});
  }
  RollingCounts rc(5);
  CHECK(rc.age == 0);
  CHECK(rc.buckets.size() == 5);
  for (const Counts& b : rc.buckets) CHECK(b == Counts{});
  for (uint64_t i = 0; i < 7; i++) CHECK(rc.Index(i) == i % 5);
  for (uint64_t i = 0; i < 7; i++) {
    CHECK(rc.Current() == i % 5);
    rc.Roll();
  }
}

// counter_test.go TestRollingCountsMethods
TEST_CASE("Gobreaker.RollingCounts.Methods") {
  gobreaker::internal::RollingCounts rc(2);
  auto b = [&](uint64_t a) { return rc.buckets[rc.Index(a)]; };
  rc.OnRequest();
  CHECK(rc.counts == Counts{.Requests = 1});
  CHECK(b(0) == Counts{.Requests = 1});
  rc.OnSuccess(0);
  CHECK(rc.counts == Counts{.Requests = 1, .TotalSuccesses = 1, .ConsecutiveSuccesses = 1});
  rc.OnRequest();
  rc.OnFailure(0);
  CHECK(rc.counts == Counts{.Requests = 2, .TotalSuccesses = 1, .TotalFailures = 1,
                            .ConsecutiveFailures = 1});
  rc.OnRequest();
  rc.OnSuccess(0);
  rc.OnRequest();
  rc.OnExclusion(0);
  const Counts all{.Requests = 4, .TotalSuccesses = 2, .TotalFailures = 1,
                   .TotalExclusions = 1, .ConsecutiveSuccesses = 1};
  CHECK(rc.counts == all);
  CHECK(b(0) == all);
  CHECK(b(1) == Counts{});

  rc.Roll();
  CHECK(rc.age == 1);
  CHECK(rc.counts == all);
  CHECK(b(0) == all);
  CHECK(b(1) == Counts{});

  rc.OnRequest();
  rc.OnSuccess(1);
  CHECK(rc.counts == Counts{.Requests = 5, .TotalSuccesses = 3, .TotalFailures = 1,
                            .TotalExclusions = 1, .ConsecutiveSuccesses = 2});
  CHECK(b(1) == Counts{.Requests = 1, .TotalSuccesses = 1, .ConsecutiveSuccesses = 1});

  // The streak of 2 reaches back into the dropped bucket: shortened by its 1.
  rc.Roll();
  CHECK(rc.age == 2);
  CHECK(rc.counts == Counts{.Requests = 1, .TotalSuccesses = 1, .ConsecutiveSuccesses = 1});
  CHECK(b(0) == Counts{});
  CHECK(b(1) == Counts{.Requests = 1, .TotalSuccesses = 1, .ConsecutiveSuccesses = 1});

  rc.Clear();
  CHECK(rc.age == 0);
  CHECK(rc.counts == Counts{});
  CHECK(b(0) == Counts{});
  CHECK(b(1) == Counts{});
}

// counter_test.go TestRollingCountsGrow
TEST_CASE("Gobreaker.RollingCounts.Grow") {
  gobreaker::internal::RollingCounts rc(2);
  auto three = [&](uint64_t a) {
    rc.OnRequest();
    rc.OnSuccess(a);
    rc.OnRequest();
    rc.OnFailure(a);
    rc.OnRequest();
    rc.OnExclusion(a);
  };
  three(0);
  const Counts mixed{.Requests = 3, .TotalSuccesses = 1, .TotalFailures = 1,
                     .TotalExclusions = 1, .ConsecutiveFailures = 1};
  rc.Grow(0);  // no change
  CHECK(rc.age == 0);
  CHECK(rc.counts == mixed);
  CHECK(rc.BucketAt(0) == mixed);
  CHECK(rc.BucketAt(1) == Counts{});

  rc.Grow(1);
  CHECK(rc.age == 1);
  CHECK(rc.counts == mixed);
  CHECK(rc.BucketAt(0) == Counts{});
  CHECK(rc.BucketAt(1) == mixed);

  rc.Grow(0);  // no change
  CHECK(rc.age == 1);
  CHECK(rc.counts == mixed);

  rc.Grow(2);
  CHECK(rc.age == 2);
  CHECK(rc.counts == Counts{});
  CHECK(rc.BucketAt(0) == Counts{});
  CHECK(rc.BucketAt(1) == Counts{});

  three(0);  // age 0 has left the window: only the requests count
  CHECK(rc.counts == Counts{.Requests = 3});
  CHECK(rc.BucketAt(0) == Counts{.Requests = 3});
  three(3);  // an age from the future: ignored too
  CHECK(rc.counts == Counts{.Requests = 6});
  three(1);  // the previous bucket, still in the window
  CHECK(rc.counts == Counts{.Requests = 9, .TotalSuccesses = 1, .TotalFailures = 1,
                            .TotalExclusions = 1, .ConsecutiveFailures = 1});
  CHECK(rc.BucketAt(0) == Counts{.Requests = 9});
  CHECK(rc.BucketAt(1) == Counts{.TotalSuccesses = 1, .TotalFailures = 1,
                                 .TotalExclusions = 1, .ConsecutiveFailures = 1});
  three(2);
  CHECK(rc.counts == Counts{.Requests = 12, .TotalSuccesses = 2, .TotalFailures = 2,
                            .TotalExclusions = 2, .ConsecutiveFailures = 1});
  CHECK(rc.BucketAt(0) == Counts{.Requests = 12, .TotalSuccesses = 1, .TotalFailures = 1,
                                 .TotalExclusions = 1, .ConsecutiveFailures = 1});

  rc.Grow(4);
  CHECK(rc.age == 4);
  CHECK(rc.counts == Counts{});
  CHECK(rc.BucketAt(0) == Counts{});
  CHECK(rc.BucketAt(1) == Counts{});
}

// counter_test.go TestRollingCountsBucketAt
TEST_CASE("Gobreaker.RollingCounts.BucketAt") {
  gobreaker::internal::RollingCounts rc(2);
  rc.OnRequest();
  rc.OnFailure(0);
  rc.OnRequest();
  CHECK(rc.BucketAt(2) == Counts{.Requests = 2, .TotalFailures = 1, .ConsecutiveFailures = 1});
  CHECK(rc.BucketAt(3) == Counts{});
  rc.OnSuccess(0);
  const Counts two{.Requests = 2, .TotalSuccesses = 1, .TotalFailures = 1,
                   .ConsecutiveSuccesses = 1};
  CHECK(rc.BucketAt(-2) == two);
  CHECK(rc.BucketAt(-3) == Counts{});
  rc.OnRequest();
  rc.OnFailure(0);
  const Counts old{.Requests = 3, .TotalSuccesses = 1, .TotalFailures = 2,
                   .ConsecutiveFailures = 1};
  CHECK(rc.BucketAt(0) == old);

  rc.Roll();
  CHECK(rc.age == 1);
  CHECK(rc.counts == old);
  CHECK(rc.BucketAt(0) == Counts{});
  CHECK(rc.BucketAt(1) == old);

  rc.OnRequest();
  rc.OnFailure(1);
  CHECK(rc.counts == Counts{.Requests = 4, .TotalSuccesses = 1, .TotalFailures = 3,
                            .ConsecutiveFailures = 2});
  rc.OnRequest();
  rc.OnExclusion(0);
  CHECK(rc.counts == Counts{.Requests = 5, .TotalSuccesses = 1, .TotalFailures = 3,
                            .TotalExclusions = 1, .ConsecutiveFailures = 2});
  CHECK(rc.BucketAt(0) == Counts{.Requests = 2, .TotalFailures = 1, .ConsecutiveFailures = 1});
  CHECK(rc.BucketAt(1) == Counts{.Requests = 3, .TotalSuccesses = 1, .TotalFailures = 2,
                                 .TotalExclusions = 1, .ConsecutiveFailures = 1});

  // The failure streak (2) reaches back into the dropped bucket: shortened by 1.
  rc.Roll();
  CHECK(rc.age == 2);
  CHECK(rc.counts == Counts{.Requests = 2, .TotalFailures = 1, .ConsecutiveFailures = 1});
  CHECK(rc.BucketAt(0) == Counts{});
  CHECK(rc.BucketAt(1) == Counts{.Requests = 2, .TotalFailures = 1, .ConsecutiveFailures = 1});
}

// ---------------------------------------------------------------------------
// Part 2: goro's contracts.

TEST_CASE("Gobreaker.Clock.TransitionsAreStrict") {
  Clock clock;
  auto cb = gobreaker::NewCircuitBreaker<bool>(
      Settings{.Interval = 10 * time::Second, .Timeout = 5 * time::Second, .Now = clock.Now()});
  CHECK(Fail(cb).ok());
  clock.Advance(10 * time::Second);  // exactly Interval: not over yet
  CHECK(cb.Counts().TotalFailures == 1);
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts().TotalFailures == 1);
  clock.Advance(time::Nanosecond);  // over Interval: a new generation
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{});

  for (int i = 0; i < 6; i++) CHECK(Fail(cb).ok());
  CHECK(cb.State() == StateOpen);
  clock.Advance(5 * time::Second);  // exactly Timeout: still open
  CHECK(cb.State() == StateOpen);
  CHECK(Succeed(cb) == gobreaker::ErrOpenState);
  clock.Advance(time::Nanosecond);
  CHECK(cb.State() == StateHalfOpen);
}

TEST_CASE("Gobreaker.Settings.IntervalRoundedToBuckets") {
  Clock clock;
  auto s = Inspect(gobreaker::NewCircuitBreaker<int>(Settings{
      .Interval = 10 * time::Second, .BucketPeriod = 3 * time::Second, .Now = clock.Now()}));
  CHECK(s.interval == 12 * time::Second);
  CHECK(s.bucket_period == 3 * time::Second);
  CHECK(s.counts.buckets.size() == 4);
  CHECK(s.expiry.IsZero());

  // BucketPeriod == Interval: one bucket, the fixed window.
  s = Inspect(gobreaker::NewCircuitBreaker<int>(Settings{
      .Interval = 3 * time::Second, .BucketPeriod = 3 * time::Second, .Now = clock.Now()}));
  CHECK(s.counts.buckets.size() == 1);
  CHECK_FALSE(s.expiry.IsZero());

  // BucketPeriod without Interval: no window, counts never cleared.
  s = Inspect(gobreaker::NewCircuitBreaker<int>(
      Settings{.BucketPeriod = 3 * time::Second, .Now = clock.Now()}));
  CHECK(s.interval == time::Duration());
  CHECK(s.counts.buckets.size() == 1);
  CHECK(s.expiry.IsZero());
}

TEST_CASE("Gobreaker.RollingWindow.OldResultsLeaveWithTheirBucket") {
  Clock clock;
  auto cb = gobreaker::NewCircuitBreaker<bool>(Settings{
      .Interval = 2 * time::Second, .BucketPeriod = time::Second, .Now = clock.Now()});
  Held held;
  held.Start(cb);  // starts in bucket age 0
  CHECK(Fail(cb).ok());
  clock.Advance(time::Second);
  CHECK(Fail(cb).ok());
  CHECK(cb.Counts() == Counts{.Requests = 3, .TotalFailures = 2, .ConsecutiveFailures = 2});
  clock.Advance(time::Second);  // age 2: bucket 0 leaves the window
  CHECK(cb.State() == StateClosed);
  CHECK(cb.Counts() == Counts{.Requests = 1, .TotalFailures = 1, .ConsecutiveFailures = 1});
  CHECK(held.Finish().ok());  // its bucket is gone: not counted
  CHECK(cb.Counts() == Counts{.Requests = 1, .TotalFailures = 1, .ConsecutiveFailures = 1});
}

TEST_CASE("Gobreaker.OnStateChange.MayCallTheBreaker") {
  // In gobreaker this deadlocks (issue #37): the callback runs under the mutex.
  Clock clock;
  struct Seen {
    std::vector<std::string> log;
  };
  auto seen = std::make_shared<Seen>();
  auto holder = std::make_shared<CircuitBreaker<int>>();
  auto cb = gobreaker::NewCircuitBreaker<int>(Settings{
      .Name = "reentrant",
      .Timeout = time::Second,
      .OnStateChange =
          [seen, holder](const std::string& name, State from, State to) {
            const CircuitBreaker<int>& self = *holder;
            std::ostringstream os;
            os << name << ": " << from << " -> " << to << ", State() = " << self.State()
               << ", Counts() = " << self.Counts().Requests;
            if (to == StateHalfOpen) {
              // A probe from inside the callback: it closes the breaker, whose
              // own callback is queued and runs after this one returns.
              auto r = self.Execute([]() -> absl::StatusOr<int> { return 7; });
              os << ", probe = " << (r.ok() ? *r : -1);
            }
            seen->log.push_back(os.str());
          },
      .Now = clock.Now(),
  });
  *holder = cb;
  for (int i = 0; i < 6; i++) {
    (void)cb.Execute([]() -> absl::StatusOr<int> { return kErrFailure; });
  }
  clock.Advance(2 * time::Second);
  // State() saw the timeout pass: half-open. Its callback ran before State()
  // returned (this goroutine delivered it), and its probe closed the breaker.
  CHECK(cb.State() == StateHalfOpen);
  CHECK(cb.State() == StateClosed);
  REQUIRE(seen->log.size() == 3);
  CHECK(seen->log[0] == "reentrant: closed -> open, State() = open, Counts() = 0");
  CHECK(seen->log[1] == "reentrant: open -> half-open, State() = half-open, Counts() = 0, "
                        "probe = 7");
  CHECK(seen->log[2] == "reentrant: half-open -> closed, State() = closed, Counts() = 0");
  *holder = CircuitBreaker<int>();  // break the cycle cb -> callback -> holder -> cb
}

TEST_CASE("Gobreaker.OnStateChange.OrderedUnderConcurrency") {
  // Many goroutines drive one breaker through its states on a moving clock.
  // Callbacks never overlap, and each starts where the previous one ended.
  Clock clock;
  struct Log {
    std::atomic<int> inside{0};
    std::atomic<bool> overlap{false};
    std::vector<std::pair<State, State>> seen;  // written by one callback at a time
  };
  auto log = std::make_shared<Log>();
  auto cb = gobreaker::NewCircuitBreaker<int>(Settings{
      .MaxRequests = 2,
      .Timeout = time::Millisecond,
      .ReadyToTrip = [](const Counts& c) { return c.ConsecutiveFailures >= 2; },
      .OnStateChange =
          [log](const std::string&, State from, State to) {
            if (log->inside.fetch_add(1) != 0) log->overlap = true;
            log->seen.emplace_back(from, to);
            log->inside.fetch_sub(1);
          },
      .Now = clock.Now(),
  });
  const int workers = 8;
  const int per = Scaled(3000);
  auto done = goro::make_chan<Empty>(workers);
  for (int w = 0; w < workers; w++) {
    goro::go([=] {
      for (int i = 0; i < per; i++) {
        clock.Advance(100 * time::Microsecond);
        bool ok = (i / 5 + w) % 2 == 0;  // runs of 5 failures and 5 successes
        (void)cb.Execute([ok]() -> absl::StatusOr<int> {
          if (ok) return 1;
          return kErrFailure;
        });
      }
      done.send(Empty{});
    });
  }
  for (int w = 0; w < workers; w++) done.recv();
  CHECK_FALSE(log->overlap.load());
  CHECK(log->seen.size() >= 3);
  REQUIRE_FALSE(log->seen.empty());
  CHECK(log->seen.front().first == StateClosed);
  int breaks = 0;
  for (std::size_t i = 1; i < log->seen.size(); i++) breaks += log->seen[i].first != log->seen[i - 1].second;
  CHECK(breaks == 0);
  CHECK(log->seen.back().second == cb.State());
}

TEST_CASE("Gobreaker.Exception.RethrownAndJudged") {
  // Any exception counts (a failure by default) and comes back unchanged.
  auto cb = gobreaker::NewCircuitBreaker<int>(Settings{});
  CHECK_THROWS_AS((void)cb.Execute([]() -> absl::StatusOr<int> { throw std::runtime_error("boom"); }),
                  std::runtime_error);
  CHECK_THROWS_AS((void)cb.Execute([]() -> absl::StatusOr<int> { throw 42; }), int);
  CHECK(cb.Counts() == Counts{.Requests = 2, .TotalFailures = 2, .ConsecutiveFailures = 2});

  // v2.4: the exception is judged as UnknownError(what()) by IsExcluded.
  std::vector<absl::Status> judged;
  auto cb2 = gobreaker::NewCircuitBreaker<int>(Settings{
      .IsExcluded =
          [&judged](const absl::Status& err) {
            judged.push_back(err);
            return err.message() == "ignore me";
          },
  });
  CHECK(PanicOf([&] {
          (void)cb2.Execute([]() -> absl::StatusOr<int> { throw goro::Panic("ignore me"); });
        }) == "ignore me");
  CHECK_THROWS_AS((void)cb2.Execute([]() -> absl::StatusOr<int> { throw 1; }), int);
  CHECK(cb2.Counts() == Counts{.Requests = 2, .TotalFailures = 1, .TotalExclusions = 1,
                               .ConsecutiveFailures = 1});
  REQUIRE(judged.size() == 2);
  CHECK(judged[0] == absl::UnknownError("ignore me"));
  CHECK(judged[1] == absl::UnknownError("unknown exception"));
}

TEST_CASE("Gobreaker.Execute.Results") {
  auto cb = gobreaker::NewCircuitBreaker<std::unique_ptr<int>>(Settings{});
  // A move-only T, returned as a plain T.
  auto r = cb.Execute([] { return std::make_unique<int>(5); });
  REQUIRE(r.ok());
  CHECK(**r == 5);
  // An error comes back unchanged.
  auto e = cb.Execute([]() -> absl::StatusOr<std::unique_ptr<int>> {
    return absl::NotFoundError("no such key");
  });
  CHECK(e.status() == absl::NotFoundError("no such key"));
  // Rejected: f is not called.
  Clock clock;
  auto open = gobreaker::NewCircuitBreaker<int>(
      Settings{.ReadyToTrip = [](const Counts&) { return true; }, .Now = clock.Now()});
  (void)open.Execute([]() -> absl::StatusOr<int> { return kErrFailure; });
  bool called = false;
  auto rejected = open.Execute([&]() -> absl::StatusOr<int> {
    called = true;
    return 1;
  });
  CHECK_FALSE(called);
  CHECK(rejected.status() == gobreaker::ErrOpenState);
}

TEST_CASE("Gobreaker.Errors") {
  CHECK(gobreaker::ErrOpenState.message() == "circuit breaker is open");
  CHECK(gobreaker::ErrOpenState.code() == absl::StatusCode::kUnavailable);
  CHECK(gobreaker::ErrTooManyRequests.message() == "too many requests");
  CHECK(gobreaker::ErrTooManyRequests.code() == absl::StatusCode::kResourceExhausted);
  CHECK(gobreaker::IsOpenState(gobreaker::ErrOpenState));
  CHECK(gobreaker::IsOpenState(absl::UnavailableError("inventory: circuit breaker is open")));
  CHECK_FALSE(gobreaker::IsOpenState(absl::InternalError("circuit breaker is open")));
  CHECK_FALSE(gobreaker::IsOpenState(gobreaker::ErrTooManyRequests));
  CHECK_FALSE(gobreaker::IsOpenState(absl::OkStatus()));
  CHECK(gobreaker::IsTooManyRequests(gobreaker::ErrTooManyRequests));
  CHECK(gobreaker::IsTooManyRequests(absl::ResourceExhaustedError("get: too many requests")));
  CHECK_FALSE(gobreaker::IsTooManyRequests(absl::ResourceExhaustedError("xtoo many requests")));
}

TEST_CASE("Gobreaker.Printing") {
  std::ostringstream os;
  os << StateClosed << " " << StateHalfOpen << " " << StateOpen << " " << State(-1);
  CHECK(os.str() == "closed half-open open unknown state: -1");
  std::ostringstream cs;
  cs << Counts{1, 2, 3, 4, 5, 6};
  CHECK(cs.str() ==
        "{Requests:1 TotalSuccesses:2 TotalFailures:3 TotalExclusions:4 "
        "ConsecutiveSuccesses:5 ConsecutiveFailures:6}");
}

TEST_CASE("Gobreaker.Handles") {
  auto a = gobreaker::NewCircuitBreaker<int>(Settings{.Name = "shared"});
  CircuitBreaker<int> b = a;  // copies share one breaker
  CHECK(a == b);
  (void)b.Execute([]() -> absl::StatusOr<int> { return 1; });
  CHECK(a.Counts().Requests == 1);
  CHECK_FALSE(a == gobreaker::NewCircuitBreaker<int>(Settings{.Name = "shared"}));

  const std::string nil = "runtime error: invalid memory address or nil pointer dereference";
  CircuitBreaker<int> n;
  CHECK(PanicOf([&] { (void)n.State(); }) == nil);
  CHECK(PanicOf([&] { (void)n.Execute([] { return 1; }); }) == nil);
  TwoStepCircuitBreaker<int> t;
  CHECK(PanicOf([&] { (void)t.Allow(); }) == nil);
  CHECK(PanicOf([&] { (void)t.Name(); }) == nil);
}

TEST_CASE("Gobreaker.TwoStep.StaleDoneIgnored") {
  Clock clock;
  auto cb = gobreaker::NewTwoStepCircuitBreaker<int>(
      Settings{.Interval = time::Second, .Now = clock.Now()});
  auto done = cb.Allow();
  REQUIRE(done.ok());
  clock.Advance(2 * time::Second);  // a new generation
  (*done)(kErrFailure);
  CHECK(cb.Counts() == Counts{});
}

TEST_CASE("Gobreaker.RealClock") {
  // No Now: the real clock. The breaker opens, and half-opens after Timeout.
  auto cb = gobreaker::NewCircuitBreaker<int>(Settings{
      .Timeout = 20 * time::Millisecond,
      .ReadyToTrip = [](const Counts& c) { return c.ConsecutiveFailures >= 1; },
  });
  (void)cb.Execute([]() -> absl::StatusOr<int> { return kErrFailure; });
  CHECK(cb.State() == StateOpen);
  CHECK(goro_test::Eventually([&] { return cb.State() == StateHalfOpen; }));
}

}  // namespace
