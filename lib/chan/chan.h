// lib/chan/chan.h: the channel (Go's hchan) and its wait queues (Go's sudog
// lists), shared by chan.cc and select.cc.
#ifndef GORO_LIB_CHAN_CHAN_H_
#define GORO_LIB_CHAN_CHAN_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include "goro/internal/chan_impl.h"
#include "runtime/futex.h"
#include "runtime/park.h"

namespace goro::internal {

// Sudog is one goroutine waiting on one channel (a select has one per case).
// It lives on the waiting goroutine's stack; fields are guarded by the lock of
// the channel it is queued on.
struct Sudog {
  Sudog* prev = nullptr;
  Sudog* next = nullptr;
  WaitState* ws = nullptr;
  void* elem = nullptr;  // send: value to move from; recv: storage to construct
  ChanBase* c = nullptr;
  int case_index = 0;
  bool is_select = false;
  bool queued = false;
};

// WaitQ is a FIFO of Sudogs; O(1) push, pop and removal.
struct WaitQ {
  Sudog* first = nullptr;
  Sudog* last = nullptr;

  bool empty() const { return first == nullptr; }
  void Push(Sudog* s) {
    s->next = nullptr;
    s->prev = last;
    if (last != nullptr) {
      last->next = s;
    } else {
      first = s;
    }
    last = s;
    s->queued = true;
  }
  void Remove(Sudog* s) {
    if (s->prev != nullptr) {
      s->prev->next = s->next;
    } else {
      first = s->next;
    }
    if (s->next != nullptr) {
      s->next->prev = s->prev;
    } else {
      last = s->prev;
    }
    s->prev = s->next = nullptr;
    s->queued = false;
  }
  // Dequeue pops the first waiter that can still be woken: a select's waiter is
  // skipped (and dropped) when another case of that select already won.
  Sudog* Dequeue() {
    while (Sudog* s = first) {
      Remove(s);
      if (s->is_select) {
        uint32_t expected = 0;
        if (!s->ws->claimed.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
          continue;
        }
      }
      return s;
    }
    return nullptr;
  }
};

// ChanBase is owned by the chan<T> handles (shared_ptr). A goroutine parked in
// a select keeps its own references (shared_from_this) until it has unlinked
// itself, since the last handle may go away while it sleeps.
struct ChanBase : std::enable_shared_from_this<ChanBase> {
  Lock lock;
  const ElemOps* ops;
  uint32_t cap;
  std::atomic<uint32_t> qcount{0};  // written under lock; read racily by len()
  uint32_t sendx = 0;
  uint32_t recvx = 0;
  bool closed = false;
  // A timer channel (time::Timer::C): one hidden buffer slot, len and cap report
  // 0 (Go 1.23). Set before the channel is shared; never changes.
  bool timer = false;
  // What the channel keeps alive with it (a timer channel's TimerCore).
  std::shared_ptr<void> attachment;
  WaitQ recvq;
  WaitQ sendq;
  unsigned char* buf = nullptr;

  void* Slot(uint32_t i) { return buf + static_cast<size_t>(i) * ops->size; }

  // Element moves. dst is uninitialized; src stays alive (moved-from).
  void MoveConstruct(void* dst, void* src) const {
    if (ops->trivial) {
      std::memcpy(dst, src, ops->size);
    } else {
      ops->move_construct(dst, src);
    }
  }
  void Destroy(void* p) const {
    if (!ops->trivial) ops->destroy(p);
  }
  // MoveOut moves src into dst and destroys src (a buffer slot).
  void MoveOut(void* dst, void* src) const {
    MoveConstruct(dst, src);
    Destroy(src);
  }
};

// Under c->lock: the core steps shared by plain operations and select.
// Each returns true if it completed; *wake is the partner to Unpark after
// unlocking (or nullptr).
bool SendLocked(ChanBase* c, void* elem, WaitState** wake);
bool RecvLocked(ChanBase* c, void* dst, WaitState** wake);

}  // namespace goro::internal

#endif  // GORO_LIB_CHAN_CHAN_H_
