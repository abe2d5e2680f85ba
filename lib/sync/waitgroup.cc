// lib/sync/waitgroup.cc: sync::WaitGroup.
//
// state_ packs the counter (high 32 bits, signed) and the number of goroutines
// in Wait (low 32 bits), as Go's does. The Add that brings the counter to zero
// touches only the global wait table afterwards, never the WaitGroup, because a
// Wait may return and its owner destroy the WaitGroup at that very moment.
#include <cstdint>

#include "goro/panic.h"
#include "goro/sync.h"
#include "runtime/sema.h"

namespace goro::sync {
namespace {

int64_t Counter(uint64_t state) { return static_cast<int32_t>(state >> 32); }

bool CounterNonZero(const void* wg_state) {
  auto* st = static_cast<const std::atomic<uint64_t>*>(wg_state);
  return Counter(st->load(std::memory_order_acquire)) != 0;
}

}  // namespace

void WaitGroup::Add(int delta) {
  // The CAS that makes the counter zero is this call's last touch of the
  // WaitGroup: a waiter may see the zero, return and destroy it at once. So
  // the waiter count is never reset here; it is cleared when the counter next
  // leaves zero (a reuse, which Go requires to happen before the next Wait).
  uint64_t old = state_.load(std::memory_order_relaxed);
  int64_t v;
  for (;;) {
    int64_t c = Counter(old);
    v = c + delta;
    if (v < 0) throw Panic("sync: negative WaitGroup counter");
    uint64_t waiters = c == 0 ? 0 : (old & 0xffffffffu);
    uint64_t next = (static_cast<uint64_t>(v) << 32) | waiters;
    if (state_.compare_exchange_weak(old, next, std::memory_order_acq_rel,
                                     std::memory_order_relaxed)) {
      break;
    }
  }
  if (v > 0 || static_cast<uint32_t>(old) == 0) return;
  internal::AddrWakeAll(&state_);
}

void WaitGroup::Wait() {
  uint64_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (Counter(s) == 0) return;
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      break;
    }
  }
  // Counted: the Add that brings the counter to zero wakes us (or we see it at
  // zero under the wait table's lock and do not sleep). A woken waiter does not
  // touch the WaitGroup again (another waiter may already have destroyed it).
  internal::AddrWait(&state_, &CounterNonZero, &state_);
}

}  // namespace goro::sync
