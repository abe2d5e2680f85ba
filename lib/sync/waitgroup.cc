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
  uint64_t inc = static_cast<uint64_t>(static_cast<int64_t>(delta)) << 32;
  uint64_t old = state_.fetch_add(inc, std::memory_order_acq_rel);
  uint64_t now = old + inc;
  int64_t v = Counter(old) + delta;
  uint32_t waiters = static_cast<uint32_t>(old);
  if (v < 0) throw Panic("sync: negative WaitGroup counter");
  if (v > 0 || waiters == 0) return;
  // The counter is zero and goroutines wait: reset the waiter count and wake
  // them all. A waiter never touches the WaitGroup once it has been counted
  // (it may be destroyed by the first Wait to return), so the count is reset
  // here, as Go does. A change since our fetch_add means an Add raced this
  // Wait-releasing Add: Go's misuse panic.
  if (!state_.compare_exchange_strong(now, 0, std::memory_order_acq_rel)) {
    throw Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  }
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
  // zero under the wait table's lock and do not sleep). After that, this
  // goroutine does not touch the WaitGroup again.
  internal::AddrWait(&state_, &CounterNonZero, &state_);
}

}  // namespace goro::sync
