// lib/runtime/park.h: how a goroutine waits for one event (Go's gopark/goready).
//
// A blocking operation owns one WaitState (on its own stack). The operation that
// completes it writes the result fields, releases its own locks, then calls
// Unpark, which is the last touch of the WaitState: after it the waiter may
// return and its stack is gone. A select shares one WaitState among its cases;
// `claimed` is Go's selectDone word, CAS'd 0 -> 1 by the one waker that wins.
#ifndef GORO_LIB_RUNTIME_PARK_H_
#define GORO_LIB_RUNTIME_PARK_H_

#include <atomic>
#include <cstdint>

namespace goro::internal {

struct WaitState {
  std::atomic<uint32_t> claimed{0};  // select word: the waker that CASes 0->1 wins
  std::atomic<uint32_t> wake{0};     // 0 waiting (spinning), 2 asleep, 1 woken
  int fired = -1;                    // which case completed (select)
  bool success = false;              // false: woken by close
};

// Park returns once Unpark(ws) has been called: it spins briefly when that can
// help, then hands the worker's slot on (BlockingEnter) and sleeps. may_spin is
// the caller's hint that the wake-up may come soon (for a channel: nobody was
// queued ahead of this waiter).
void Park(WaitState* ws, bool may_spin = true);

// Unpark wakes the goroutine parked on ws. Everything written before it is
// visible to the woken goroutine.
void Unpark(WaitState* ws);

// ShouldSpin reports whether a goroutine about to park may spin first: it runs
// on a foreign thread, or it holds a slot and no queued work waits for it. A
// goroutine running without a slot (woken while every slot was busy) does not
// spin: the CPUs belong to the slots.
bool ShouldSpin();

}  // namespace goro::internal

#endif  // GORO_LIB_RUNTIME_PARK_H_
