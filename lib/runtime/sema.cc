// lib/runtime/sema.cc: the address-keyed wait table.
#include "runtime/sema.h"

#include <cstdint>

#include "runtime/futex.h"
#include "runtime/park.h"

namespace goro::internal {
namespace {

struct Node {
  const void* addr;
  WaitState ws;
  Node* next = nullptr;
};

struct alignas(64) Bucket {
  Lock mu;
  Node* head = nullptr;
};

constexpr int kBuckets = 251;
Bucket buckets[kBuckets];

Bucket& For(const void* addr) {
  auto a = reinterpret_cast<uintptr_t>(addr);
  return buckets[(a >> 3) % kBuckets];
}

}  // namespace

void AddrWait(const void* addr, bool (*still_blocked)(const void* ctx), const void* ctx) {
  Bucket& b = For(addr);
  Node n;
  n.addr = addr;
  {
    LockGuard g(b.mu);
    if (!still_blocked(ctx)) return;
    n.next = b.head;
    b.head = &n;
  }
  Park(&n.ws);
}

void AddrWakeAll(const void* addr) {
  Bucket& b = For(addr);
  Node* woken = nullptr;
  {
    LockGuard g(b.mu);
    for (Node** pp = &b.head; *pp != nullptr;) {
      Node* n = *pp;
      if (n->addr == addr) {
        *pp = n->next;
        n->next = woken;
        woken = n;
      } else {
        pp = &n->next;
      }
    }
  }
  while (woken != nullptr) {
    Node* next = woken->next;  // read before Unpark: the node dies with it
    Unpark(&woken->ws);
    woken = next;
  }
}

}  // namespace goro::internal
