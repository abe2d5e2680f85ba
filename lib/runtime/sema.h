// lib/runtime/sema.h: parking keyed by address (Go's semtable), for objects
// that may be destroyed as soon as a waiter returns (sync::WaitGroup): the
// waker touches only this global table, never the object.
//
// Three kinds of waiters share the table, each matched only by its own kind:
// - AddrWait/AddrWakeAll: park until a predicate on the object turns false.
// - SemAcquire/SemRelease: Go's runtime semaphore (semacquire/semrelease) on a
//   32-bit count, FIFO with optional LIFO re-queueing and direct hand-off, for
//   sync::Mutex and sync::RWMutex.
// - NotifyList*: Go's notifyList, ticket-ordered waits for sync::Cond.
#ifndef GORO_LIB_RUNTIME_SEMA_H_
#define GORO_LIB_RUNTIME_SEMA_H_

#include <atomic>
#include <cstdint>

namespace goro::internal {

// AddrWait parks the caller on addr unless still_blocked(ctx) is false when
// checked under the table's lock. Spurious returns are possible: callers loop.
void AddrWait(const void* addr, bool (*still_blocked)(const void* ctx), const void* ctx);

// AddrWakeAll wakes every goroutine parked on addr by AddrWait.
void AddrWakeAll(const void* addr);

// SemAcquire waits until *sema > 0 and then decrements it (Go's semacquire).
// Waiters queue FIFO; lifo puts the caller at the head of sema's queue instead
// (Go does this for a mutex waiter that has already waited once). Everything
// done before the SemRelease that lets the caller through is visible to it.
void SemAcquire(std::atomic<uint32_t>* sema, bool lifo = false);

// SemRelease increments *sema and wakes the first waiter, if any. With handoff,
// the count goes straight to that waiter (it returns without competing with
// newcomers), as Go's starving mutex does.
void SemRelease(std::atomic<uint32_t>* sema, bool handoff = false);

// A notify list is two counters owned by the caller (sync::Cond): wait, the
// next ticket to hand out, and notify, the next ticket to wake. Tickets are
// woken in order.
//
// NotifyListAdd takes a ticket. NotifyListWait(t) then parks until ticket t is
// notified (at once if it already was). NotifyListAbandon(t) gives up a ticket
// that will never wait (its owner threw in between): a notification meant for
// it passes on to the next ticket. NotifyListNotifyOne wakes the oldest
// unwoken ticket; NotifyListNotifyAll wakes all taken tickets. NotifyListDrop
// forgets what the table holds for a list about to be destroyed.
uint32_t NotifyListAdd(std::atomic<uint32_t>* wait);
void NotifyListWait(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify, uint32_t t);
void NotifyListAbandon(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify,
                       uint32_t t);
void NotifyListNotifyOne(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify);
void NotifyListNotifyAll(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify);
void NotifyListDrop(std::atomic<uint32_t>* wait);

}  // namespace goro::internal

#endif  // GORO_LIB_RUNTIME_SEMA_H_
