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
  int64_t v = Counter(old) + delta;
  uint32_t waiters = static_cast<uint32_t>(old);
  if (v < 0) throw Panic("sync: negative WaitGroup counter");
  if (v > 0 || waiters == 0) return;
  internal::AddrWakeAll(&state_);
}

void WaitGroup::Wait() {
  if (Counter(state_.load(std::memory_order_acquire)) == 0) return;
  state_.fetch_add(1, std::memory_order_acq_rel);
  while (CounterNonZero(&state_)) {
    internal::AddrWait(&state_, &CounterNonZero, &state_);
  }
  state_.fetch_sub(1, std::memory_order_acq_rel);
}

}  // namespace goro::sync
