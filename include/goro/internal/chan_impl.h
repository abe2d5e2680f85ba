// goro/internal/chan_impl.h: the type-erased channel core behind chan<T> and
// select. Not for users: names here may change at any time.
//
// The channel itself (ChanBase: lock, ring buffer, wait queues) lives in lib/;
// public templates only describe their element type (ElemOps) and call the
// functions below with pointers to values.
#ifndef GORO_INTERNAL_CHAN_IMPL_H_
#define GORO_INTERNAL_CHAN_IMPL_H_

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace goro::internal {

struct ChanBase;  // defined in lib/chan/chan.h; derives enable_shared_from_this

// ElemOps describes a channel's element type to the type-erased core.
struct ElemOps {
  std::size_t size;
  std::size_t align;
  bool trivial;  // trivially copyable and destructible: memcpy, no destroy
  // Move-constructs *src into uninitialized dst; *src stays alive (moved-from).
  void (*move_construct)(void* dst, void* src);
  void (*destroy)(void* p);
  void (*zero)(void* dst);  // value-initializes dst: Go's zero value T{}
};

template <class T>
struct ElemOpsFor {
  static void Move(void* dst, void* src) {
    ::new (dst) T(std::move(*static_cast<T*>(src)));
  }
  static void Destroy(void* p) { static_cast<T*>(p)->~T(); }
  static void Zero(void* dst) { ::new (dst) T(); }
  static constexpr ElemOps ops = {
      sizeof(T), alignof(T),
      std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
      &Move, &Destroy, &Zero};
};

struct ChanDeleter {
  void operator()(ChanBase* c) const;
};
using ChanPtr = std::shared_ptr<ChanBase>;

// MakeChan creates a channel of `size` slots; panics "makechan: size out of range".
ChanPtr MakeChan(const ElemOps* ops, long long size);

// The operations. c == nullptr is the nil channel.
void ChanSend(ChanBase* c, void* elem);      // moves from *elem; may panic
bool ChanTrySend(ChanBase* c, void* elem);   // non-blocking; false if it would block
bool ChanRecv(ChanBase* c, void* dst);       // constructs *dst; returns ok
// Non-blocking receive: 0 would block (dst untouched), 1 value, 2 closed (dst zeroed).
int ChanTryRecv(ChanBase* c, void* dst);
void ChanClose(ChanBase* c);
int ChanLen(const ChanBase* c);
int ChanCap(const ChanBase* c);

// One case of a select, as the core sees it.
struct SelCase {
  ChanBase* c;  // nullptr: never ready
  void* elem;   // send: the value to move from; recv: uninitialized storage
  bool is_send;
};

struct SelResult {
  int index;     // the case that ran; `dflt` index when default ran
  bool recv_ok;  // for a receive case
};

// SelectGo runs a select over cases[0..n). dflt is the index of the default case,
// or -1 for a blocking select. On a receive case *elem has been constructed.
SelResult SelectGo(SelCase* cases, int n, int dflt);

// Uninitialized storage for one T, destroyed only if it was constructed.
template <class T>
class Slot {
 public:
  Slot() = default;
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() { reset(); }
  void* raw() { return static_cast<void*>(buf_); }
  void set_constructed() { live_ = true; }
  T& get() { return *std::launder(reinterpret_cast<T*>(buf_)); }
  void reset() {
    if (live_) {
      get().~T();
      live_ = false;
    }
  }

 private:
  alignas(T) unsigned char buf_[sizeof(T)];
  bool live_ = false;
};

}  // namespace goro::internal

#endif  // GORO_INTERNAL_CHAN_IMPL_H_
