// goro/sync/cond.h: Go's sync.Cond.
//
// Cond mirrors Go's sync.Cond: a rendezvous point for goroutines waiting for,
// or announcing, an event. Each Cond has a Locker L (often a *Mutex) held
// while the condition is checked or changed.
//
//   goro::sync::Mutex mu;
//   auto c = goro::sync::NewCond(&mu);   // c := sync.NewCond(&mu)
//   bool ready = false;
//   // waiter:
//   c.L.Lock();                          // c.L.Lock()
//   while (!ready) c.Wait();             // for !ready { c.Wait() }
//   c.L.Unlock();
//   // announcer:
//   mu.Lock(); ready = true; mu.Unlock();
//   c.Broadcast();                       // c.Broadcast()
//
// Wait atomically unlocks L and suspends the caller; after a Signal or
// Broadcast wakes it, Wait locks L again before returning. Because nothing
// stops another goroutine from changing the condition in between, callers
// check it in a loop. Waiters are woken in the order they called Wait (Go's
// ticket order). Signal and Broadcast may be called with or without L held.
//
// Thread safety: Wait, Signal and Broadcast may be called from any goroutine
// or thread at once. L is a plain member, set at construction (or assigned
// before first use, as Go's `var c sync.Cond; c.L = &mu`).
//
// Memory ordering: a Signal or Broadcast happens before the return of every
// Wait it wakes (and L orders the rest, as in Go).
//
// Misuse: Wait without holding L throws whatever L.Unlock throws (for a Mutex,
// Panic("sync: unlock of unlocked mutex")); the Cond stays usable. Wait with a
// nil L throws Go's nil-dereference panic. A Cond is neither copyable nor
// movable (Go panics "sync.Cond is copied" at run time; C++ refuses at compile
// time). NewCond returns the Cond itself (guaranteed copy elision), so
// `auto c = sync::NewCond(&mu);` works; share it by reference or pointer.
//
// Blocking: Wait hands its worker's slot on while it blocks.
#ifndef GORO_SYNC_COND_H_
#define GORO_SYNC_COND_H_

#include <atomic>
#include <cstdint>

#include "goro/sync/mutex.h"

namespace goro::sync {

class Cond {
 public:
  constexpr Cond() = default;  // L is nil: assign it before use
  constexpr explicit Cond(Locker l) : L(l) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;
  ~Cond();

  // L is held while observing or changing the condition.
  Locker L;

  // Wait atomically unlocks L and suspends the calling goroutine until a
  // Signal or Broadcast wakes it; it locks L again before returning.
  void Wait();

  // Signal wakes the goroutine that has waited longest, if any.
  void Signal();

  // Broadcast wakes all goroutines waiting on c.
  void Broadcast();

 private:
  std::atomic<uint32_t> wait_{0};    // next ticket to hand out
  std::atomic<uint32_t> notify_{0};  // next ticket to wake
};

// NewCond returns a new Cond with Locker l.
inline Cond NewCond(Locker l) { return Cond(l); }

}  // namespace goro::sync

#endif  // GORO_SYNC_COND_H_
