// goro/panic.h: goro::Panic, Go's panic as a C++ exception.
//
// Mirrors Go's built-in panic. Where Go panics, goro throws a goro::Panic whose
// what() is Go's exact message:
//
//   try {
//     goro::close(goro::chan<int>{});
//   } catch (const goro::Panic& p) {
//     std::cout << p.what();  // close of nil channel
//   }
//
// An exception (a goro::Panic or any other) that escapes a goroutine ends the
// process as an unrecovered Go panic does: `panic: <what()>` and a
// `goroutine N [running]:` line on stderr, exit status 2. Catching it inside the
// goroutine is Go's recover().
#ifndef GORO_PANIC_H_
#define GORO_PANIC_H_

#include <stdexcept>
#include <string>

namespace goro {

// Panic is what goro throws where Go panics. what() is Go's message.
class Panic : public std::logic_error {
 public:
  explicit Panic(const std::string& what) : std::logic_error(what) {}
  explicit Panic(const char* what) : std::logic_error(what) {}
};

}  // namespace goro

#endif  // GORO_PANIC_H_
