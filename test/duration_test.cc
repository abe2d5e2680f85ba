// test/duration_test.cc: goro::time::Duration against Go's own answers.
//
// The table test/data/duration_table.txt is printed by Go itself
// (test/go/duration_table/main.go, whose header documents the line format):
// String, Seconds/Minutes/Hours, Milliseconds/Microseconds, Abs,
// Truncate/Round, + - * / % (with Go's divide-by-zero panic) and ParseDuration
// (value, or Go's exact error text) for a few hundred cases, among them every
// case of Go's parseDurationTests, parseDurationErrorTests,
// durationTruncateTests and durationRoundTests (src/time/time_test.go).
// Every line is checked against goro. The table's path comes from the
// environment variable GORO_DURATION_TABLE (set by test/meson.build); the test
// fails if it is unset, missing or short. The meson test 'duration/go-table'
// re-runs the Go program, when Go is installed, to prove the table is Go's.
//
// The rest checks in C++ what a table cannot: the operators' types and
// constexpr-ness, comparisons, std::chrono conversions and operator<<.
#include <bit>
#include <charconv>
#include <chrono>
#include <compare>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "goro/time.h"
#include "goro_test.h"

namespace {

using namespace std::chrono_literals;
using goro::time::Duration;
using goro::time::ParseDuration;
using goro_test::PanicOf;
namespace time = goro::time;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// ---------------------------------------------------------------------------
// The table.

struct Line {
  int number = 0;           // 1-based line number in the file
  std::string text;         // the whole line, for failure messages
  std::vector<std::string> f;  // tab-separated fields; f[0] is the kind
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = s.find('\t', start);
    out.push_back(s.substr(start, tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

// kMinLines is the fewest data lines a complete table has (it has ~840).
constexpr int kMinLines = 200;

// Table returns the data lines of the table (comments dropped), or fails the
// test when it is unset, unreadable or short.
std::vector<Line> Table() {
  const char* env = std::getenv("GORO_DURATION_TABLE");
  REQUIRE_MESSAGE(env != nullptr,
                  "set GORO_DURATION_TABLE to test/data/duration_table.txt");
  const std::string path = env;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open GORO_DURATION_TABLE=" << path);
  std::vector<Line> lines;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    number++;
    if (text.empty() || text[0] == '#') continue;
    lines.push_back(Line{number, text, Split(text)});
  }
  REQUIRE_MESSAGE(lines.size() >= static_cast<size_t>(kMinLines),
                  path << " has " << lines.size() << " data lines, want at least "
                       << kMinLines);
  return lines;
}

// Lines returns the table's lines of one kind, each with `fields` fields, and
// fails the test when there are fewer than `at_least`.
std::vector<Line> Lines(const std::string& kind, size_t fields, size_t at_least) {
  std::vector<Line> out;
  for (auto& l : Table()) {
    if (l.f[0] != kind) continue;
    INFO("line " << l.number << ": " << l.text);
    REQUIRE(l.f.size() == fields);
    out.push_back(l);
  }
  REQUIRE_MESSAGE(out.size() >= at_least,
                  "only " << out.size() << " '" << kind << "' lines in the table");
  return out;
}

int64_t Int(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  INFO("integer field: " << s);
  REQUIRE(ec == std::errc());
  REQUIRE(end == s.data() + s.size());
  return v;
}

// Float parses strconv.FormatFloat(x, 'g', -1, 64) output: the shortest
// decimal that reads back as x, so from_chars (correctly rounded) gives x.
double Float(const std::string& s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  INFO("float field: " << s);
  REQUIRE(ec == std::errc());
  REQUIRE(end == s.data() + s.size());
  return v;
}

// Same reports whether two doubles are the same value, bit for bit (so 0 and
// -0 differ, as Go's 'g' formatting tells them apart).
bool Same(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

void AppendUtf8(std::string& out, uint32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// Unquote undoes Go's strconv.Quote: the escapes it writes are \a \b \f \n \r
// \t \v \\ \" \xHH (a byte) \uHHHH and \UHHHHHHHH (a rune, as UTF-8); every
// other byte stands for itself.
std::string Unquote(const std::string& q) {
  INFO("quoted field: " << q);
  REQUIRE(q.size() >= 2);
  REQUIRE(q.front() == '"');
  REQUIRE(q.back() == '"');
  std::string out;
  auto hex = [&](size_t at, int n) {
    REQUIRE(at + n < q.size());
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(q.data() + at, q.data() + at + n, v, 16);
    REQUIRE(ec == std::errc());
    REQUIRE(end == q.data() + at + n);
    return v;
  };
  for (size_t i = 1; i + 1 < q.size(); i++) {
    char c = q[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    REQUIRE(i + 2 < q.size());
    char e = q[++i];
    switch (e) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x': out += static_cast<char>(hex(i + 1, 2)); i += 2; break;
      case 'u': AppendUtf8(out, hex(i + 1, 4)); i += 4; break;
      case 'U': AppendUtf8(out, hex(i + 1, 8)); i += 8; break;
      default: FAIL("unknown escape \\" << e << " in " << q);
    }
  }
  return out;
}

// Text is d as written by operator<<.
std::string Text(Duration d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

// Op returns Go's spelling of f's result: the count, or "panic:" and the text.
template <class F>
std::string Op(F f) {
  std::string res;
  std::string p = PanicOf([&] { res = std::to_string(f().Nanoseconds()); });
  return p == "no panic" ? res : "panic:" + p;
}

TEST_CASE("Duration.GoTable.Unquote") {
  // The table's parse inputs rely on it: a quick check on Quote's escapes.
  CHECK(Unquote(R"("")") == "");
  CHECK(Unquote(R"("1\x00s")") == std::string("1\0s", 3));
  CHECK(Unquote(R"("\xffff")") == "\xff" "ff");
  CHECK(Unquote(R"("1\"s\\")") == "1\"s\\");
  CHECK(Unquote(R"("\t\n")") == "\t\n");
  CHECK(Unquote(R"("\u00b5\U0001F600")") == "\xc2\xb5\xf0\x9f\x98\x80");
}

TEST_CASE("Duration.GoTable.IsComplete") {
  std::map<std::string, int> kinds;
  for (auto& l : Table()) kinds[l.f[0]]++;
  CHECK(kinds.size() == 6);  // S F I R A P, nothing unknown
  for (const char* k : {"S", "F", "I", "R", "A", "P"}) {
    INFO("kind " << k);
    CHECK(kinds[k] >= 25);
  }
}

TEST_CASE("Duration.GoTable.String") {
  for (auto& l : Lines("S", 3, 100)) {
    INFO("line " << l.number << ": " << l.text);
    Duration d(Int(l.f[1]));
    CHECK(d.String() == l.f[2]);
    CHECK(Text(d) == l.f[2]);
  }
}

TEST_CASE("Duration.GoTable.Floats") {
  for (auto& l : Lines("F", 5, 100)) {
    INFO("line " << l.number << ": " << l.text);
    Duration d(Int(l.f[1]));
    // Exact: Go computes each as float64(whole) + float64(rest)/unit.
    CHECK_MESSAGE(Same(d.Seconds(), Float(l.f[2])), "Seconds");
    CHECK_MESSAGE(Same(d.Minutes(), Float(l.f[3])), "Minutes");
    CHECK_MESSAGE(Same(d.Hours(), Float(l.f[4])), "Hours");
  }
}

TEST_CASE("Duration.GoTable.IntegersAndAbs") {
  for (auto& l : Lines("I", 5, 100)) {
    INFO("line " << l.number << ": " << l.text);
    Duration d(Int(l.f[1]));
    CHECK(d.Nanoseconds() == Int(l.f[1]));
    CHECK(d.Milliseconds() == Int(l.f[2]));
    CHECK(d.Microseconds() == Int(l.f[3]));
    CHECK(d.Abs().Nanoseconds() == Int(l.f[4]));
  }
}

TEST_CASE("Duration.GoTable.TruncateRound") {
  // Includes Go's durationTruncateTests and durationRoundTests.
  for (auto& l : Lines("R", 5, 50)) {
    INFO("line " << l.number << ": " << l.text);
    Duration d(Int(l.f[1]));
    Duration m(Int(l.f[2]));
    CHECK(d.Truncate(m).Nanoseconds() == Int(l.f[3]));
    CHECK(d.Round(m).Nanoseconds() == Int(l.f[4]));
  }
}

TEST_CASE("Duration.GoTable.Arithmetic") {
  for (auto& l : Lines("A", 8, 25)) {
    INFO("line " << l.number << ": " << l.text);
    Duration a(Int(l.f[1]));
    Duration b(Int(l.f[2]));
    CHECK((a + b).Nanoseconds() == Int(l.f[3]));
    CHECK((a - b).Nanoseconds() == Int(l.f[4]));
    CHECK((a * b).Nanoseconds() == Int(l.f[5]));
    CHECK(Op([&] { return a / b; }) == l.f[6]);
    CHECK(Op([&] { return a % b; }) == l.f[7]);
    // The integer forms and the compound assignments agree.
    CHECK(Op([&] { return a / b.Nanoseconds(); }) == l.f[6]);
    CHECK(Op([&] { Duration c = a; return c /= b; }) == l.f[6]);
    CHECK(Op([&] { Duration c = a; return c %= b; }) == l.f[7]);
    CHECK((a * b.Nanoseconds()).Nanoseconds() == Int(l.f[5]));
    CHECK((a.Nanoseconds() * b).Nanoseconds() == Int(l.f[5]));
  }
}

TEST_CASE("Duration.GoTable.ParseDuration") {
  // Includes Go's parseDurationTests and parseDurationErrorTests, and every
  // String of the S lines parsed back (TestParseDurationRoundTrip).
  for (auto& l : Lines("P", 4, 150)) {
    INFO("line " << l.number << ": " << l.text);
    std::string in = Unquote(l.f[1]);
    absl::StatusOr<Duration> got = ParseDuration(in);
    if (l.f[2] == "ok") {
      REQUIRE_MESSAGE(got.ok(), "goro's error: " << got.status().message());
      CHECK(got->Nanoseconds() == Int(l.f[3]));
    } else {
      REQUIRE(l.f[2] == "err");
      REQUIRE_MESSAGE(!got.ok(), "goro's value: " << got->Nanoseconds());
      CHECK(got.status().message() == l.f[3]);
      CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
    }
  }
}

// ---------------------------------------------------------------------------
// C++ only.

TEST_CASE("Duration.Constants") {
  static_assert(time::Nanosecond.Nanoseconds() == 1);
  static_assert(time::Microsecond.Nanoseconds() == 1000);
  static_assert(time::Millisecond.Nanoseconds() == 1000000);
  static_assert(time::Second.Nanoseconds() == 1000000000);
  static_assert(time::Minute == 60 * time::Second);
  static_assert(time::Hour.Nanoseconds() == 3600000000000);
  static_assert(Duration().Nanoseconds() == 0);
  static_assert(std::is_trivially_copyable_v<Duration>);
  static_assert(sizeof(Duration) == sizeof(int64_t));
  CHECK(time::Hour.String() == "1h0m0s");
}

TEST_CASE("Duration.Arithmetic") {
  // As Go: 100 * time.Millisecond, d * 2, d / 2, d / time.Millisecond, d % m.
  constexpr Duration d = 100 * time::Millisecond;
  static_assert(d.Nanoseconds() == 100000000);
  static_assert((d * 2).Nanoseconds() == 200000000);
  static_assert((d / 2).Nanoseconds() == 50000000);
  static_assert((d / time::Millisecond).Nanoseconds() == 100);  // a count, as in Go
  static_assert((1500 * time::Millisecond % time::Second) == 500 * time::Millisecond);
  static_assert(d + d == 200 * time::Millisecond);
  static_assert(d - time::Second == -900 * time::Millisecond);
  static_assert(-d == Duration(-100000000));
  static_assert(+d == d);
  static_assert(Duration(1.9) == Duration(1));    // conversion truncates, as Go's
  static_assert(Duration(-1.9) == Duration(-1));
  static_assert(static_cast<int64_t>(d) == 100000000);
  CHECK((d * 2).String() == "200ms");
  CHECK((int64_t{3} * time::Second).String() == "3s");
  CHECK((time::Second * 3u).String() == "3s");
  CHECK(Duration(7) / Duration(-2) == Duration(-3));   // truncates toward zero
  CHECK(Duration(-7) % Duration(2) == Duration(-1));   // sign of the dividend

  Duration c = time::Second;
  c += time::Millisecond;
  CHECK(c.String() == "1.001s");
  c -= 2 * time::Millisecond;
  CHECK(c.String() == "999ms");
  c *= Duration(2);
  CHECK(c.String() == "1.998s");
  c /= Duration(3);
  CHECK(c.String() == "666ms");
  c %= 100 * time::Millisecond;
  CHECK(c.String() == "66ms");
}

TEST_CASE("Duration.Arithmetic.WrapsAsGo") {
  // Go's int64 arithmetic wraps at run time; so does goro's (no UB).
  constexpr Duration max(kMax);
  constexpr Duration min(kMin);
  static_assert(max + time::Nanosecond == min);
  static_assert(min - time::Nanosecond == max);
  static_assert(-min == min);
  static_assert(max * 2 == Duration(-2));
  static_assert(Duration(int64_t{1} << 62) * 4 == Duration());
  static_assert(min / -1 == min);   // Go: x / -1 == x for the most negative x
  static_assert(min % Duration(-1) == Duration());
  Duration m = max;
  m += time::Nanosecond;
  CHECK(m == min);
  CHECK(m.String() == "-2562047h47m16.854775808s");
}

TEST_CASE("Duration.Arithmetic.DivideByZeroPanics") {
  const std::string want = "runtime error: integer divide by zero";
  Duration d = time::Second;
  Duration zero;
  CHECK(PanicOf([&] { (void)(d / zero); }) == want);
  CHECK(PanicOf([&] { (void)(d % zero); }) == want);
  CHECK(PanicOf([&] { (void)(d / 0); }) == want);
  CHECK(PanicOf([&] { (void)(zero / zero); }) == want);
  CHECK(PanicOf([&] { (void)(Duration(kMin) / zero); }) == want);
  CHECK(PanicOf([&] { d /= zero; }) == want);
  CHECK(PanicOf([&] { d %= zero; }) == want);
  CHECK(d == time::Second);  // left as it was
}

TEST_CASE("Duration.Comparisons") {
  constexpr Duration a = time::Millisecond;
  constexpr Duration b = time::Second;
  static_assert(a < b && a <= b && b > a && b >= a && a != b && !(a == b));
  static_assert(a == 1000 * time::Microsecond);
  static_assert((a <=> b) == std::strong_ordering::less);
  static_assert((b <=> a) == std::strong_ordering::greater);
  static_assert((a <=> a) == std::strong_ordering::equal);
  static_assert(Duration(kMin) < Duration(-1) && Duration(-1) < Duration());
  static_assert(Duration() < Duration(kMax));
  CHECK(-time::Hour < time::Nanosecond);
}

TEST_CASE("Duration.Chrono.From") {
  // Implicit from any std::chrono duration, truncated to nanoseconds.
  Duration d = 1500ms;
  CHECK(d == 1500 * time::Millisecond);
  CHECK(Duration(2h) == 2 * time::Hour);
  CHECK(Duration(90s).String() == "1m30s");
  CHECK(Duration(-3us) == -3 * time::Microsecond);
  CHECK(Duration(1ns) == time::Nanosecond);
  CHECK(Duration(std::chrono::duration<double>(1.5)) == 1500 * time::Millisecond);
  CHECK(Duration(std::chrono::duration<double, std::nano>(1.9)) == Duration(1));
  CHECK(Duration(std::chrono::duration<double, std::nano>(-1.9)) == Duration(-1));
  CHECK(Duration(std::chrono::duration<int64_t, std::ratio<86400>>(3)) == 72 * time::Hour);
  CHECK(Duration(std::chrono::nanoseconds(kMax)) == Duration(kMax));
  CHECK(Duration(std::chrono::nanoseconds(kMin)) == Duration(kMin));
  // A Duration parameter takes chrono values and literals directly.
  auto str = [](Duration x) { return x.String(); };
  CHECK(str(250ms) == "250ms");
  CHECK(str(std::chrono::minutes(3)) == "3m0s");
  constexpr Duration c = std::chrono::seconds(2);
  static_assert(c == 2 * time::Second);
}

TEST_CASE("Duration.Chrono.To") {
  Duration d = 1500 * time::Millisecond;
  std::chrono::nanoseconds n = d;  // implicit
  CHECK(n.count() == 1500000000);
  CHECK(d.to() == 1500ms);
  CHECK(d.to<std::chrono::milliseconds>().count() == 1500);
  CHECK(d.to<std::chrono::seconds>().count() == 1);        // truncates
  CHECK((-d).to<std::chrono::seconds>().count() == -1);    // toward zero
  CHECK(d.to<std::chrono::duration<double>>().count() == 1.5);
  CHECK(Duration(kMax).to().count() == kMax);
  CHECK(Duration(kMin).to().count() == kMin);
  static_assert(time::Hour.to<std::chrono::minutes>().count() == 60);
  // Round trip through chrono.
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, kMax, kMin, int64_t{123456789}}) {
    CHECK(Duration(Duration(v).to()) == Duration(v));
  }
  // To a clock's own duration type.
  std::chrono::steady_clock::duration sd = time::Millisecond.to<std::chrono::steady_clock::duration>();
  CHECK(sd == 1ms);
}

TEST_CASE("Duration.Ostream") {
  std::ostringstream os;
  os << 1500 * time::Millisecond << " " << Duration() << " " << -time::Microsecond << " "
     << 72 * time::Hour + 3 * time::Minute + 500 * time::Millisecond;
  CHECK(os.str() == "1.5s 0s -1µs 72h3m0.5s");
  std::ostringstream w;
  w << "[" << time::Second << "]";
  CHECK(w.str() == "[1s]");
}

}  // namespace
