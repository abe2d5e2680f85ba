// goro/sync/barrier.h: a reusable barrier for n goroutines (Go has none).
//
// Barrier makes n goroutines meet, phase after phase: each Wait blocks until n
// Waits have arrived in the current phase, then all n return together and the
// barrier is ready for the next phase. Go programs build this from a Mutex and
// a Cond, or from channels; goro gives it a name (POSIX's pthread_barrier_t is
// the model: one caller per phase is told it was the last to arrive).
//
//   goro::sync::Barrier b(workers);
//   for (int w = 0; w < workers; w++) {
//     goro::go([&, w] {
//       for (int step = 0; step < steps; step++) {
//         compute(w, step);            // phase 1: everyone writes its own part
//         if (b.Wait()) combine();     // the last to arrive runs the serial step
//         b.Wait();                    // phase 2: everyone sees combine()'s result
//       }
//     });
//   }
//
// Phases: a Barrier counts arrivals, not goroutines. The n-th Wait of a phase
// completes it, and any later Wait belongs to the next phase, so a goroutine
// that returns from Wait and comes straight back waits for phase k+1: it can
// never be mistaken for an arrival in phase k (each phase has a generation).
//
// Wait(ctx) gives up when ctx is done: its arrival is withdrawn, so the phase
// then needs one more Wait (a replacement) and the barrier stays consistent
// for the others. A waiter is either counted in the phase or withdrawn, never
// both: if the phase completed before the withdrawal took effect, Wait(ctx)
// reports success even though ctx is done.
//
// Thread safety: Wait, Wait(ctx) and Phase may be called from any goroutine or
// thread at once.
//
// Memory ordering: everything each goroutine did before its Wait of phase k is
// visible to every goroutine when its Wait of phase k returns (a Wait(ctx) that
// returns an error has withdrawn: it gives and gets no such guarantee).
//
// Misuse: Barrier(n) with n <= 0 throws Panic("sync: non-positive Barrier
// count"). A Barrier is neither copyable nor movable. It may be destroyed as
// soon as the Waits of its last phase that returned false have returned, even
// while the one that returned true (it does not block) is still returning.
//
// Blocking: Wait hands its worker's slot on while it blocks (goro/runtime.h),
// so n goroutines may meet at a Barrier even with GOMAXPROCS=1.
#ifndef GORO_SYNC_BARRIER_H_
#define GORO_SYNC_BARRIER_H_

#include <atomic>
#include <cstdint>

#include "absl/status/statusor.h"
#include "goro/context.h"

namespace goro::sync {

class Barrier {
 public:
  // Barrier creates a barrier for n goroutines. Throws
  // Panic("sync: non-positive Barrier count") if n <= 0.
  explicit Barrier(int n);
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Wait blocks until n Waits have arrived in the current phase. It returns
  // true in exactly one of them per phase, the last to arrive, which does not
  // block (it can run the phase's serial step; the others are already free to
  // go on, so guard the step's result with another Wait), and false in the rest.
  bool Wait();

  // Wait(ctx) is Wait that gives up when ctx is done first: it withdraws its
  // arrival and returns ctx.Err(). If ctx is already done on entry, it returns
  // ctx.Err() without arriving. If the phase completed before the withdrawal,
  // it returns the phase's result (false, or true for the last arrival).
  absl::StatusOr<bool> Wait(const context::Context& ctx);

  // Phase returns the number of phases completed so far. Another goroutine's
  // arrival may change it at any time; a participant reads it reliably between
  // two of its own Waits.
  uint64_t Phase() const;

  // N returns the number of arrivals that complete a phase.
  int N() const { return n_; }

 private:
  // Arrive counts one arrival. It returns true if that completed the phase;
  // otherwise *gen is the phase's generation bits to wait on.
  bool Arrive(uint64_t* gen);

  const int n_;
  const unsigned bits_;   // the low bits_ bits of state_ count arrivals
  const uint64_t mask_;   // (1 << bits_) - 1
  // High bits: the generation (completed phases); low bits_ bits: arrivals.
  std::atomic<uint64_t> state_{0};
};

}  // namespace goro::sync

#endif  // GORO_SYNC_BARRIER_H_
