// lib/time/time.cc: Duration's formatting and parsing, Time, and Sleep
// (Go's time/time.go, time/format.go and time/sleep.go).
#include <errno.h>
#include <time.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "goro/internal/task.h"
#include "goro/panic.h"
#include "goro/time.h"
#include "time/timer.h"

namespace goro::time {
namespace internal {

void DivideByZero() { throw Panic("runtime error: integer divide by zero"); }

int64_t MonoNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace internal

namespace {

constexpr int64_t kMinDuration = INT64_MIN;
constexpr int64_t kMaxDuration = INT64_MAX;
constexpr uint64_t k1e9 = 1000000000;

// FormatFrac writes v / 10^prec into the tail of buf[0..w): the fractional
// digits with trailing zeros dropped (and no '.' when they are all zero),
// then returns the new start index and v / 10^prec.
int FormatFrac(char* buf, int w, uint64_t v, int prec, uint64_t* rest) {
  bool print = false;
  for (int i = 0; i < prec; i++) {
    int digit = static_cast<int>(v % 10);
    print = print || digit != 0;
    if (print) buf[--w] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (print) buf[--w] = '.';
  *rest = v;
  return w;
}

int FormatInt(char* buf, int w, uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
    return w;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return w;
}

// Quote is Go's time.quote: double quotes, with `"` and `\` escaped and every
// byte that is not printable ASCII written as \xNN.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80 || c < ' ') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

absl::Status Invalid(std::string_view orig) {
  return absl::InvalidArgumentError("time: invalid duration " + Quote(orig));
}

constexpr uint64_t kLimit = uint64_t{1} << 63;

// LeadingInt consumes leading digits of s into *x; false on overflow.
bool LeadingInt(std::string_view& s, uint64_t* x) {
  size_t i = 0;
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    char c = s[i];
    if (c < '0' || c > '9') break;
    if (v > kLimit / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > kLimit) return false;
  }
  s.remove_prefix(i);
  *x = v;
  return true;
}

// LeadingFraction consumes leading digits of s as a fraction: *x over *scale.
// Digits past what fits are dropped (they cannot change the result).
void LeadingFraction(std::string_view& s, uint64_t* x, double* scale) {
  size_t i = 0;
  uint64_t v = 0;
  double sc = 1;
  bool overflow = false;
  for (; i < s.size(); i++) {
    char c = s[i];
    if (c < '0' || c > '9') break;
    if (overflow) continue;
    if (v > (kLimit - 1) / 10) {
      overflow = true;
      continue;
    }
    uint64_t y = v * 10 + static_cast<uint64_t>(c - '0');
    if (y > kLimit) {
      overflow = true;
      continue;
    }
    v = y;
    sc *= 10;
  }
  s.remove_prefix(i);
  *x = v;
  *scale = sc;
}

bool UnitOf(std::string_view u, uint64_t* unit) {
  struct Entry {
    std::string_view name;
    uint64_t ns;
  };
  static constexpr Entry kUnits[] = {
      {"ns", 1},
      {"us", 1000},
      {"\xC2\xB5s", 1000},  // U+00B5 MICRO SIGN
      {"\xCE\xBCs", 1000},  // U+03BC GREEK SMALL LETTER MU
      {"ms", 1000000},
      {"s", k1e9},
      {"m", 60 * k1e9},
      {"h", 3600 * k1e9},
  };
  for (const Entry& e : kUnits) {
    if (e.name == u) {
      *unit = e.ns;
      return true;
    }
  }
  return false;
}

using internal::MonoNow;

// Exact intermediate arithmetic for Sub, Round and Sleep's deadline.
__extension__ typedef __int128 Int128;

// The monotonic reading Go's m=±x values are relative to.
const int64_t kStartMono = MonoNow() - 1;

bool LessThanHalf(int64_t x, int64_t y) {
  return static_cast<uint64_t>(x) + static_cast<uint64_t>(x) < static_cast<uint64_t>(y);
}

}  // namespace

double Duration::Seconds() const {
  int64_t sec = ns_ / 1000000000;
  int64_t nsec = ns_ % 1000000000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

double Duration::Minutes() const {
  int64_t min = ns_ / Minute.ns_;
  int64_t nsec = ns_ % Minute.ns_;
  return static_cast<double>(min) + static_cast<double>(nsec) / (60 * 1e9);
}

double Duration::Hours() const {
  int64_t hour = ns_ / Hour.ns_;
  int64_t nsec = ns_ % Hour.ns_;
  return static_cast<double>(hour) + static_cast<double>(nsec) / (60 * 60 * 1e9);
}

std::string Duration::String() const {
  // The longest value, "-2562047h47m16.854775808s", is 25 bytes.
  char buf[32];
  int w = sizeof(buf);
  uint64_t u = static_cast<uint64_t>(ns_);
  bool neg = ns_ < 0;
  if (neg) u = -u;

  if (u < k1e9) {
    // Below one second: a smaller unit, so that "1.5µs" rather than "0.0000015s".
    int prec = 0;
    buf[--w] = 's';
    w--;
    if (u == 0) {
      return "0s";
    } else if (u < 1000) {
      prec = 0;
      buf[w] = 'n';
    } else if (u < 1000000) {
      prec = 3;
      // U+00B5 'µ' is two bytes in UTF-8.
      w--;
      buf[w] = '\xC2';
      buf[w + 1] = '\xB5';
    } else {
      prec = 6;
      buf[w] = 'm';
    }
    w = FormatFrac(buf, w, u, prec, &u);
    w = FormatInt(buf, w, u);
  } else {
    buf[--w] = 's';
    w = FormatFrac(buf, w, u, 9, &u);
    // u is now whole seconds.
    w = FormatInt(buf, w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = FormatInt(buf, w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        w = FormatInt(buf, w, u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof(buf) - static_cast<size_t>(w));
}

Duration Duration::Truncate(Duration m) const {
  if (m.ns_ <= 0) return *this;
  return *this - *this % m;
}

Duration Duration::Round(Duration m) const {
  if (m.ns_ <= 0) return *this;
  Duration r = *this % m;
  if (ns_ < 0) {
    r = -r;
    if (LessThanHalf(r.ns_, m.ns_)) return *this + r;
    Duration d1 = *this - m + r;
    if (d1 < *this) return d1;
    return FromNs(kMinDuration);
  }
  if (LessThanHalf(r.ns_, m.ns_)) return *this - r;
  Duration d1 = *this + m - r;
  if (d1 > *this) return d1;
  return FromNs(kMaxDuration);
}

Duration Duration::Abs() const {
  if (ns_ >= 0) return *this;
  if (ns_ == kMinDuration) return FromNs(kMaxDuration);
  return -*this;
}

std::ostream& operator<<(std::ostream& os, Duration d) { return os << d.String(); }

absl::StatusOr<Duration> ParseDuration(std::string_view s) {
  // [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+
  const std::string_view orig = s;
  uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  // The one unit-less form.
  if (s == "0") return Duration();
  if (s.empty()) return Invalid(orig);
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    // The next character must be [0-9.].
    if (!(s[0] == '.' || ('0' <= s[0] && s[0] <= '9'))) return Invalid(orig);
    size_t before = s.size();
    if (!LeadingInt(s, &v)) return Invalid(orig);
    bool pre = before != s.size();  // digits before the dot
    bool post = false;              // digits after the dot
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      before = s.size();
      LeadingFraction(s, &f, &scale);
      post = before != s.size();
    }
    if (!pre && !post) return Invalid(orig);  // no digits (e.g. ".s" or "-.s")

    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !('0' <= s[i] && s[i] <= '9')) i++;
    if (i == 0) {
      return absl::InvalidArgumentError("time: missing unit in duration " + Quote(orig));
    }
    std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    uint64_t unit;
    if (!UnitOf(u, &unit)) {
      return absl::InvalidArgumentError("time: unknown unit " + Quote(u) + " in duration " +
                                        Quote(orig));
    }
    if (v > kLimit / unit) return Invalid(orig);  // overflow
    v *= unit;
    if (f > 0) {
      // float64 is needed to be nanosecond accurate for fractions of hours;
      // v >= 0 && (f*unit/scale) <= 3.6e+12 (ns/h, h is the largest unit).
      v += static_cast<uint64_t>(static_cast<double>(f) *
                                 (static_cast<double>(unit) / scale));
      if (v > kLimit) return Invalid(orig);
    }
    d += v;
    if (d > kLimit) return Invalid(orig);
  }
  if (neg) return Duration(static_cast<int64_t>(-d));
  if (d > kLimit - 1) return Invalid(orig);
  return Duration(static_cast<int64_t>(d));
}

// ---- Time ----

Time Now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  Time t;
  t.sec_ = ts.tv_sec;
  t.nsec_ = static_cast<int32_t>(ts.tv_nsec);
  t.has_mono_ = true;
  t.mono_ = MonoNow();
  return t;
}

Time Unix(int64_t sec, int64_t nsec) {
  if (nsec < 0 || nsec >= 1000000000) {
    int64_t n = nsec / 1000000000;
    sec += n;
    nsec -= n * 1000000000;
    if (nsec < 0) {
      nsec += 1000000000;
      sec--;
    }
  }
  Time t;
  t.sec_ = sec;
  t.nsec_ = static_cast<int32_t>(nsec);
  return t;
}

Time UnixMilli(int64_t msec) { return Unix(msec / 1000, (msec % 1000) * 1000000); }
Time UnixMicro(int64_t usec) { return Unix(usec / 1000000, (usec % 1000000) * 1000); }

Time Time::Add(Duration d) const {
  int64_t dsec = d.Nanoseconds() / 1000000000;
  int64_t nsec = nsec_ + d.Nanoseconds() % 1000000000;
  if (nsec >= 1000000000) {
    dsec++;
    nsec -= 1000000000;
  } else if (nsec < 0) {
    dsec--;
    nsec += 1000000000;
  }
  Time t = *this;
  t.sec_ = internal::Wrap(static_cast<uint64_t>(sec_) + static_cast<uint64_t>(dsec));
  t.nsec_ = static_cast<int32_t>(nsec);
  if (has_mono_) {
    int64_t te = internal::Wrap(static_cast<uint64_t>(mono_) +
                                static_cast<uint64_t>(d.Nanoseconds()));
    if ((d.Nanoseconds() < 0 && te > mono_) || (d.Nanoseconds() > 0 && te < mono_)) {
      t.has_mono_ = false;  // the monotonic reading overflowed: drop it, as Go does
      t.mono_ = 0;
    } else {
      t.mono_ = te;
    }
  }
  return t;
}

Duration Time::Sub(Time u) const {
  Int128 d;
  if (has_mono_ && u.has_mono_) {
    d = static_cast<Int128>(mono_) - u.mono_;
  } else {
    d = (static_cast<Int128>(sec_) - u.sec_) * 1000000000 + (nsec_ - u.nsec_);
  }
  if (d > kMaxDuration) return Duration(kMaxDuration);
  if (d < kMinDuration) return Duration(kMinDuration);
  return Duration(static_cast<int64_t>(d));
}

int Time::Compare(Time u) const {
  if (has_mono_ && u.has_mono_) return mono_ < u.mono_ ? -1 : mono_ > u.mono_ ? 1 : 0;
  if (sec_ != u.sec_) return sec_ < u.sec_ ? -1 : 1;
  if (nsec_ != u.nsec_) return nsec_ < u.nsec_ ? -1 : 1;
  return 0;
}
bool Time::After(Time u) const { return Compare(u) > 0; }
bool Time::Before(Time u) const { return Compare(u) < 0; }
bool Time::Equal(Time u) const { return Compare(u) == 0; }

int64_t Time::UnixMilli() const {
  return internal::Wrap(static_cast<uint64_t>(sec_) * 1000 + static_cast<uint64_t>(nsec_ / 1000000));
}
int64_t Time::UnixMicro() const {
  return internal::Wrap(static_cast<uint64_t>(sec_) * 1000000 + static_cast<uint64_t>(nsec_ / 1000));
}
int64_t Time::UnixNano() const {
  return internal::Wrap(static_cast<uint64_t>(sec_) * 1000000000 + static_cast<uint64_t>(nsec_));
}

// Truncate and Round work on the time since the zero Time, as Go's do, and
// strip the monotonic reading.
Time Time::Truncate(Duration d) const {
  Time t = *this;
  t.has_mono_ = false;
  t.mono_ = 0;
  if (d.Nanoseconds() <= 0) return t;
  return t.Add(Duration(-t.SinceZeroMod(d)));
}

Time Time::Round(Duration d) const {
  Time t = *this;
  t.has_mono_ = false;
  t.mono_ = 0;
  if (d.Nanoseconds() <= 0) return t;
  int64_t r = t.SinceZeroMod(d);
  if (LessThanHalf(r, d.Nanoseconds())) return t.Add(Duration(-r));
  return t.Add(Duration(d.Nanoseconds() - r));
}

int64_t Time::SinceZeroMod(Duration d) const {
  Int128 since_zero = (static_cast<Int128>(sec_) - kZeroSec) * 1000000000 + nsec_;
  return static_cast<int64_t>(since_zero % d.Nanoseconds());
}

std::chrono::system_clock::time_point Time::to_system_clock() const {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(sec_) + std::chrono::nanoseconds(nsec_)));
}

std::string Time::String() const {
  // Go's layout "2006-01-02 15:04:05.999999999 -0700 MST", in the local zone.
  time_t secs = static_cast<time_t>(sec_);
  struct tm tm;
  char date[64];
  if (localtime_r(&secs, &tm) == nullptr) {
    std::snprintf(date, sizeof(date), "%lld seconds since 1970", static_cast<long long>(sec_));
  } else {
    std::snprintf(date, sizeof(date), "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  std::string s = date;
  if (nsec_ != 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09d", nsec_);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  long off = tm.tm_gmtoff;
  char zone[64];
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  std::snprintf(zone, sizeof(zone), " %c%02ld%02ld %s", sign, off / 3600, (off / 60) % 60,
                tm.tm_zone != nullptr ? tm.tm_zone : "");
  s += zone;
  if (has_mono_) {
    // Go prints the reading relative to process start: m=±ddd.nnnnnnnnn.
    int64_t m = mono_ - kStartMono;
    uint64_t m2 = static_cast<uint64_t>(m);
    char msign = '+';
    if (m < 0) {
      msign = '-';
      m2 = -m2;
    }
    char mono[48];
    std::snprintf(mono, sizeof(mono), " m=%c%llu.%09llu", msign,
                  static_cast<unsigned long long>(m2 / k1e9),
                  static_cast<unsigned long long>(m2 % k1e9));
    s += mono;
  }
  return s;
}

std::ostream& operator<<(std::ostream& os, const Time& t) { return os << t.String(); }

Duration Since(Time t) { return Now().Sub(t); }
Duration Until(Time t) { return t.Sub(Now()); }

void Sleep(Duration d) {
  if (d.Nanoseconds() <= 0) return;
  // An absolute deadline on the monotonic clock, so signals cannot stretch it.
  Int128 deadline = static_cast<Int128>(MonoNow()) + d.Nanoseconds();
  if (deadline > INT64_MAX) deadline = INT64_MAX;
  timespec ts;
  ts.tv_sec = static_cast<time_t>(deadline / 1000000000);
  ts.tv_nsec = static_cast<long>(deadline % 1000000000);
  goro::internal::BlockingEnter();
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
  goro::internal::BlockingExit();
}

}  // namespace goro::time
