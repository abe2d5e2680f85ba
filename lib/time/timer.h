// lib/time/timer.h: the timer service behind time::Timer, Ticker, After,
// AfterFunc and context deadlines (Go's runtime timers, runtime/time.go).
//
// One thread owns a binary min-heap of pending timers ordered by their
// monotonic deadline. It never runs user code: a channel timer's value is
// sent without blocking (into the timer channel's one hidden slot), an
// AfterFunc timer's function is started with go(), and only goro's own short
// functions (a context deadline's cancellation) run on the thread itself. One mutex guards the heap
// and every TimerCore's fields; the lock order is that mutex, then a channel's
// lock. Channel references are released only after the mutex is: dropping the
// last one destroys the channel, its TimerCore, and unlinks it, which takes the
// mutex.
#ifndef GORO_LIB_TIME_TIMER_H_
#define GORO_LIB_TIME_TIMER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "goro/internal/chan_impl.h"
#include "goro/time.h"

namespace goro::time::internal {

struct TimerCore : std::enable_shared_from_this<TimerCore> {
  // Guarded by the service mutex.
  int64_t when = 0;      // monotonic deadline (ns), while heap_index >= 0
  int64_t period = 0;    // > 0 for tickers
  int64_t heap_index = -1;
  // A channel timer is owned by its channel (the channel's attachment), so it
  // is released with the last handle; it reaches the channel weakly.
  std::weak_ptr<goro::internal::ChanBase> ch;
  // An AfterFunc timer runs fn; `self` keeps it alive while it is pending, so it
  // fires even when nobody holds it (as Go's AfterFunc does).
  std::function<void()> fn;
  bool fn_inline = false;  // fn is goro's own non-blocking code: run it on the timer thread
  std::shared_ptr<TimerCore> self;

  ~TimerCore();
};

// MonoNow is the monotonic clock (CLOCK_MONOTONIC nanoseconds).
int64_t MonoNow();

// NewFuncTimer starts a timer that runs fn in a new goroutine after d, or, when
// fn_inline, on the timer thread itself (after the service mutex is released).
// Inline is only for goro's own short, non-blocking code, such as a context
// deadline's cancellation: it then happens on time even when every slot is
// busy.
std::shared_ptr<TimerCore> NewFuncTimer(Duration d, std::function<void()> fn,
                                        bool fn_inline = false);
// StopTimer unschedules t; true if it was pending (for a channel timer, also
// when its value was sent but not received: that value is discarded).
bool StopTimer(TimerCore* t);
// ResetTimer reschedules t to fire after d (period > 0: every period after
// that); returns what StopTimer would have.
bool ResetTimer(TimerCore* t, Duration d, int64_t period);

// For tests: how many timers are pending in the heap.
size_t NumPendingTimers();

}  // namespace goro::time::internal

#endif  // GORO_LIB_TIME_TIMER_H_
