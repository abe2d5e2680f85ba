// lib/rate/rate.cc: rate::Limiter, rate::Reservation, rate::Sometimes.
//
// The arithmetic follows x/time/rate at v0.13+ step for step (advance,
// reserveN, CancelAt, durationFromTokens, tokensFromDuration), in the same
// float64 operations and order, so results agree with Go to the last bit.
// Every method takes the state's internal Lock once, briefly, and never calls
// user code (the clock is read before the Lock is taken).
//
// The clock is an atomic pointer to a NowFunc owned by the state. SetNow
// installs a new one and keeps the old ones until the state dies, so a reader
// that loaded the old pointer a moment ago can still call it.
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "goro/panic.h"
#include "goro/rate.h"
#include "goro/select.h"
#include "runtime/futex.h"

namespace goro::rate {
namespace internal {

struct LimiterState {
  LimiterState(Limit r, int b, bool full) : limit(r), burst(b), tokens(full ? b : 0) {}

  goro::internal::Lock mu;
  Limit limit;
  int burst;
  double tokens;
  time::Time last;       // when tokens was last brought up to date
  time::Time last_event; // the latest time to act of a reservation (past or future)

  std::atomic<const time::NowFunc*> now{nullptr};       // null: time::Now
  std::vector<std::unique_ptr<const time::NowFunc>> clocks;  // guarded by mu

  time::Time Now() const {
    const time::NowFunc* f = now.load(std::memory_order_acquire);
    return f == nullptr ? time::Now() : (*f)();
  }

  void SetNow(time::NowFunc f) {
    const time::NowFunc* p = nullptr;
    if (f) {
      auto owned = std::make_unique<const time::NowFunc>(std::move(f));
      p = owned.get();
      goro::internal::LockGuard g(mu);
      clocks.push_back(std::move(owned));
    }
    now.store(p, std::memory_order_release);
  }
};

[[noreturn]] void NilLimiter() {
  throw Panic("runtime error: invalid memory address or nil pointer dereference");
}

}  // namespace internal

namespace {

using internal::LimiterState;

// GoInt64 converts as Go's int64(f) does on amd64: out-of-range values and
// NaN become MinInt64 (CVTTSD2SI's "integer indefinite"). C++ leaves them
// undefined.
int64_t GoInt64(double f) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (f >= -kTwo63 && f < kTwo63) return static_cast<int64_t>(f);
  return std::numeric_limits<int64_t>::min();
}

// DurationFromTokens is the time it takes to accumulate tokens at limit,
// InfDuration when limit <= 0 or when it does not fit (golang/go#71154).
time::Duration DurationFromTokens(Limit limit, double tokens) {
  if (limit <= 0) return InfDuration;
  double duration = (tokens / limit) * 1e9;
  // Go compares with float64(math.MaxInt64), which is 2^63.
  if (duration > static_cast<double>(std::numeric_limits<int64_t>::max())) return InfDuration;
  return time::Duration(GoInt64(duration));
}

// TokensFromDuration is the number of tokens accumulated in d at limit, in
// float seconds so that nanoseconds are not truncated (golang/go#34861).
double TokensFromDuration(Limit limit, time::Duration d) {
  if (limit <= 0) return 0;
  return d.Seconds() * limit;
}

// Advance returns the tokens at t without changing the state. A t before
// st.last counts as st.last: time going backwards neither adds nor takes.
double Advance(const LimiterState& st, time::Time t) {
  time::Time last = st.last;
  if (t.Before(last)) last = t;
  time::Duration elapsed = t.Sub(last);
  double tokens = st.tokens + TokensFromDuration(st.limit, elapsed);
  if (double burst = st.burst; tokens > burst) tokens = burst;
  return tokens;
}

struct Reserved {
  bool ok = false;
  int tokens = 0;
  time::Time time_to_act;
  Limit limit = 0;
};

// Take is Go's reserveN: max_future is the longest acceptable wait. A
// refused reservation changes nothing.
Reserved Take(LimiterState& st, time::Time t, int n, time::Duration max_future) {
  goro::internal::LockGuard g(st.mu);
  if (st.limit == Inf) {
    // Go leaves the reservation's limit at zero here.
    return Reserved{true, n, t, 0};
  }
  double tokens = Advance(st, t) - static_cast<double>(n);
  time::Duration wait;
  if (tokens < 0) wait = DurationFromTokens(st.limit, -tokens);
  Reserved r;
  r.ok = n <= st.burst && wait <= max_future;
  r.limit = st.limit;
  if (r.ok) {
    r.tokens = n;
    r.time_to_act = t.Add(wait);
    st.last = t;
    st.tokens = tokens;
    st.last_event = r.time_to_act;
  }
  return r;
}

// Closed reports whether done is closed right now; false for a nil channel.
bool Closed(const recv_chan<Empty>& done) {
  if (done == nullptr) return false;
  return select(case_recv(done), case_default()) == 0;
}

}  // namespace

namespace internal {

struct Access {
  static const std::shared_ptr<LimiterState>& State(const Limiter& lim) { return lim.st_; }

  static Reservation Make(const std::shared_ptr<LimiterState>& st, const Reserved& r) {
    Reservation res;
    res.ok_ = r.ok;
    res.lim_ = st;
    res.tokens_ = r.tokens;
    res.time_to_act_ = r.time_to_act;
    res.limit_ = r.limit;
    return res;
  }

  static time::Time TimeToAct(const Reservation& r) { return r.time_to_act_; }

  // Wait is Go's lim.wait. make_timer(d) returns {channel, stop function}.
  template <class MakeTimer>
  static absl::Status Wait(const Limiter& lim, const context::Context& ctx, int n,
                           time::Time t, MakeTimer&& make_timer) {
    const std::shared_ptr<LimiterState>& stp = lim.st_;
    LimiterState& st = *stp;
    int burst;
    Limit limit;
    {
      goro::internal::LockGuard g(st.mu);
      burst = st.burst;
      limit = st.limit;
    }
    if (n > burst && limit != Inf) {
      return absl::InvalidArgumentError("rate: Wait(n=" + std::to_string(n) +
                                        ") exceeds limiter's burst " + std::to_string(burst));
    }
    recv_chan<Empty> done = ctx.Done();
    if (Closed(done)) return ctx.Err();
    time::Duration wait_limit = InfDuration;
    if (auto [deadline, ok] = ctx.Deadline(); ok) wait_limit = deadline.Sub(t);
    Reservation r = Make(stp, Take(st, t, n, wait_limit));
    if (!r.OK()) {
      return absl::DeadlineExceededError("rate: Wait(n=" + std::to_string(n) +
                                         ") would exceed context deadline");
    }
    time::Duration delay = r.DelayFrom(t);
    if (delay == time::Duration()) return absl::OkStatus();
    auto [ch, stop] = make_timer(delay);
    int chosen = select(case_recv(ch), case_recv(done));  // a nil done never fires
    stop();
    if (chosen == 0) return absl::OkStatus();
    // Cancelled before the time to act: give the tokens back, so that others
    // may go sooner.
    r.Cancel();
    return ctx.Err();
  }
};

absl::Status WaitAt(Limiter& lim, const context::Context& ctx, int n, time::Time t,
                    const NewTimerFunc& new_timer) {
  return Access::Wait(lim, ctx, n, t, [&](time::Duration d) {
    return std::pair(new_timer(d), [] {});
  });
}

Reservation ReserveMax(Limiter& lim, time::Time t, int n, time::Duration max) {
  const std::shared_ptr<LimiterState>& st = Access::State(lim);
  return Access::Make(st, Take(*st, t, n, max));
}

time::Time TimeToAct(const Reservation& r) { return Access::TimeToAct(r); }

}  // namespace internal

using internal::Access;

Limit Every(time::Duration interval) {
  if (interval <= time::Duration()) return Inf;
  return 1 / interval.Seconds();
}

// Reservation.

time::Duration Reservation::Delay() const {
  if (!ok_) return InfDuration;
  return DelayFrom(lim_->Now());
}

time::Duration Reservation::DelayFrom(time::Time t) const {
  if (!ok_) return InfDuration;
  time::Duration delay = time_to_act_.Sub(t);
  if (delay < time::Duration()) return time::Duration();
  return delay;
}

void Reservation::Cancel() const {
  if (!ok_) return;
  CancelAt(lim_->Now());
}

void Reservation::CancelAt(time::Time t) const {
  if (!ok_) return;
  LimiterState& lim = *lim_;
  goro::internal::LockGuard g(lim.mu);
  if (lim.limit == Inf || tokens_ == 0 || time_to_act_.Before(t)) return;
  // The tokens reserved after this reservation (between its time to act and
  // the last event) are counted on by others: they are not given back.
  double restore = static_cast<double>(tokens_) -
                   TokensFromDuration(limit_, lim.last_event.Sub(time_to_act_));
  if (restore <= 0) return;
  double tokens = Advance(lim, t) + restore;
  if (double burst = lim.burst; tokens > burst) tokens = burst;
  lim.last = t;
  lim.tokens = tokens;
  if (time_to_act_.Equal(lim.last_event)) {
    time::Time prev = time_to_act_.Add(DurationFromTokens(limit_, -static_cast<double>(tokens_)));
    if (!prev.Before(t)) lim.last_event = prev;
  }
}

// Limiter.

Limiter::Limiter() : st_(std::make_shared<LimiterState>(0, 0, false)) {}

Limiter::Limiter(rate::Limit r, int b) : st_(std::make_shared<LimiterState>(r, b, true)) {}

Limiter::Limiter(rate::Limit r, int b, time::NowFunc now) : Limiter(r, b) {
  st_->SetNow(std::move(now));
}

Limiter::~Limiter() = default;

rate::Limit Limiter::Limit() const {
  goro::internal::LockGuard g(st_->mu);
  return st_->limit;
}

int Limiter::Burst() const {
  goro::internal::LockGuard g(st_->mu);
  return st_->burst;
}

double Limiter::TokensAt(time::Time t) const {
  goro::internal::LockGuard g(st_->mu);
  return Advance(*st_, t);
}

double Limiter::Tokens() const { return TokensAt(st_->Now()); }

bool Limiter::Allow() { return AllowN(st_->Now(), 1); }

bool Limiter::AllowN(time::Time t, int n) {
  return Take(*st_, t, n, time::Duration()).ok;
}

Reservation Limiter::Reserve() { return ReserveN(st_->Now(), 1); }

Reservation Limiter::ReserveN(time::Time t, int n) {
  return Access::Make(st_, Take(*st_, t, n, InfDuration));
}

absl::Status Limiter::Wait(const context::Context& ctx) { return WaitN(ctx, 1); }

absl::Status Limiter::WaitN(const context::Context& ctx, int n) {
  return Access::Wait(*this, ctx, n, st_->Now(), [](time::Duration d) {
    time::Timer timer = time::NewTimer(d);
    return std::pair(timer.C, [timer] { timer.Stop(); });
  });
}

void Limiter::SetLimit(rate::Limit r) { SetLimitAt(st_->Now(), r); }

void Limiter::SetLimitAt(time::Time t, rate::Limit r) {
  goro::internal::LockGuard g(st_->mu);
  double tokens = Advance(*st_, t);
  st_->last = t;
  st_->tokens = tokens;
  st_->limit = r;
}

void Limiter::SetBurst(int b) { SetBurstAt(st_->Now(), b); }

void Limiter::SetBurstAt(time::Time t, int b) {
  goro::internal::LockGuard g(st_->mu);
  double tokens = Advance(*st_, t);
  st_->last = t;
  st_->tokens = tokens;
  st_->burst = b;
}

void Limiter::SetNow(time::NowFunc now) { st_->SetNow(std::move(now)); }

time::Time Limiter::Now() const { return st_->Now(); }

LimiterPtr NewLimiter(rate::Limit r, int b, time::NowFunc now) {
  LimiterPtr p;
  p.p_ = std::make_shared<Limiter>(r, b, std::move(now));
  return p;
}

// Sometimes.

time::Time Sometimes::Clock() const { return Now ? Now() : time::Now(); }

time::Duration Sometimes::SinceLast() const { return Clock().Sub(internal_.last); }

}  // namespace goro::rate
