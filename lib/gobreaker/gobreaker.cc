// lib/gobreaker/gobreaker.cc: the non-template core of goro/gobreaker.h.
//
// Breaker follows gobreaker v2.4's state machine step by step (beforeRequest,
// afterRequest, currentState, setState, toNewGeneration, and the rolling
// counts of counter.go), re-expressed here. Two things differ on purpose:
// - OnStateChange is not called under the lock. A transition is queued under
//   the lock; after unlocking, the caller delivers the queue unless another
//   thread is already delivering (that thread then delivers it next). So
//   callbacks run one at a time, in transition order, and may call the breaker.
// - IsSuccessful and IsExcluded are evaluated before the lock is taken.
#include <cstdint>
#include <deque>
#include <exception>
#include <ostream>
#include <string>
#include <utility>

#include "goro/gobreaker.h"
#include "goro/internal/status.h"
#include "goro/panic.h"
#include "runtime/futex.h"

namespace goro::gobreaker {

std::string String(State s) {
  switch (s) {
    case StateClosed:
      return "closed";
    case StateHalfOpen:
      return "half-open";
    case StateOpen:
      return "open";
  }
  return "unknown state: " + std::to_string(static_cast<int>(s));
}

std::ostream& operator<<(std::ostream& os, State s) { return os << String(s); }

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << "{Requests:" << c.Requests << " TotalSuccesses:" << c.TotalSuccesses
            << " TotalFailures:" << c.TotalFailures << " TotalExclusions:" << c.TotalExclusions
            << " ConsecutiveSuccesses:" << c.ConsecutiveSuccesses
            << " ConsecutiveFailures:" << c.ConsecutiveFailures << "}";
}

namespace {

void CountsOnSuccess(Counts& c) {
  c.TotalSuccesses++;
  c.ConsecutiveSuccesses++;
  c.ConsecutiveFailures = 0;
}

void CountsOnFailure(Counts& c) {
  c.TotalFailures++;
  c.ConsecutiveFailures++;
  c.ConsecutiveSuccesses = 0;
}

// Minus is a - b, or 0 if b >= a (gobreaker never lets a count go below 0).
uint32_t Minus(uint32_t a, uint32_t b) { return a > b ? a - b : 0; }

}  // namespace

bool IsOpenState(const absl::Status& err) {
  return goro::internal::StatusIs(err, ErrOpenState);
}
bool IsTooManyRequests(const absl::Status& err) {
  return goro::internal::StatusIs(err, ErrTooManyRequests);
}

namespace internal {

// ---- RollingCounts (gobreaker v2 counter.go) ----

RollingCounts::RollingCounts(int64_t num_buckets)
    : buckets(static_cast<std::size_t>(num_buckets < 0 ? 0 : num_buckets)) {}

uint64_t RollingCounts::Index(uint64_t a) const {
  return buckets.empty() ? 0 : a % buckets.size();
}

uint32_t RollingCounts::ValidRequests() const {
  return Minus(counts.Requests, counts.TotalExclusions);
}

void RollingCounts::OnRequest() {
  counts.Requests++;
  if (!buckets.empty()) buckets[Current()].Requests++;
}

// A result is credited to the bucket its request started in, unless that
// bucket has left the window (or the age is from the future: a clear).
void RollingCounts::OnSuccess(uint64_t a) {
  if (a > age || age - a >= buckets.size()) return;
  CountsOnSuccess(counts);
  CountsOnSuccess(buckets[Index(a)]);
}

void RollingCounts::OnFailure(uint64_t a) {
  if (a > age || age - a >= buckets.size()) return;
  CountsOnFailure(counts);
  CountsOnFailure(buckets[Index(a)]);
}

void RollingCounts::OnExclusion(uint64_t a) {
  if (a > age || age - a >= buckets.size()) return;
  counts.TotalExclusions++;
  buckets[Index(a)].TotalExclusions++;
}

void RollingCounts::Clear() {
  counts = Counts{};
  age = 0;
  for (Counts& b : buckets) b = Counts{};
}

void RollingCounts::Roll() {
  age++;
  if (buckets.empty()) return;
  uint64_t current = Current();  // the oldest bucket, leaving the window
  Subtract(current);
  buckets[current] = Counts{};
}

// Subtract takes the bucket at index oldest out of the totals. A consecutive
// streak is shortened only if it reaches back into that bucket: if it equals
// the bucket's trailing streak plus every newer bucket's total.
void RollingCounts::Subtract(uint64_t oldest) {
  const uint64_t n = buckets.size();
  if (n == 0) return;
  oldest %= n;
  const Counts& b = buckets[oldest];

  uint32_t successes = b.ConsecutiveSuccesses;
  uint32_t failures = b.ConsecutiveFailures;
  for (uint64_t i = 1; i < n; i++) {
    successes += buckets[(oldest + i) % n].TotalSuccesses;
    failures += buckets[(oldest + i) % n].TotalFailures;
  }
  if (counts.ConsecutiveSuccesses == successes) {
    counts.ConsecutiveSuccesses = Minus(counts.ConsecutiveSuccesses, b.ConsecutiveSuccesses);
  }
  if (counts.ConsecutiveFailures == failures) {
    counts.ConsecutiveFailures = Minus(counts.ConsecutiveFailures, b.ConsecutiveFailures);
  }
  counts.Requests = Minus(counts.Requests, b.Requests);
  counts.TotalSuccesses = Minus(counts.TotalSuccesses, b.TotalSuccesses);
  counts.TotalFailures = Minus(counts.TotalFailures, b.TotalFailures);
  counts.TotalExclusions = Minus(counts.TotalExclusions, b.TotalExclusions);
}

void RollingCounts::Grow(uint64_t a) {
  if (a <= age) return;
  uint64_t diff = a - age;
  if (diff >= buckets.size()) {
    Clear();
    age = a;
    return;
  }
  for (uint64_t i = 0; i < diff; i++) Roll();
}

Counts RollingCounts::BucketAt(int index) const {
  const int64_t n = static_cast<int64_t>(buckets.size());
  if (n == 0) return Counts{};
  int64_t i = ((index % n) + n) % n;
  return buckets[(Current() + static_cast<uint64_t>(i)) % static_cast<uint64_t>(n)];
}

// ---- Breaker ----

class Breaker {
 public:
  explicit Breaker(Settings st)
      : name_(std::move(st.Name)),
        max_requests_(st.MaxRequests == 0 ? 1 : st.MaxRequests),
        timeout_(st.Timeout <= time::Duration() ? 60 * time::Second : st.Timeout),
        ready_to_trip_(std::move(st.ReadyToTrip)),
        on_state_change_(std::move(st.OnStateChange)),
        is_successful_(std::move(st.IsSuccessful)),
        is_excluded_(std::move(st.IsExcluded)),
        now_(std::move(st.Now)),
        counts_(0) {
    int64_t num_buckets = 1;
    if (st.Interval <= time::Duration()) {
      interval_ = time::Duration();
      bucket_period_ = interval_;
    } else if (st.BucketPeriod <= time::Duration()) {
      interval_ = st.Interval;
      bucket_period_ = interval_;
    } else {
      // Interval rounded up to a multiple of BucketPeriod.
      int64_t q = st.Interval.Nanoseconds() / st.BucketPeriod.Nanoseconds();
      if (st.Interval.Nanoseconds() % st.BucketPeriod.Nanoseconds() != 0) q++;
      interval_ = q * st.BucketPeriod;
      bucket_period_ = st.BucketPeriod;
      num_buckets = q;
    }
    counts_ = RollingCounts(num_buckets);
    ToNewGeneration(Now());
  }

  const std::string& Name() const { return name_; }

  absl::StatusOr<Ticket> BeforeRequest() {
    absl::StatusOr<Ticket> result;
    {
      goro::internal::LockGuard g(mu_);
      time::Time now = Now();
      State state = CurrentState(now);
      if (state == StateOpen) {
        result = ErrOpenState;
      } else if (state == StateHalfOpen && counts_.ValidRequests() >= max_requests_) {
        result = ErrTooManyRequests;
      } else {
        counts_.OnRequest();
        result = Ticket{generation_, counts_.age};
      }
    }
    Deliver();
    return result;
  }

  void AfterRequest(Ticket t, const absl::Status& err) {
    // Judged outside the lock (gobreaker judges under it, after the
    // generation check; the outcome is the same).
    enum { kExcluded, kSuccess, kFailure } outcome;
    if (is_excluded_ && is_excluded_(err)) {
      outcome = kExcluded;
    } else if (is_successful_ ? is_successful_(err) : err.ok()) {
      outcome = kSuccess;
    } else {
      outcome = kFailure;
    }
    {
      goro::internal::LockGuard g(mu_);
      time::Time now = Now();
      State state = CurrentState(now);
      if (generation_ != t.generation) {
        // A result from an earlier generation: ignored.
      } else if (outcome == kExcluded) {
        counts_.OnExclusion(t.age);
      } else if (outcome == kSuccess) {
        OnSuccess(state, t.age, now);
      } else {
        OnFailure(state, t.age, now);
      }
    }
    Deliver();
  }

  State GetState() {
    State s;
    {
      goro::internal::LockGuard g(mu_);
      s = CurrentState(Now());
    }
    Deliver();
    return s;
  }

  Counts GetCounts() {
    goro::internal::LockGuard g(mu_);
    return counts_.counts;
  }

  Snapshot Inspect() {
    goro::internal::LockGuard g(mu_);
    Snapshot s{name_, max_requests_, interval_, bucket_period_, timeout_,
               static_cast<bool>(on_state_change_), state_, generation_, counts_, start_,
               expiry_};
    return s;
  }

 private:
  struct Transition {
    State from, to;
  };

  time::Time Now() const { return now_ ? now_() : time::Now(); }

  void OnSuccess(State state, uint64_t age, time::Time now) {
    if (state == StateClosed) {
      counts_.OnSuccess(age);
    } else if (state == StateHalfOpen) {
      counts_.OnSuccess(age);
      if (counts_.counts.ConsecutiveSuccesses >= max_requests_) SetState(StateClosed, now);
    }
  }

  void OnFailure(State state, uint64_t age, time::Time now) {
    if (state == StateClosed) {
      counts_.OnFailure(age);
      bool trip = ready_to_trip_ ? ready_to_trip_(counts_.counts)
                                 : counts_.counts.ConsecutiveFailures > 5;
      if (trip) SetState(StateOpen, now);
    } else if (state == StateHalfOpen) {
      SetState(StateOpen, now);
    }
  }

  // CurrentState applies what time has done: a new closed-state generation
  // when Interval passed (fixed window), the window's roll (rolling window),
  // or half-open when the open state's Timeout passed.
  State CurrentState(time::Time now) {
    if (state_ == StateClosed) {
      if (!expiry_.IsZero() && expiry_.Before(now)) {
        ToNewGeneration(now);
      } else if (counts_.buckets.size() >= 2) {
        counts_.Grow(Age(now));
      }
    } else if (state_ == StateOpen) {
      if (expiry_.Before(now)) SetState(StateHalfOpen, now);
    }
    return state_;
  }

  uint64_t Age(time::Time now) const {
    if (bucket_period_ == time::Duration()) return 0;
    int64_t age = (now.Sub(start_) / bucket_period_).Nanoseconds();
    return age < 0 ? 0 : static_cast<uint64_t>(age);
  }

  void SetState(State state, time::Time now) {
    if (state_ == state) return;
    State prev = state_;
    state_ = state;
    ToNewGeneration(now);
    if (on_state_change_) pending_.push_back({prev, state});
  }

  void ToNewGeneration(time::Time now) {
    generation_++;
    start_ = now;
    counts_.Clear();
    switch (state_) {
      case StateClosed:
        if (interval_ == time::Duration() || counts_.buckets.size() >= 2) {
          expiry_ = time::Time();
        } else {
          expiry_ = now.Add(interval_);
        }
        break;
      case StateOpen:
        expiry_ = now.Add(timeout_);
        break;
      default:  // StateHalfOpen
        expiry_ = time::Time();
        break;
    }
  }

  // Deliver runs the queued OnStateChange calls, outside the lock, unless
  // another thread is already doing so.
  void Deliver() {
    if (!on_state_change_) return;
    mu_.lock();
    if (delivering_ || pending_.empty()) {
      mu_.unlock();
      return;
    }
    delivering_ = true;
    while (!pending_.empty()) {
      Transition t = pending_.front();
      pending_.pop_front();
      mu_.unlock();
      try {
        on_state_change_(name_, t.from, t.to);
      } catch (...) {
        mu_.lock();
        delivering_ = false;  // the rest go out with the next transition
        mu_.unlock();
        throw;
      }
      mu_.lock();
    }
    delivering_ = false;
    mu_.unlock();
  }

  // Fixed at construction.
  const std::string name_;
  const uint32_t max_requests_;
  time::Duration interval_;
  time::Duration bucket_period_;
  const time::Duration timeout_;
  const std::function<bool(const Counts&)> ready_to_trip_;
  const std::function<void(const std::string&, State, State)> on_state_change_;
  const std::function<bool(const absl::Status&)> is_successful_;
  const std::function<bool(const absl::Status&)> is_excluded_;
  const time::NowFunc now_;

  // Guarded by mu_.
  goro::internal::Lock mu_;
  State state_ = StateClosed;
  uint64_t generation_ = 0;
  RollingCounts counts_;
  time::Time start_;
  time::Time expiry_;
  std::deque<Transition> pending_;
  bool delivering_ = false;
};

std::shared_ptr<Breaker> NewBreaker(Settings st) {
  return std::make_shared<Breaker>(std::move(st));
}

absl::StatusOr<Ticket> BeforeRequest(Breaker& b) { return b.BeforeRequest(); }

void AfterRequest(Breaker& b, Ticket t, const absl::Status& err) { b.AfterRequest(t, err); }

void AfterException(Breaker& b, Ticket t, std::exception_ptr e) {
  // Go v2.4 records a panic as fmt.Errorf("%v", e).
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    what = x.what();
  } catch (...) {
  }
  b.AfterRequest(t, absl::UnknownError(what));
}

State GetState(Breaker& b) { return b.GetState(); }
Counts GetCounts(Breaker& b) { return b.GetCounts(); }
const std::string& GetName(const Breaker& b) { return b.Name(); }

void NilBreaker() {
  throw Panic("runtime error: invalid memory address or nil pointer dereference");
}

Snapshot Inspect(Breaker& b) { return b.Inspect(); }

}  // namespace internal
}  // namespace goro::gobreaker
