// context_values: request-scoped values and a deadline, carried by a context
// into the goroutines that serve one request.
//
// Shows typed keys (context::Key<T>: ctx.Value(key) returns const T*), chains
// of WithValue where the innermost value wins, a missing key giving nullptr, a
// Go-style key type with Value<T>, values and the deadline seen from goroutines
// started for the request, and Deadline() along the chain.
//
// Each goro line carries the Go line it stands for in a comment; the Go program
// is docs/examples/go/context_values/main.go. The output is the same on every
// run and for every GOMAXPROCS (the deadline is printed rounded to the second).
// meson test checks it against docs/examples/context_values.expected.
#include <goro/goro.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace goro;  // as goro's header examples do: context::, time::, sync::

namespace {

// A User is who made the request.
struct User {                                   // type User struct {
  std::string name;                             //     Name  string
  bool admin = false;                           //     Admin bool
};                                              // }

// The request's keys. A Key<T> is a key of its own (as a Go key of an
// unexported type) and says what it holds, so Value needs no type assertion.
const context::Key<std::string> kRequestID("request-id");  // type ctxKey int
const context::Key<User> kUser("user");         // const (requestIDKey ctxKey = iota; userKey)

// Go's own idiom works too: any ==-comparable value is a key, and keys of
// different types never match. Value<T> then names the type to read.
struct traceKey {                               // type traceKey struct{}
  friend bool operator==(traceKey, traceKey) = default;
};

// describe prints the request id and user that ctx carries.
void describe(const char* who, const context::Context& ctx) {  // func describe(who string, ctx context.Context) {
  const std::string* id = ctx.Value(kRequestID);  //   id, _ := ctx.Value(requestIDKey).(string)
  const User* user = ctx.Value(kUser);          //     user, _ := ctx.Value(userKey).(User)
  std::printf("%s: request %s, user %s\n",      //     fmt.Printf("%s: request %s, user %s\n",
              who, id->c_str(), user->name.c_str());  //     who, id, user.Name)
}                                               // }

}  // namespace

int main() {                                    // func main() {
  // WithValue derives a child; the parent is unchanged.
  context::Context ctx = context::Background(); //     ctx := context.Background()
  ctx = context::WithValue(ctx, kRequestID, "req-42");  // ctx = context.WithValue(ctx, requestIDKey, "req-42")
  ctx = context::WithValue(ctx, kUser, User{"gopher", false});  // ctx = context.WithValue(ctx, userKey, User{"gopher", false})
  describe("handler", ctx);                     //     describe("handler", ctx)

  // A retry layer sets its own request id: the innermost value wins, and the
  // user is still found further up the chain.
  context::Context retry = context::WithValue(ctx, kRequestID, "req-42/retry");  // retry := context.WithValue(ctx, requestIDKey, "req-42/retry")
  describe("retry", retry);                     //     describe("retry", retry)
  describe("handler again", ctx);               //     describe("handler again", ctx)

  // A missing key gives nullptr (Go: nil, and ok == false). So does another
  // Key with the same name: it is a different key.
  const context::Key<std::string> kOtherRequestID("request-id");  // type otherKey int; const otherRequestIDKey otherKey = 0
  const std::string* other = retry.Value(kOtherRequestID);  // _, ok := retry.Value(otherRequestIDKey).(string)
  std::printf("another key named request-id: %s\n",  // fmt.Println("another key named request-id:", ok)
              other != nullptr ? "true" : "false");
  const std::string* trace = retry.Value<std::string>(traceKey{});  // trace, ok := retry.Value(traceKey{}).(string)
  std::printf("trace id before: %s\n",          //     fmt.Println("trace id before:", ok)
              trace != nullptr ? "true" : "false");
  context::Context traced = context::WithValue(retry, traceKey{}, "trace-7");  // traced := context.WithValue(retry, traceKey{}, "trace-7")
  trace = traced.Value<std::string>(traceKey{}); //     trace, ok = traced.Value(traceKey{}).(string)
  std::printf("trace id after: %s\n", trace->c_str());  // fmt.Println("trace id after:", trace)

  // A deadline for the whole request. Deadline() reports it; Background has none.
  auto [bg_deadline, bg_has] = context::Background().Deadline();  // _, ok = context.Background().Deadline()
  std::printf("background has a deadline: %s\n", bg_has ? "true" : "false");  // fmt.Println("background has a deadline:", ok)
  auto [rctx, cancel] = context::WithTimeout(traced, 2 * time::Second);  // rctx, cancel := context.WithTimeout(traced, 2*time.Second)
  auto [deadline, has] = rctx.Deadline();       //     deadline, ok := rctx.Deadline()
  std::printf("request deadline: %s, in %s\n", has ? "true" : "false",  // fmt.Printf("request deadline: %v, in %v\n", ok,
              time::Until(deadline).Round(time::Second).String().c_str());  // time.Until(deadline).Round(time.Second))

  // A child cannot extend its parent's deadline: the earlier one wins.
  auto [child, cancel_child] = context::WithTimeout(rctx, time::Hour);  // child, cancelChild := context.WithTimeout(rctx, time.Hour)
  auto [child_deadline, child_has] = child.Deadline();  // childDeadline, _ := child.Deadline()
  std::printf("an hour-long child keeps the request's deadline: %s\n",  // fmt.Println("an hour-long child keeps the request's deadline:",
              child_deadline.Equal(deadline) ? "true" : "false");  // childDeadline.Equal(deadline))
  cancel_child();                               //     cancelChild()

  // Values and the deadline flow into the goroutines started for the request.
  auto results = make_chan<std::string>(3);     //     results := make(chan string, 3)
  sync::WaitGroup wg;                           //     var wg sync.WaitGroup
  for (int w = 1; w <= 3; w++) {                //     for w := 1; w <= 3; w++ {
    wg.Add(1);                                  //         wg.Add(1)
    go([rctx = rctx, deadline = deadline, results, &wg](int w) {  // go func(w int) {
      const std::string* id = rctx.Value(kRequestID);  //      id := rctx.Value(requestIDKey).(string)
      const User* user = rctx.Value(kUser);     //             user := rctx.Value(userKey).(User)
      const std::string* trace = rctx.Value<std::string>(traceKey{});  // trace := rctx.Value(traceKey{}).(string)
      auto [d, ok] = rctx.Deadline();           //             d, ok := rctx.Deadline()
      results.send("worker " + std::to_string(w) + ": " + *id + " for " + user->name +
                   ", trace " + *trace + ", same deadline: " +
                   (ok && d.Equal(deadline) ? "true" : "false"));
      // results <- fmt.Sprintf("worker %d: %s for %s, trace %s, same deadline: %v",
      //     w, id, user.Name, trace, ok && d.Equal(deadline))
      wg.Done();                                //             wg.Done()
    }, w);                                      //         }(w)
  }                                             //     }
  wg.Wait();                                    //     wg.Wait()
  close(results);                               //     close(results)
  std::vector<std::string> lines;               //     var lines []string
  for (std::string line : results) lines.push_back(line);  // for line := range results { lines = append(lines, line) }
  std::sort(lines.begin(), lines.end());        //     sort.Strings(lines)
  for (const std::string& line : lines) std::printf("%s\n", line.c_str());  // for _, line := range lines { fmt.Println(line) }

  cancel();                                     //     cancel() // always: releases the deadline's timer now
  std::printf("after cancel: %s\n",             //     fmt.Println("after cancel:", rctx.Err())
              std::string(rctx.Err().message()).c_str());
}                                               // }
