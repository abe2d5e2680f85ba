// lib/chan/select.cc: Go's select (runtime/select.go selectgo).
//
// 1. Shuffle the non-nil cases into a random poll order; sort them by channel
//    address into the lock order (ties keep the random poll order).
// 2. Lock every channel (each once, in address order) and poll in poll order:
//    the first ready case runs. This sees all channels at one instant, so a
//    select with default never takes default while a case is ready.
// 3. Otherwise (no default) queue one Sudog per case, all sharing one
//    WaitState, unlock, and park. The waker that wins the CAS on `claimed`
//    completes its case; others skip our Sudogs.
// 4. After waking, lock everything again and unlink the Sudogs still queued.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "chan/chan.h"
#include "goro/internal/task.h"
#include "goro/panic.h"

namespace goro::internal {
namespace {

thread_local uint64_t rng_state = 0;

uint32_t FastRand() {
  if (rng_state == 0) {
    rng_state = static_cast<uint64_t>(
                    std::chrono::steady_clock::now().time_since_epoch().count()) ^
                reinterpret_cast<uintptr_t>(&rng_state) ^ 0x9E3779B97F4A7C15ull;
    if (rng_state == 0) rng_state = 1;
  }
  // xorshift64*
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return static_cast<uint32_t>((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t FastRandN(uint32_t n) {
  return static_cast<uint32_t>((static_cast<uint64_t>(FastRand()) * n) >> 32);
}

// Small buffers on the stack for the common case.
template <class T, int N = 16>
class Buf {
 public:
  explicit Buf(int n) : p_(n <= N ? small_ : (big_.resize(static_cast<size_t>(n)), big_.data())) {}
  T& operator[](int i) { return p_[i]; }
  T* data() { return p_; }

 private:
  T small_[N];
  std::vector<T> big_;
  T* p_;
};

void LockAll(SelCase* cases, int* lockorder, int n) {
  ChanBase* prev = nullptr;
  for (int k = 0; k < n; k++) {
    ChanBase* c = cases[lockorder[k]].c;
    if (c != prev) c->lock.lock();
    prev = c;
  }
}

void UnlockAll(SelCase* cases, int* lockorder, int n) {
  for (int k = n - 1; k >= 0; k--) {
    ChanBase* c = cases[lockorder[k]].c;
    if (k == 0 || cases[lockorder[k - 1]].c != c) c->lock.unlock();
  }
}

}  // namespace

SelResult SelectGo(SelCase* cases, int n, int dflt) {
  Buf<int> poll(n);
  Buf<int> lockorder(n);
  int norder = 0;
  for (int i = 0; i < n; i++) {
    if (i == dflt || cases[i].c == nullptr) continue;
    int j = static_cast<int>(FastRandN(static_cast<uint32_t>(norder + 1)));
    poll[norder] = poll[j];
    poll[j] = i;
    norder++;
  }
  if (norder == 0) {
    if (dflt >= 0) return {dflt, false};
    BlockForever();
  }
  // Lock order: by channel address; equal channels keep their random poll
  // order (which of two send cases one partner completes stays random).
  // Insertion sort: selects are small, and it allocates nothing.
  std::less<ChanBase*> before;
  for (int k = 0; k < norder; k++) {
    int idx = poll[k];
    int j = k;
    while (j > 0 && before(cases[idx].c, cases[lockorder[j - 1]].c)) {
      lockorder[j] = lockorder[j - 1];
      j--;
    }
    lockorder[j] = idx;
  }

  // Pass 1: poll.
  LockAll(cases, lockorder.data(), norder);
  for (int k = 0; k < norder; k++) {
    int i = poll[k];
    SelCase& sc = cases[i];
    ChanBase* c = sc.c;
    WaitState* wake = nullptr;
    if (sc.is_send) {
      if (c->closed) {
        UnlockAll(cases, lockorder.data(), norder);
        throw Panic("send on closed channel");
      }
      if (SendLocked(c, sc.elem, &wake)) {
        UnlockAll(cases, lockorder.data(), norder);
        if (wake != nullptr) Unpark(wake);
        return {i, false};
      }
    } else {
      if (RecvLocked(c, sc.elem, &wake)) {
        UnlockAll(cases, lockorder.data(), norder);
        if (wake != nullptr) Unpark(wake);
        return {i, true};
      }
      if (c->closed) {
        UnlockAll(cases, lockorder.data(), norder);
        c->ops->zero(sc.elem);
        return {i, false};
      }
    }
  }
  if (dflt >= 0) {
    UnlockAll(cases, lockorder.data(), norder);
    return {dflt, false};
  }

  // Pass 2: queue on every channel, in lock order. Keep each channel alive
  // until pass 3 has unlinked us: its last handle may go away while we sleep.
  WaitState ws;
  Buf<Sudog> sg(norder);
  Buf<std::shared_ptr<ChanBase>> keep(norder);
  bool first = true;  // nobody queued ahead of us anywhere: worth spinning
  for (int k = 0; k < norder; k++) {
    if (k == 0 || cases[lockorder[k]].c != cases[lockorder[k - 1]].c) {
      keep[k] = cases[lockorder[k]].c->shared_from_this();
    }
    int i = lockorder[k];
    Sudog& s = sg[k];
    s.ws = &ws;
    s.elem = cases[i].elem;
    s.c = cases[i].c;
    s.case_index = i;
    s.is_select = true;
    WaitQ& q = cases[i].is_send ? s.c->sendq : s.c->recvq;
    if (!q.empty()) first = false;
    q.Push(&s);
  }
  UnlockAll(cases, lockorder.data(), norder);

  Park(&ws, first);

  // Pass 3: unlink the cases that lost.
  LockAll(cases, lockorder.data(), norder);
  for (int k = 0; k < norder; k++) {
    Sudog& s = sg[k];
    if (s.queued) (cases[s.case_index].is_send ? s.c->sendq : s.c->recvq).Remove(&s);
  }
  UnlockAll(cases, lockorder.data(), norder);

  int i = ws.fired;
  if (cases[i].is_send) {
    if (!ws.success) throw Panic("send on closed channel");
    return {i, false};
  }
  if (!ws.success) cases[i].c->ops->zero(cases[i].elem);  // kept alive by `keep`
  return {i, ws.success};
}

}  // namespace goro::internal
