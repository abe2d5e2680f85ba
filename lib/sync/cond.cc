// lib/sync/cond.cc: sync::Cond on the runtime's notify lists (runtime/sema.h),
// as Go's Cond sits on runtime.notifyList: Wait takes a ticket while still
// holding L, so a Signal made after L is unlocked can never miss it.
#include "goro/sync/cond.h"

#include <cstdint>

#include "runtime/sema.h"

namespace goro::sync {

Cond::~Cond() { internal::NotifyListDrop(&wait_); }

void Cond::Wait() {
  uint32_t t = internal::NotifyListAdd(&wait_);
  try {
    L.Unlock();
  } catch (...) {
    internal::NotifyListAbandon(&wait_, &notify_, t);
    throw;
  }
  internal::NotifyListWait(&wait_, &notify_, t);
  L.Lock();
}

void Cond::Signal() { internal::NotifyListNotifyOne(&wait_, &notify_); }

void Cond::Broadcast() { internal::NotifyListNotifyAll(&wait_, &notify_); }

}  // namespace goro::sync
