// flaky_client: a client that calls a flaky service through a rate limiter and
// a circuit breaker, and prints what happens to every call.
//
// The service is down from 1s to 2.4s. The client wants to call it every
// 125 ms; a rate::Limiter (4 calls a second, bursts of 2) holds some calls back,
// and a gobreaker::CircuitBreaker opens after 3 failures in a row, so the
// client stops hammering a service that is down, then probes it after a
// timeout (half-open) and closes again once 2 probes in a row succeed.
//
// Time is simulated: one clock, advanced by the loop, feeds the limiter
// (AllowN(now, 1), as in Go) and the breaker (Settings.Now, goro's injectable
// clock), so the program runs in no time and prints the same on every run,
// for every GOMAXPROCS; meson test checks it against flaky_client.expected.
//
// Each goro line carries the Go line it stands for in a comment; the Go program
// is docs/examples/go/flaky_client/main.go.
#include <goro/gobreaker.h>
#include <goro/rate.h>

#include <cstdio>
#include <string>

using namespace goro;  // gobreaker::, rate::, time::

namespace {

time::Time start = time::Unix(1700000000, 0);   // var start = time.Unix(1700000000, 0)
time::Time now = start;                         // var now = start // the simulated clock

// fetchStock is the flaky service: down (503) from 1s to 2.4s.
absl::StatusOr<int> fetchStock() {              // func fetchStock() (int, error) {
  time::Duration t = now.Sub(start);            //     t := now.Sub(start)
  if (t >= time::Second && t < 2400 * time::Millisecond) {  // if t >= time.Second && t < 2400*time.Millisecond {
    return absl::UnavailableError("503 service unavailable");  // return 0, errors.New("503 service unavailable")
  }                                             //     }
  return 42;                                    //     return 42, nil
}                                               // }

}  // namespace

int main() {                                    // func main() {
  auto lim = rate::NewLimiter(rate::Every(250 * time::Millisecond), 2);  // lim := rate.NewLimiter(rate.Every(250*time.Millisecond), 2)
  gobreaker::Settings st;                       // var st gobreaker.Settings
  st.Name = "inventory";                        // st.Name = "inventory"
  st.MaxRequests = 2;                           // st.MaxRequests = 2
  st.Timeout = 600 * time::Millisecond;         // st.Timeout = 600 * time.Millisecond
  st.ReadyToTrip = [](const gobreaker::Counts& c) {  // st.ReadyToTrip = func(c gobreaker.Counts) bool {
    return c.ConsecutiveFailures >= 3;          //     return c.ConsecutiveFailures >= 3
  };                                            // }
  st.OnStateChange = [](const std::string& name, gobreaker::State from,
                        gobreaker::State to) {  // st.OnStateChange = func(name string, from, to gobreaker.State) {
    std::printf("          breaker %s: %s -> %s\n", name.c_str(),  // fmt.Printf("          breaker %s: %s -> %s\n",
                gobreaker::String(from).c_str(), gobreaker::String(to).c_str());  // name, from, to)
  };                                            // }
  st.Now = [] { return now; };                  // st.Now = func() time.Time { return now } // goro's injectable clock
  auto cb = gobreaker::NewCircuitBreaker<int>(st);  // cb := gobreaker.NewCircuitBreaker[int](st)

  int sent = 0, ok = 0, failed = 0, rejected = 0, limited = 0;  // sent, ok, failed, rejected, limited := 0, 0, 0, 0, 0
  for (time::Duration t; t <= 3500 * time::Millisecond;  // for t := time.Duration(0); t <= 3500*time.Millisecond;
       t += 125 * time::Millisecond) {          //     t += 125 * time.Millisecond {
    now = start.Add(t);                         //     now = start.Add(t)
    std::string at = "t=" + t.String();         //     at := "t=" + t.String()
    if (!lim.AllowN(now, 1)) {                 //     if !lim.AllowN(now, 1) {
      std::printf("%-8s held back by the limiter\n", at.c_str());  // fmt.Printf("%-8s held back by the limiter\n", at)
      limited++;                                //         limited++
      continue;                                 //         continue
    }                                           //     }
    absl::StatusOr<int> stock = cb.Execute([&] {  // stock, err := cb.Execute(func() (int, error) {
      sent++;                                   //         sent++
      return fetchStock();                      //         return fetchStock()
    });                                         //     })
    if (stock.ok()) {                           //     switch {
      std::printf("%-8s ok: %d in stock\n", at.c_str(), *stock);  // case err == nil: fmt.Printf("%-8s ok: %d in stock\n", at, stock)
      ok++;                                     //         ok++
    } else if (gobreaker::IsOpenState(stock.status()) ||  // case errors.Is(err, gobreaker.ErrOpenState) ||
               gobreaker::IsTooManyRequests(stock.status())) {  // errors.Is(err, gobreaker.ErrTooManyRequests):
      std::printf("%-8s rejected: %s\n", at.c_str(),  // fmt.Printf("%-8s rejected: %v\n", at, err)
                  std::string(stock.status().message()).c_str());
      rejected++;                               //         rejected++
    } else {                                    //     default:
      std::printf("%-8s failed: %s\n", at.c_str(),  // fmt.Printf("%-8s failed: %v\n", at, err)
                  std::string(stock.status().message()).c_str());
      failed++;                                 //         failed++
    }                                           //     }
  }                                             // }
  std::printf("sent %d: %d ok, %d failed; rejected by the breaker %d, held back by the limiter %d\n",
              sent, ok, failed, rejected, limited);
  // fmt.Printf("sent %d: %d ok, %d failed; rejected by the breaker %d, held back by the limiter %d\n",
  //     sent, ok, failed, rejected, limited)
  std::printf("breaker %s is %s\n", cb.Name().c_str(),  // fmt.Printf("breaker %s is %s\n", cb.Name(), cb.State())
              gobreaker::String(cb.State()).c_str());
}                                               // }
