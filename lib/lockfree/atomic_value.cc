// lib/lockfree/atomic_value.cc: atomic::Value (goro/atomic.h).
//
// The value lives in an immutable heap Box; box_ points at the current one.
// Load protects the Box with a hazard pointer and copies the std::any out;
// Store/Swap exchange box_ and retire the old Box; CompareAndSwap compares the
// current Box's value with old and CASes box_. The type is fixed once, in
// type_, by the first store (Go's "first store in progress" word plays the
// same role), so the type checks never touch a Box.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "goro/atomic.h"
#include "goro/panic.h"

namespace goro::atomic {
namespace hz = goro::internal::hazard;

namespace {

std::string TypeName(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(
      abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : std::string(t.name());
}

}  // namespace

Value::~Value() {
  if (Box* b = box_.load(std::memory_order_acquire)) DeleteBox(b);
}

Value::Box* Value::NewBox(std::any v) {
  Box* b = new Box;
  b->v = std::move(v);
  b->deleter = &DeleteBox;
  return b;
}

void Value::DeleteBox(hz::Retired* r) { delete static_cast<Box*>(r); }

void Value::SetEqual(const std::type_info& t, EqualFn fn) {
  const std::type_info* cur = type_.load();
  if (cur != nullptr && *cur != t) return;  // a misuse that is about to panic
  const std::type_info* none = nullptr;
  if (eq_type_.compare_exchange_strong(none, &t)) eq_.store(fn);
}

bool Value::CheckType(const std::type_info& t, const char* what) {
  const std::type_info* cur = nullptr;
  if (type_.compare_exchange_strong(cur, &t)) return false;
  if (*cur != t) throw Panic(what);
  return true;
}

std::any Value::Load() const {
  hz::Guard g;
  const Box* b = g.Protect(box_);
  if (b == nullptr) return std::any();
  return b->v;
}

void Value::Store(std::any v) {
  if (!v.has_value()) throw Panic("sync/atomic: store of nil value into Value");
  CheckType(v.type(), "sync/atomic: store of inconsistently typed value into Value");
  Box* old = box_.exchange(NewBox(std::move(v)));
  if (old) hz::Retire(old);
}

std::any Value::Swap(std::any v) {
  if (!v.has_value()) throw Panic("sync/atomic: swap of nil value into Value");
  CheckType(v.type(), "sync/atomic: swap of inconsistently typed value into Value");
  Box* nb = NewBox(std::move(v));
  // Once exchanged out, the old Box is ours to retire; Loads that still copy
  // from it only read, as we do.
  Box* old = box_.exchange(nb);
  if (old == nullptr) return std::any();
  std::any prev = old->v;
  hz::Retire(old);
  return prev;
}

bool Value::CompareAndSwap(const std::any& old, std::any v) {
  if (!v.has_value()) throw Panic("sync/atomic: compare and swap of nil value into Value");
  if (old.has_value() && old.type() != v.type()) {
    throw Panic("sync/atomic: compare and swap of inconsistently typed values");
  }
  const std::type_info* cur_type = type_.load();
  if (cur_type == nullptr) {
    if (old.has_value()) return false;
    CheckType(v.type(), "sync/atomic: compare and swap of inconsistently typed value into Value");
  } else if (*cur_type != v.type()) {
    throw Panic("sync/atomic: compare and swap of inconsistently typed value into Value");
  }
  if (!old.has_value()) {
    Box* expected = nullptr;
    Box* nb = NewBox(std::move(v));
    if (box_.compare_exchange_strong(expected, nb)) return true;
    delete nb;
    return false;
  }
  hz::Guard g;
  Box* cur = g.Protect(box_);
  if (cur == nullptr) return false;
  EqualFn eq = eq_.load();
  const std::type_info* eq_type = eq_type_.load();
  if (eq == nullptr || *eq_type != v.type()) {
    throw Panic("runtime error: comparing uncomparable type " + TypeName(v.type()));
  }
  if (!eq(cur->v, old)) return false;
  Box* nb = NewBox(std::move(v));
  if (box_.compare_exchange_strong(cur, nb)) {
    g.Clear();
    hz::Retire(cur);
    return true;
  }
  delete nb;
  return false;
}

}  // namespace goro::atomic
