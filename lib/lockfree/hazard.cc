// lib/lockfree/hazard.cc: the hazard-pointer domain (goro/internal/hazard.h).
//
// One process-wide list of Slots that only grows (a Slot is reused, never
// freed), a per-thread cache of free Slots, a per-thread list of retired
// objects, and a global list of orphans: retired objects left by threads that
// exited before they could delete them, adopted by the next scan anywhere.
//
// The per-thread state is a trivially destructible thread_local (so it stays
// usable while other thread_locals are destroyed at thread exit); a separate
// thread_local hook with a destructor flushes it when the thread ends.
#include "goro/internal/hazard.h"

#include <algorithm>
#include <vector>

namespace goro::internal::hazard {
namespace {

constexpr int kCache = 4;

std::atomic<Slot*> g_slots{nullptr};
std::atomic<std::size_t> g_num_slots{0};
std::atomic<Retired*> g_orphans{nullptr};
std::atomic<std::size_t> g_pending{0};

struct Local {
  Slot* cache[kCache];
  int ncache;
  Retired* retired;
  std::size_t nretired;
  bool hooked;   // the exit hook is armed
  bool exiting;  // the exit hook has run: no caching, retire to orphans
};
thread_local Local t_local{};  // zero-initialized, trivially destructible

void PushOrphans(Retired* first, Retired* last) {
  Retired* head = g_orphans.load(std::memory_order_relaxed);
  do {
    last->next_retired = head;
  } while (!g_orphans.compare_exchange_weak(head, first, std::memory_order_release,
                                            std::memory_order_relaxed));
}

// Scan deletes every object on l's list (plus the adopted orphans) that no
// Slot names, and keeps the rest.
void Scan(Local& l) {
  if (Retired* o = g_orphans.exchange(nullptr, std::memory_order_acquire)) {
    Retired* tail = o;
    std::size_t n = 1;
    while (tail->next_retired) {
      tail = tail->next_retired;
      n++;
    }
    tail->next_retired = l.retired;
    l.retired = o;
    l.nretired += n;
  }
  if (!l.retired) return;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  std::vector<const void*> hazards;
  hazards.reserve(g_num_slots.load(std::memory_order_relaxed) + 8);
  for (Slot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
    if (const void* p = s->ptr.load(std::memory_order_seq_cst)) hazards.push_back(p);
  }
  std::sort(hazards.begin(), hazards.end());
  // Detach the list first: a deleter may retire (or even scan) again.
  Retired* r = l.retired;
  l.retired = nullptr;
  l.nretired = 0;
  Retired* keep = nullptr;
  std::size_t nkeep = 0;
  std::size_t freed = 0;
  while (r) {
    Retired* next = r->next_retired;
    if (std::binary_search(hazards.begin(), hazards.end(), static_cast<const void*>(r))) {
      r->next_retired = keep;
      keep = r;
      nkeep++;
    } else {
      r->deleter(r);
      freed++;
    }
    r = next;
  }
  g_pending.fetch_sub(freed, std::memory_order_relaxed);
  // Put the survivors back in front of whatever the deleters retired.
  if (keep) {
    Retired* tail = keep;
    while (tail->next_retired) tail = tail->next_retired;
    tail->next_retired = l.retired;
    l.retired = keep;
    l.nretired += nkeep;
  }
}

struct ExitHook {
  ~ExitHook() {
    Local& l = t_local;
    for (int i = 0; i < l.ncache; i++) l.cache[i]->used.store(false, std::memory_order_release);
    l.ncache = 0;
    l.exiting = true;
    Scan(l);
    if (l.retired) {
      Retired* tail = l.retired;
      while (tail->next_retired) tail = tail->next_retired;
      PushOrphans(l.retired, tail);
      l.retired = nullptr;
      l.nretired = 0;
    }
  }
};
thread_local ExitHook t_exit_hook;

Local& Here() {
  Local& l = t_local;
  if (!l.hooked && !l.exiting) {
    l.hooked = true;
    (void)&t_exit_hook;  // odr-use: constructs the hook, whose destructor flushes l
  }
  return l;
}

}  // namespace

Slot* AcquireSlot() {
  Local& l = Here();
  if (l.ncache > 0) return l.cache[--l.ncache];
  for (Slot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
    if (!s->used.load(std::memory_order_relaxed)) {
      bool expected = false;
      if (s->used.compare_exchange_strong(expected, true, std::memory_order_acquire,
                                          std::memory_order_relaxed)) {
        return s;
      }
    }
  }
  Slot* s = new Slot;
  s->used.store(true, std::memory_order_relaxed);
  Slot* head = g_slots.load(std::memory_order_relaxed);
  do {
    s->next = head;
  } while (!g_slots.compare_exchange_weak(head, s, std::memory_order_release,
                                          std::memory_order_relaxed));
  g_num_slots.fetch_add(1, std::memory_order_relaxed);
  return s;
}

void ReleaseSlot(Slot* s) {
  s->ptr.store(nullptr, std::memory_order_release);
  Local& l = Here();
  if (!l.exiting && l.ncache < kCache) {
    l.cache[l.ncache++] = s;
  } else {
    s->used.store(false, std::memory_order_release);
  }
}

void Retire(Retired* r) {
  g_pending.fetch_add(1, std::memory_order_relaxed);
  Local& l = Here();
  if (l.exiting) {
    r->next_retired = nullptr;
    PushOrphans(r, r);
    return;
  }
  r->next_retired = l.retired;
  l.retired = r;
  l.nretired++;
  if (l.nretired >= 64 + 2 * g_num_slots.load(std::memory_order_relaxed)) Scan(l);
}

void Drain() { Scan(Here()); }

std::size_t PendingForTest() { return g_pending.load(std::memory_order_relaxed); }

}  // namespace goro::internal::hazard
