// lib/runtime/sema.h: parking keyed by address (Go's semtable), for objects
// that may be destroyed as soon as a waiter returns (sync::WaitGroup): the
// waker touches only this global table, never the object.
#ifndef GORO_LIB_RUNTIME_SEMA_H_
#define GORO_LIB_RUNTIME_SEMA_H_

namespace goro::internal {

// AddrWait parks the caller on addr unless still_blocked(ctx) is false when
// checked under the table's lock. Spurious returns are possible: callers loop.
void AddrWait(const void* addr, bool (*still_blocked)(const void* ctx), const void* ctx);

// AddrWakeAll wakes every goroutine parked on addr.
void AddrWakeAll(const void* addr);

}  // namespace goro::internal

#endif  // GORO_LIB_RUNTIME_SEMA_H_
