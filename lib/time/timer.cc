// lib/time/timer.cc: the timer service, and Timer, Ticker, After, Tick and
// AfterFunc on top of it (Go's time/sleep.go, time/tick.go, runtime/time.go).
#include "time/timer.h"

#include <chrono>
#include <climits>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "chan/chan.h"
#include "goro/panic.h"
#include "goro/runtime.h"

namespace goro::time {
namespace internal {
namespace {

using goro::internal::ChanBase;
using goro::internal::ChanPtr;

// When returns the monotonic deadline d from now: at once for d <= 0, and
// saturated at the far future on overflow (Go's `when`).
int64_t When(Duration d) {
  int64_t now = MonoNow();
  if (d.Nanoseconds() <= 0) return now;
  if (d.Nanoseconds() > INT64_MAX - now) return INT64_MAX;
  return now + d.Nanoseconds();
}

class Service {
 public:
  // Add schedules t (not in the heap) at `when`. Caller holds mu.
  void AddLocked(TimerCore* t, int64_t when) {
    t->when = when;
    t->heap_index = static_cast<int64_t>(heap_.size());
    heap_.push_back(t);
    Up(heap_.size() - 1);
    if (t->heap_index == 0) {
      if (!started_) {
        started_ = true;
        std::thread([this] { Loop(); }).detach();
      }
      cv_.notify_one();
    }
  }

  // RemoveLocked unschedules t; true if it was in the heap. Caller holds mu.
  bool RemoveLocked(TimerCore* t) {
    if (t->heap_index < 0) return false;
    size_t i = static_cast<size_t>(t->heap_index);
    size_t last = heap_.size() - 1;
    if (i != last) {
      heap_[i] = heap_[last];
      heap_[i]->heap_index = static_cast<int64_t>(i);
    }
    heap_.pop_back();
    if (i != last) {
      Down(i);
      Up(i);
    }
    t->heap_index = -1;
    // Give memory back after a burst of timers (100k stopped timers must not
    // pin their slots).
    if (heap_.capacity() > 1024 && heap_.size() < heap_.capacity() / 4) heap_.shrink_to_fit();
    return true;
  }

  size_t Size() {
    std::lock_guard<std::mutex> lk(mu);
    return heap_.size();
  }

  std::mutex mu;

 private:
  bool Less(size_t a, size_t b) const { return heap_[a]->when < heap_[b]->when; }
  void Swap(size_t a, size_t b) {
    std::swap(heap_[a], heap_[b]);
    heap_[a]->heap_index = static_cast<int64_t>(a);
    heap_[b]->heap_index = static_cast<int64_t>(b);
  }
  void Up(size_t i) {
    while (i > 0) {
      size_t p = (i - 1) / 2;
      if (!Less(i, p)) break;
      Swap(i, p);
      i = p;
    }
  }
  void Down(size_t i) {
    for (;;) {
      size_t l = 2 * i + 1, m = i;
      if (l < heap_.size() && Less(l, m)) m = l;
      if (l + 1 < heap_.size() && Less(l + 1, m)) m = l + 1;
      if (m == i) break;
      Swap(i, m);
      i = m;
    }
  }

  // Loop runs on the timer thread for the life of the process.
  void Loop() {
    std::vector<ChanPtr> sent;                        // released after unlocking
    std::vector<std::function<void()>> start;         // go() after unlocking
    std::vector<std::function<void()>> run;           // run here after unlocking
    std::vector<std::shared_ptr<TimerCore>> release;  // released after unlocking
    std::unique_lock<std::mutex> lk(mu);
    for (;;) {
      if (heap_.empty()) {
        cv_.wait(lk);
        continue;
      }
      int64_t now = MonoNow();
      if (heap_[0]->when > now) {
        cv_.wait_until(lk, std::chrono::steady_clock::time_point(
                               std::chrono::nanoseconds(heap_[0]->when)));
        continue;
      }
      Time wall = Now();
      while (!heap_.empty() && heap_[0]->when <= now) {
        TimerCore* t = heap_[0];
        int64_t when = t->when;
        if (t->fn) {
          RemoveLocked(t);
          (t->fn_inline ? run : start).push_back(t->fn);
          release.push_back(std::move(t->self));
          continue;
        }
        ChanPtr c = t->ch.lock();
        if (t->period > 0) {
          // The next tick is the first point on the period grid after now:
          // missed ticks are dropped, not queued.
          int64_t next = when + t->period * (1 + (now - when) / t->period);
          if (next < when) next = INT64_MAX;
          t->when = next;
          Down(0);
        } else {
          RemoveLocked(t);
        }
        if (c != nullptr) {
          // The value is the time the timer was due (Go 1.23 backdates a late
          // send). A full slot means the receiver is behind: drop the tick.
          Time v = wall.Add(Duration(when - now));
          goro::internal::ChanTrySend(c.get(), &v);
          sent.push_back(std::move(c));
        } else {
          RemoveLocked(t);  // the channel is being destroyed
        }
      }
      if (sent.empty() && start.empty() && run.empty() && release.empty()) continue;
      lk.unlock();
      for (auto& f : start) goro::go(std::move(f));
      start.clear();
      for (auto& f : run) f();
      run.clear();
      sent.clear();
      release.clear();
      lk.lock();
    }
  }

  std::vector<TimerCore*> heap_;
  std::condition_variable cv_;
  bool started_ = false;
};

// Never destroyed: the timer thread outlives main.
Service& TheService() {
  static Service* s = new Service;
  return *s;
}

// Drain discards a value the timer sent but nobody received; true if there was
// one. Caller holds the service mutex (so the timer thread cannot refill it).
bool Drain(ChanBase* c) {
  if (c == nullptr) return false;
  Time v;
  return goro::internal::ChanTryRecv(c, &v) == 1;
}

}  // namespace

TimerCore::~TimerCore() {
  // Channel timers end here when their channel goes away without Stop.
  Service& s = TheService();
  std::lock_guard<std::mutex> lk(s.mu);
  s.RemoveLocked(this);
}

std::shared_ptr<TimerCore> NewFuncTimer(Duration d, std::function<void()> fn, bool fn_inline) {
  auto t = std::make_shared<TimerCore>();
  t->fn = std::move(fn);
  t->fn_inline = fn_inline;
  Service& s = TheService();
  std::lock_guard<std::mutex> lk(s.mu);
  t->self = t;
  s.AddLocked(t.get(), When(d));
  return t;
}

bool StopTimer(TimerCore* t) {
  Service& s = TheService();
  ChanPtr c;
  std::shared_ptr<TimerCore> self;
  bool pending;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    pending = s.RemoveLocked(t);
    self = std::move(t->self);
    c = t->ch.lock();
    if (Drain(c.get())) pending = true;
  }
  return pending;
}

bool ResetTimer(TimerCore* t, Duration d, int64_t period) {
  Service& s = TheService();
  ChanPtr c;
  bool pending;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    pending = s.RemoveLocked(t);
    c = t->ch.lock();
    if (Drain(c.get())) pending = true;
    t->period = period;
    if (t->fn) t->self = t->shared_from_this();
    s.AddLocked(t, When(d));
  }
  return pending;
}

size_t NumPendingTimers() { return TheService().Size(); }

namespace {

// NewChanTimer makes a timer whose channel owns it.
std::pair<recv_chan<Time>, std::shared_ptr<TimerCore>> NewChanTimer(Duration d,
                                                                    int64_t period) {
  chan<Time> ch = make_chan<Time>(1);
  ChanBase* c = goro::internal::ChanAccess::get(ch);
  auto t = std::make_shared<TimerCore>();
  t->ch = goro::internal::ChanAccess::ptr(ch);
  t->period = period;
  c->timer = true;
  c->attachment = t;
  Service& s = TheService();
  {
    std::lock_guard<std::mutex> lk(s.mu);
    s.AddLocked(t.get(), When(d));
  }
  return {recv_chan<Time>(std::move(ch)), std::move(t)};
}

}  // namespace
}  // namespace internal

bool Timer::Stop() const {
  if (core_ == nullptr) throw Panic("time: Stop called on uninitialized Timer");
  return internal::StopTimer(core_.get());
}

bool Timer::Reset(Duration d) const {
  if (core_ == nullptr) throw Panic("time: Reset called on uninitialized Timer");
  return internal::ResetTimer(core_.get(), d, 0);
}

void Ticker::Stop() const {
  if (core_ == nullptr) return;  // Go tolerates this misuse (issue 21874)
  internal::StopTimer(core_.get());
}

void Ticker::Reset(Duration d) const {
  if (d.Nanoseconds() <= 0) throw Panic("non-positive interval for Ticker.Reset");
  if (core_ == nullptr) throw Panic("time: Reset called on uninitialized Ticker");
  internal::ResetTimer(core_.get(), d, d.Nanoseconds());
}

Timer NewTimer(Duration d) {
  auto [c, core] = internal::NewChanTimer(d, 0);
  Timer t;
  t.C = std::move(c);
  t.core_ = std::move(core);
  return t;
}

recv_chan<Time> After(Duration d) { return internal::NewChanTimer(d, 0).first; }

Timer AfterFunc(Duration d, std::function<void()> f) {
  Timer t;
  t.core_ = internal::NewFuncTimer(d, std::move(f));
  return t;
}

Ticker NewTicker(Duration d) {
  if (d.Nanoseconds() <= 0) throw Panic("non-positive interval for NewTicker");
  auto [c, core] = internal::NewChanTimer(d, d.Nanoseconds());
  Ticker t;
  t.C = std::move(c);
  t.core_ = std::move(core);
  return t;
}

recv_chan<Time> Tick(Duration d) {
  if (d.Nanoseconds() <= 0) return nullptr;
  return internal::NewChanTimer(d, d.Nanoseconds()).first;
}

}  // namespace goro::time
