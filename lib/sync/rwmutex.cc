// lib/sync/rwmutex.cc: sync::RWMutex (Go's algorithm, sync/rwmutex.go 1.19).
//
// reader_count_ counts readers holding or waiting for the lock. A writer first
// takes w_ (so writers queue one at a time), then subtracts kMaxReaders: from
// then on RLock sees a negative count and parks on reader_sem_. The writer
// moves the number of readers still inside into reader_wait_ and parks on
// writer_sem_ until the last of them leaves. Unlock adds kMaxReaders back and
// releases each reader that arrived meanwhile.
#include <cstdint>

#include "goro/panic.h"
#include "goro/sync/rwmutex.h"
#include "runtime/sema.h"

namespace goro::sync {

void RWMutex::RLockSlow() {
  // A writer holds or waits for the lock: wait for its Unlock.
  internal::SemAcquire(&reader_sem_);
}

void RWMutex::RUnlockSlow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -kMaxReaders) {
    reader_count_.fetch_add(1, std::memory_order_relaxed);  // undo, so rw stays usable
    throw Panic("sync: RUnlock of unlocked RWMutex");
  }
  // A writer is waiting; the last departing reader lets it in.
  if (reader_wait_.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0) {
    internal::SemRelease(&writer_sem_);
  }
}

void RWMutex::Lock() {
  w_.Lock();
  // Announce the writer to readers, and count those still inside.
  int32_t r = reader_count_.fetch_sub(kMaxReaders, std::memory_order_acq_rel);
  if (r != 0 && reader_wait_.fetch_add(r, std::memory_order_acq_rel) + r != 0) {
    internal::SemAcquire(&writer_sem_);
  }
}

bool RWMutex::TryLock() {
  if (!w_.TryLock()) return false;
  int32_t none = 0;
  if (!reader_count_.compare_exchange_strong(none, -kMaxReaders, std::memory_order_acq_rel,
                                             std::memory_order_relaxed)) {
    w_.Unlock();
    return false;
  }
  return true;
}

void RWMutex::Unlock() {
  // Announce to readers that there is no active writer.
  int32_t r = reader_count_.fetch_add(kMaxReaders, std::memory_order_acq_rel) + kMaxReaders;
  if (r >= kMaxReaders) {
    reader_count_.fetch_sub(kMaxReaders, std::memory_order_relaxed);  // undo
    throw Panic("sync: Unlock of unlocked RWMutex");
  }
  // Let in the readers that blocked while the writer was in.
  for (int32_t i = 0; i < r; i++) internal::SemRelease(&reader_sem_);
  w_.Unlock();
}

}  // namespace goro::sync
