// lib/chan/chan.cc: channel creation and the plain operations (Go's
// runtime/chan.go: makechan, chansend, chanrecv, closechan).
//
// One lock per channel guards the buffer and both wait queues. A sender that
// finds a waiting receiver moves its value straight into the receiver's storage
// and wakes exactly that receiver, after unlocking; a receiver that finds the
// buffer full and a sender waiting takes the head and moves the sender's value
// to the tail, which keeps FIFO order across the buffer and the blocked senders.
#include "chan/chan.h"

#include <climits>
#include <cstddef>
#include <new>

#include "goro/internal/task.h"
#include "goro/panic.h"

namespace goro::internal {
namespace {

std::align_val_t BufAlign(const ElemOps* ops) {
  return std::align_val_t(ops->align > alignof(std::max_align_t) ? ops->align
                                                                 : alignof(std::max_align_t));
}

void Complete(Sudog* s, WaitState** wake) {
  s->ws->fired = s->case_index;
  s->ws->success = true;
  *wake = s->ws;
}

}  // namespace

void ChanDeleter::operator()(ChanBase* c) const {
  for (uint32_t i = 0; i < c->qcount.load(std::memory_order_relaxed); i++) {
    c->Destroy(c->Slot((c->recvx + i) % c->cap));
  }
  if (c->buf != nullptr) ::operator delete(c->buf, BufAlign(c->ops));
  delete c;
}

ChanPtr MakeChan(const ElemOps* ops, long long size) {
  // Go: negative, or more memory than can ever be allocated. cap() returns an
  // int, so the size must fit one too.
  constexpr long long kMaxBytes = 1LL << 40;
  if (size < 0 || size > INT_MAX ||
      (ops->size > 0 && size > kMaxBytes / static_cast<long long>(ops->size))) {
    throw Panic("makechan: size out of range");
  }
  auto* c = new ChanBase;
  c->ops = ops;
  c->cap = static_cast<uint32_t>(size);
  if (size > 0) {
    try {
      c->buf = static_cast<unsigned char*>(
          ::operator new(static_cast<size_t>(size) * ops->size, BufAlign(ops)));
    } catch (const std::bad_alloc&) {
      delete c;
      throw Panic("makechan: size out of range");
    }
  }
  return ChanPtr(c, ChanDeleter{});
}

bool SendLocked(ChanBase* c, void* elem, WaitState** wake) {
  if (Sudog* r = c->recvq.Dequeue()) {
    c->MoveConstruct(r->elem, elem);
    Complete(r, wake);
    return true;
  }
  uint32_t q = c->qcount.load(std::memory_order_relaxed);
  if (q < c->cap) {
    c->MoveConstruct(c->Slot(c->sendx), elem);
    if (++c->sendx == c->cap) c->sendx = 0;
    c->qcount.store(q + 1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

bool RecvLocked(ChanBase* c, void* dst, WaitState** wake) {
  if (Sudog* s = c->sendq.Dequeue()) {
    if (c->cap == 0) {
      c->MoveConstruct(dst, s->elem);
    } else {
      // Full buffer: take the head, the sender's value goes to the tail.
      void* slot = c->Slot(c->recvx);
      c->MoveOut(dst, slot);
      c->MoveConstruct(slot, s->elem);
      if (++c->recvx == c->cap) c->recvx = 0;
      c->sendx = c->recvx;
    }
    Complete(s, wake);
    return true;
  }
  uint32_t q = c->qcount.load(std::memory_order_relaxed);
  if (q > 0) {
    c->MoveOut(dst, c->Slot(c->recvx));
    if (++c->recvx == c->cap) c->recvx = 0;
    c->qcount.store(q - 1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

namespace {

// Send: block says whether to park when the channel is not ready.
bool Send(ChanBase* c, void* elem, bool block) {
  if (c == nullptr) {
    if (!block) return false;
    BlockForever();
  }
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    throw Panic("send on closed channel");
  }
  WaitState* wake = nullptr;
  if (SendLocked(c, elem, &wake)) {
    c->lock.unlock();
    if (wake != nullptr) Unpark(wake);
    return true;
  }
  if (!block) {
    c->lock.unlock();
    return false;
  }
  WaitState ws;
  Sudog s;
  s.ws = &ws;
  s.elem = elem;
  s.c = c;
  bool first = c->sendq.empty();  // spinning pays only at the head of the queue
  c->sendq.Push(&s);
  c->lock.unlock();
  Park(&ws, first);  // after it, c is not touched: the last handle may be gone
  if (!ws.success) throw Panic("send on closed channel");
  return true;
}

// Recv: 0 not ready (non-blocking only), 1 received, 2 closed (dst zeroed).
int Recv(ChanBase* c, void* dst, bool block) {
  if (c == nullptr) {
    if (!block) return 0;
    BlockForever();
  }
  c->lock.lock();
  WaitState* wake = nullptr;
  if (RecvLocked(c, dst, &wake)) {
    c->lock.unlock();
    if (wake != nullptr) Unpark(wake);
    return 1;
  }
  if (c->closed) {
    c->lock.unlock();
    c->ops->zero(dst);
    return 2;
  }
  if (!block) {
    c->lock.unlock();
    return 0;
  }
  // After Park only locals are used: the last handle to c may be gone by then.
  const ElemOps* ops = c->ops;
  WaitState ws;
  Sudog s;
  s.ws = &ws;
  s.elem = dst;
  s.c = c;
  bool first = c->recvq.empty();
  c->recvq.Push(&s);
  c->lock.unlock();
  Park(&ws, first);
  if (ws.success) return 1;
  ops->zero(dst);  // woken by close
  return 2;
}

}  // namespace

void ChanSend(ChanBase* c, void* elem) { Send(c, elem, true); }
bool ChanTrySend(ChanBase* c, void* elem) { return Send(c, elem, false); }
bool ChanRecv(ChanBase* c, void* dst) { return Recv(c, dst, true) == 1; }
int ChanTryRecv(ChanBase* c, void* dst) { return Recv(c, dst, false); }

void ChanClose(ChanBase* c) {
  if (c == nullptr) throw Panic("close of nil channel");
  Sudog* woken = nullptr;
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    throw Panic("close of closed channel");
  }
  c->closed = true;
  // Every waiter leaves with success == false: receivers return (T{}, false),
  // senders panic. They are woken after the lock is released.
  for (WaitQ* q : {&c->recvq, &c->sendq}) {
    while (Sudog* s = q->Dequeue()) {
      s->ws->fired = s->case_index;
      s->ws->success = false;
      s->next = woken;
      woken = s;
    }
  }
  c->lock.unlock();
  while (woken != nullptr) {
    Sudog* next = woken->next;  // read first: the Sudog dies with Unpark
    Unpark(woken->ws);
    woken = next;
  }
}

int ChanLen(const ChanBase* c) {
  if (c == nullptr || c->timer) return 0;
  return static_cast<int>(c->qcount.load(std::memory_order_relaxed));
}

int ChanCap(const ChanBase* c) {
  return c == nullptr || c->timer ? 0 : static_cast<int>(c->cap);
}

}  // namespace goro::internal
