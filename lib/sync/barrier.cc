// lib/sync/barrier.cc: sync::Barrier.
//
// The whole state is one 64-bit word: the low bits_ bits count the arrivals of
// the current phase (0..n-1), the high bits are the generation, the number of
// completed phases. Every change is one compare-and-swap on that word:
//   arrive:   (g, c) -> (g, c+1), or (g, n-1) -> (g+1, 0), which completes g;
//   withdraw: (g, c) -> (g, c-1), only while the generation is still g.
// So a withdrawal and the completion of its phase can never both succeed, and
// a goroutine re-entering Wait after phase g lands in phase g+1. While a waiter
// is counted, the generation can move on at most once, so comparing generations
// for equality is exact even after the high bits wrap.
//
// The CAS that completes a phase is the completer's last touch of the Barrier:
// it then wakes the waiters through the global address-keyed table
// (runtime/sema.h), so a Barrier may be destroyed as soon as every Wait
// returned. Wait(ctx) hears of cancellation through context::AfterFunc, whose
// function may run after the Wait returned and the Barrier died: it touches
// only a shared flag and the table, where a wake-up for a dead address is at
// worst a spurious one (AddrWait callers loop).
#include "goro/sync/barrier.h"

#include <bit>
#include <memory>

#include "goro/panic.h"
#include "runtime/sema.h"

namespace goro::sync {
namespace {

int CheckCount(int n) {
  if (n <= 0) throw Panic("sync: non-positive Barrier count");
  return n;
}

// Probe is what a parked waiter checks under the wait table's lock.
struct Probe {
  const std::atomic<uint64_t>* state;
  uint64_t mask;
  uint64_t gen;                          // generation bits of the awaited phase
  const std::atomic<bool>* cancelled;    // null for a plain Wait
};

bool StillBlocked(const void* p) {
  auto* pr = static_cast<const Probe*>(p);
  if (pr->cancelled != nullptr && pr->cancelled->load(std::memory_order_acquire)) {
    return false;
  }
  return (pr->state->load(std::memory_order_acquire) & ~pr->mask) == pr->gen;
}

}  // namespace

Barrier::Barrier(int n)
    : n_(CheckCount(n)),
      bits_(static_cast<unsigned>(std::bit_width(static_cast<unsigned>(n)))),
      mask_((uint64_t{1} << bits_) - 1) {}

uint64_t Barrier::Phase() const { return state_.load(std::memory_order_acquire) >> bits_; }

bool Barrier::Arrive(uint64_t* gen) {
  // The completing CAS is the completer's last touch of the Barrier (its
  // waiters may return and destroy it at once): read the fields first.
  const uint64_t mask = mask_;
  const uint64_t n = static_cast<uint64_t>(n_);
  uint64_t s = state_.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t count = s & mask;
    uint64_t g = s & ~mask;
    // acq_rel: each arrival releases what its goroutine did before Wait; the
    // completing CAS acquires them all (the arrivals form one release sequence)
    // and releases them, with its own, to the waiters' acquire loads.
    uint64_t next = count + 1 == n ? g + mask + 1 : s + 1;
    if (state_.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                     std::memory_order_relaxed)) {
      *gen = g;
      return (next & mask) == 0;
    }
  }
}

bool Barrier::Wait() {
  const int n = n_;  // read before arriving: see Arrive
  uint64_t gen;
  if (Arrive(&gen)) {
    if (n > 1) internal::AddrWakeAll(&state_);
    return true;
  }
  Probe probe{&state_, mask_, gen, nullptr};
  while ((state_.load(std::memory_order_acquire) & ~mask_) == gen) {
    internal::AddrWait(&state_, &StillBlocked, &probe);
  }
  return false;
}

absl::StatusOr<bool> Barrier::Wait(const context::Context& ctx) {
  if (ctx.Done() == nullptr) return Wait();  // never cancelled
  if (absl::Status err = ctx.Err(); !err.ok()) return err;
  const int n = n_;  // read before arriving: see Arrive
  uint64_t gen;
  if (Arrive(&gen)) {
    if (n > 1) internal::AddrWakeAll(&state_);
    return true;
  }
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  const void* addr = &state_;
  auto stop = context::AfterFunc(ctx, [cancelled, addr] {
    cancelled->store(true, std::memory_order_release);
    internal::AddrWakeAll(addr);
  });
  Probe probe{&state_, mask_, gen, cancelled.get()};
  uint64_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((s & ~mask_) != gen) {  // the phase completed: we were counted in it
      stop();
      return false;
    }
    if (cancelled->load(std::memory_order_acquire)) {
      // Withdraw, unless the phase completes first (then the CAS fails and the
      // loop reports success). We are counted, so the count is at least one.
      if (state_.compare_exchange_weak(s, s - 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        return ctx.Err();
      }
      continue;
    }
    internal::AddrWait(&state_, &StillBlocked, &probe);
    s = state_.load(std::memory_order_acquire);
  }
}

}  // namespace goro::sync
