// lib/runtime/sema.cc: the address-keyed wait table.
//
// 251 buckets, each a lock and a singly linked queue (head and tail) of the
// goroutines parked on the addresses that hash to it. A waiter's node lives on
// its own stack; the waker unlinks it under the bucket's lock, fills in the
// result, releases the lock, and calls Unpark as its last touch of the node.
// The one exception is an abandoned notify-list ticket, whose owner has
// returned: its node is on the heap and is freed by whoever removes it.
#include "runtime/sema.h"

#include <cstdint>

#include "runtime/futex.h"
#include "runtime/park.h"

namespace goro::internal {
namespace {

enum class Kind : uint8_t { kAddr, kSema, kNotify, kAbandoned };

struct Node {
  Node(Kind k, const void* a, uint32_t t = 0) : addr(a), ticket(t), kind(k) {}
  const void* addr;
  Node* next = nullptr;
  uint32_t ticket;        // kNotify, kAbandoned: the notify-list ticket
  Kind kind;
  bool acquired = false;  // kSema: SemRelease handed the count over
  WaitState ws;
};

struct alignas(64) Bucket {
  Lock mu;
  Node* head = nullptr;
  Node* tail = nullptr;
  // Semaphore waiters queued here, read without the lock by SemRelease.
  std::atomic<uint32_t> nsema{0};
};

constexpr int kBuckets = 251;
Bucket buckets[kBuckets];

// Abandoned notify-list nodes in the whole table: NotifyListDrop looks only
// when there are some.
std::atomic<int> abandoned_nodes{0};

Bucket& For(const void* addr) {
  auto a = reinterpret_cast<uintptr_t>(addr);
  return buckets[(a >> 3) % kBuckets];
}

void Append(Bucket& b, Node* n) {
  n->next = nullptr;
  if (b.tail == nullptr) {
    b.head = n;
  } else {
    b.tail->next = n;
  }
  b.tail = n;
}

void PushFront(Bucket& b, Node* n) {
  n->next = b.head;
  b.head = n;
  if (b.tail == nullptr) b.tail = n;
}

// RemoveFirst unlinks and returns the first node for which match(n) holds.
template <class Match>
Node* RemoveFirst(Bucket& b, Match match) {
  Node* prev = nullptr;
  for (Node* n = b.head; n != nullptr; prev = n, n = n->next) {
    if (!match(n)) continue;
    (prev == nullptr ? b.head : prev->next) = n->next;
    if (b.tail == n) b.tail = prev;
    n->next = nullptr;
    return n;
  }
  return nullptr;
}

// RemoveAll unlinks every node for which match(n) holds and returns them as a
// list in queue order.
template <class Match>
Node* RemoveAll(Bucket& b, Match match) {
  Node* out_head = nullptr;
  Node* out_tail = nullptr;
  Node* prev = nullptr;
  for (Node* n = b.head; n != nullptr;) {
    Node* next = n->next;
    if (match(n)) {
      (prev == nullptr ? b.head : prev->next) = next;
      if (b.tail == n) b.tail = prev;
      n->next = nullptr;
      (out_tail == nullptr ? out_head : out_tail->next) = n;
      out_tail = n;
    } else {
      prev = n;
    }
    n = next;
  }
  return out_head;
}

// UnparkList wakes every node of a list made by RemoveAll.
void UnparkList(Node* n) {
  while (n != nullptr) {
    Node* next = n->next;  // read before Unpark: the node dies with it
    Unpark(&n->ws);
    n = next;
  }
}

bool CanAcquire(std::atomic<uint32_t>* sema) {
  uint32_t v = sema->load(std::memory_order_relaxed);
  while (v > 0) {
    if (sema->compare_exchange_weak(v, v - 1, std::memory_order_seq_cst,
                                    std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

// Less compares tickets, which may wrap around.
bool Less(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }

// NotifyOneLocked advances the list past the oldest unwoken ticket and returns
// that ticket's parked node, or nullptr when no ticket is waiting or the
// ticket's owner has not parked yet (it will see that it was notified).
// Abandoned tickets are skipped: the notification goes on to the next one.
Node* NotifyOneLocked(Bucket& b, std::atomic<uint32_t>* wait,
                      std::atomic<uint32_t>* notify) {
  for (;;) {
    uint32_t t = notify->load(std::memory_order_relaxed);
    if (t == wait->load(std::memory_order_seq_cst)) return nullptr;
    notify->store(t + 1, std::memory_order_seq_cst);
    Node* n = RemoveFirst(b, [&](Node* x) {
      return x->addr == wait && x->ticket == t &&
             (x->kind == Kind::kNotify || x->kind == Kind::kAbandoned);
    });
    if (n == nullptr || n->kind == Kind::kNotify) return n;
    delete n;
    abandoned_nodes.fetch_sub(1, std::memory_order_relaxed);
  }
}

}  // namespace

void AddrWait(const void* addr, bool (*still_blocked)(const void* ctx), const void* ctx) {
  Bucket& b = For(addr);
  Node n(Kind::kAddr, addr);
  {
    LockGuard g(b.mu);
    if (!still_blocked(ctx)) return;
    Append(b, &n);
  }
  Park(&n.ws);
}

void AddrWakeAll(const void* addr) {
  Bucket& b = For(addr);
  Node* woken;
  {
    LockGuard g(b.mu);
    woken = RemoveAll(b, [&](Node* n) { return n->kind == Kind::kAddr && n->addr == addr; });
  }
  UnparkList(woken);
}

void SemAcquire(std::atomic<uint32_t>* sema, bool lifo) {
  if (CanAcquire(sema)) return;
  Bucket& b = For(sema);
  for (;;) {
    Node n(Kind::kSema, sema);
    {
      LockGuard g(b.mu);
      // Count ourselves before the last try: a SemRelease that adds to *sema
      // after this try then sees nsema > 0 (both seq_cst) and wakes someone.
      b.nsema.fetch_add(1, std::memory_order_seq_cst);
      if (CanAcquire(sema)) {
        b.nsema.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
      if (lifo) {
        PushFront(b, &n);
      } else {
        Append(b, &n);
      }
    }
    Park(&n.ws);
    if (n.acquired || CanAcquire(sema)) return;
  }
}

void SemRelease(std::atomic<uint32_t>* sema, bool handoff) {
  sema->fetch_add(1, std::memory_order_seq_cst);
  Bucket& b = For(sema);
  if (b.nsema.load(std::memory_order_seq_cst) == 0) return;
  Node* w;
  {
    LockGuard g(b.mu);
    if (b.nsema.load(std::memory_order_relaxed) == 0) return;
    w = RemoveFirst(b, [&](Node* n) { return n->kind == Kind::kSema && n->addr == sema; });
    if (w == nullptr) return;  // the waiters here are on other addresses
    b.nsema.fetch_sub(1, std::memory_order_relaxed);
  }
  // A newcomer may take the count first; then the waiter competes again.
  if (handoff && CanAcquire(sema)) w->acquired = true;
  Unpark(&w->ws);
}

uint32_t NotifyListAdd(std::atomic<uint32_t>* wait) {
  return wait->fetch_add(1, std::memory_order_seq_cst);
}

void NotifyListWait(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify, uint32_t t) {
  Bucket& b = For(wait);
  Node n(Kind::kNotify, wait, t);
  {
    LockGuard g(b.mu);
    if (Less(t, notify->load(std::memory_order_relaxed))) return;  // already notified
    Append(b, &n);
  }
  Park(&n.ws);
}

void NotifyListAbandon(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify,
                       uint32_t t) {
  Bucket& b = For(wait);
  Node* w = nullptr;
  {
    LockGuard g(b.mu);
    uint32_t next = notify->load(std::memory_order_relaxed);
    if (Less(t, next)) {
      w = NotifyOneLocked(b, wait, notify);  // t's notification goes to the next ticket
    } else if (t == next) {
      notify->store(t + 1, std::memory_order_seq_cst);
    } else {
      Append(b, new Node(Kind::kAbandoned, wait, t));
      abandoned_nodes.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (w != nullptr) Unpark(&w->ws);
}

void NotifyListNotifyOne(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify) {
  // Fast path: no ticket taken since the last notification.
  if (wait->load(std::memory_order_seq_cst) == notify->load(std::memory_order_seq_cst)) return;
  Bucket& b = For(wait);
  Node* w;
  {
    LockGuard g(b.mu);
    w = NotifyOneLocked(b, wait, notify);
  }
  if (w != nullptr) Unpark(&w->ws);
}

void NotifyListNotifyAll(std::atomic<uint32_t>* wait, std::atomic<uint32_t>* notify) {
  if (wait->load(std::memory_order_seq_cst) == notify->load(std::memory_order_seq_cst)) return;
  Bucket& b = For(wait);
  Node* woken;
  Node* dead;
  {
    LockGuard g(b.mu);
    notify->store(wait->load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    dead = RemoveAll(b, [&](Node* n) { return n->kind == Kind::kAbandoned && n->addr == wait; });
    woken = RemoveAll(b, [&](Node* n) { return n->kind == Kind::kNotify && n->addr == wait; });
  }
  while (dead != nullptr) {
    Node* next = dead->next;
    delete dead;
    abandoned_nodes.fetch_sub(1, std::memory_order_relaxed);
    dead = next;
  }
  UnparkList(woken);
}

void NotifyListDrop(std::atomic<uint32_t>* wait) {
  if (abandoned_nodes.load(std::memory_order_relaxed) == 0) return;
  Bucket& b = For(wait);
  Node* dead;
  {
    LockGuard g(b.mu);
    dead = RemoveAll(b, [&](Node* n) { return n->kind == Kind::kAbandoned && n->addr == wait; });
  }
  while (dead != nullptr) {
    Node* next = dead->next;
    delete dead;
    abandoned_nodes.fetch_sub(1, std::memory_order_relaxed);
    dead = next;
  }
}

}  // namespace goro::internal
