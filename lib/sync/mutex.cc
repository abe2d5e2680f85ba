// lib/sync/mutex.cc: the slow paths of sync::Mutex, and sync::Locker.
//
// Go's algorithm (sync/mutex.go, Go 1.19), re-expressed: one state word (see
// mutex.h) and a runtime semaphore the waiters park on (runtime/sema.h).
// Normal mode: Unlock wakes one waiter, which competes with newcomers for the
// lock; a waiter that loses queues again at the head of the line. Starvation
// mode, entered by a waiter that has waited over 1 ms: Unlock hands the lock
// to the head waiter through the semaphore, and newcomers neither spin nor
// take it but queue at the tail.
#include <chrono>
#include <cstdint>

#include "goro/panic.h"
#include "goro/runtime.h"
#include "goro/sync/mutex.h"
#include "runtime/futex.h"
#include "runtime/park.h"
#include "runtime/sema.h"

namespace goro::sync {
namespace {

constexpr auto kStarvationThreshold = std::chrono::milliseconds(1);
constexpr int kActiveSpin = 4;       // spin rounds before parking (Go's active_spin)
constexpr int kActiveSpinCount = 30;  // pauses per round (Go's active_spin_cnt)

const bool kMultiCore = goro::runtime::NumCPU() > 1;

// CanSpin reports whether a goroutine that found the mutex locked should spin
// (round iter) rather than queue: only on a multicore machine with another
// slot that may be running the holder, and only while nothing is queued
// behind the caller.
bool CanSpin(int iter) {
  return iter < kActiveSpin && kMultiCore && goro::runtime::GOMAXPROCS(0) > 1 &&
         internal::ShouldSpin();
}

void Spin() {
  for (int i = 0; i < kActiveSpinCount; i++) internal::CpuRelax();
}

[[noreturn]] void InconsistentState() {
  // Go throws "sync: inconsistent mutex state" here; it means memory corruption.
  throw Panic("sync: inconsistent mutex state");
}

}  // namespace

void Mutex::LockSlow() {
  std::chrono::steady_clock::time_point wait_start{};
  bool waited = false;    // parked at least once
  bool starving = false;  // this waiter has waited over the threshold
  bool awoke = false;     // this goroutine set kWoken (or was woken) and must clear it
  int iter = 0;
  int32_t old = state_.load(std::memory_order_relaxed);
  for (;;) {
    // Spin while the mutex is held in normal mode, announcing ourselves with
    // kWoken so that Unlock does not wake a parked waiter needlessly.
    if ((old & (kLocked | kStarving)) == kLocked && CanSpin(iter)) {
      if (!awoke && (old & kWoken) == 0 && (old >> kWaiterShift) != 0 &&
          state_.compare_exchange_strong(old, old | kWoken, std::memory_order_relaxed,
                                         std::memory_order_relaxed)) {
        awoke = true;
      }
      Spin();
      iter++;
      old = state_.load(std::memory_order_relaxed);
      continue;
    }
    int32_t next = old;
    if ((old & kStarving) == 0) next |= kLocked;  // starving: the lock is owed to waiters
    if ((old & (kLocked | kStarving)) != 0) next += 1 << kWaiterShift;
    // Switch to starvation mode, unless the mutex was just unlocked (then
    // Unlock expects waiters to exist in starvation mode, and we take it).
    if (starving && (old & kLocked) != 0) next |= kStarving;
    if (awoke) {
      if ((next & kWoken) == 0) InconsistentState();
      next &= ~kWoken;
    }
    if (!state_.compare_exchange_weak(old, next, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
      continue;  // old was reloaded
    }
    if ((old & (kLocked | kStarving)) == 0) return;  // locked it with the CAS
    // Queued: a waiter that has waited before goes to the head of the line.
    bool lifo = waited;
    if (!waited) {
      waited = true;
      wait_start = std::chrono::steady_clock::now();
    }
    internal::SemAcquire(&sema_, lifo);
    starving = starving || std::chrono::steady_clock::now() - wait_start > kStarvationThreshold;
    old = state_.load(std::memory_order_acquire);
    if ((old & kStarving) != 0) {
      // The lock was handed to us; the state still says unlocked with us
      // counted as a waiter. Take it, and leave starvation mode when we did
      // not starve or are the last waiter.
      if ((old & (kLocked | kWoken)) != 0 || (old >> kWaiterShift) == 0) InconsistentState();
      int32_t delta = kLocked - (1 << kWaiterShift);
      if (!starving || (old >> kWaiterShift) == 1) delta -= kStarving;
      state_.fetch_add(delta, std::memory_order_acq_rel);
      return;
    }
    awoke = true;
    iter = 0;
  }
}

void Mutex::UnlockSlow(int32_t next) {
  if (((next + kLocked) & kLocked) == 0) {
    state_.fetch_add(kLocked, std::memory_order_relaxed);  // undo, so the Mutex stays usable
    throw Panic("sync: unlock of unlocked mutex");
  }
  if ((next & kStarving) != 0) {
    // Hand the lock to the head waiter. kLocked stays clear: the waiter sets
    // it; meanwhile kStarving keeps newcomers out.
    internal::SemRelease(&sema_, /*handoff=*/true);
    return;
  }
  int32_t old = next;
  for (;;) {
    // Nobody to wake, or someone is already awake, or the lock was taken: done.
    if ((old >> kWaiterShift) == 0 || (old & (kLocked | kWoken | kStarving)) != 0) return;
    int32_t woken = (old - (1 << kWaiterShift)) | kWoken;
    if (state_.compare_exchange_weak(old, woken, std::memory_order_release,
                                     std::memory_order_relaxed)) {
      internal::SemRelease(&sema_, /*handoff=*/false);
      return;
    }
  }
}

void Locker::Lock() const {
  if (obj_ == nullptr) throw Panic("runtime error: invalid memory address or nil pointer dereference");
  lock_(obj_);
}

void Locker::Unlock() const {
  if (obj_ == nullptr) throw Panic("runtime error: invalid memory address or nil pointer dereference");
  unlock_(obj_);
}

}  // namespace goro::sync
