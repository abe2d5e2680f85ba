// goro/internal/status.h: Go's errors.Is for goro's named errors. Not for users.
#ifndef GORO_INTERNAL_STATUS_H_
#define GORO_INTERNAL_STATUS_H_

#include <string>

#include "absl/status/status.h"

namespace goro::internal {

// StatusIs reports whether err is want, or wraps it Go-style: the same code and
// a message "<anything>: <want's message>", as fmt.Errorf("op: %w", want)
// reads. The predicates context::IsCanceled, gobreaker::IsOpenState, ... use it.
inline bool StatusIs(const absl::Status& err, const absl::Status& want) {
  if (err.code() != want.code()) return false;
  std::string m(err.message());
  std::string w(want.message());
  if (m == w) return true;
  return m.size() > w.size() + 2 && m.compare(m.size() - w.size(), w.size(), w) == 0 &&
         m.compare(m.size() - w.size() - 2, 2, ": ") == 0;
}

}  // namespace goro::internal

#endif  // GORO_INTERNAL_STATUS_H_
