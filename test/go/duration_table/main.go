// Command durationtable prints Go's answers for time.Duration formatting,
// parsing and arithmetic, one case per line, for test/duration_test.cc to
// check goro::time::Duration against. Its output is committed as
// test/data/duration_table.txt; the meson test 'duration/go-table' re-runs
// this program (when `go` is installed) and compares byte for byte:
//
//	cd test/go/duration_table && go run . > ../../data/duration_table.txt
//
// Output format: one case per line, fields separated by a tab. Lines that
// start with '#' are comments. Durations are int64 nanosecond counts in
// decimal; floats are strconv.FormatFloat(x, 'g', -1, 64).
//
//	S <d> <d.String()>
//	F <d> <d.Seconds()> <d.Minutes()> <d.Hours()>
//	I <d> <d.Milliseconds()> <d.Microseconds()> <d.Abs()>
//	R <d> <m> <d.Truncate(m)> <d.Round(m)>
//	A <a> <b> <a+b> <a-b> <a*b> <a/b> <a%b>
//	P <strconv.Quote(input)> ok <time.ParseDuration(input)>
//	P <strconv.Quote(input)> err <error text>
//
// In A lines, a/b and a%b are "panic:<text>" when Go panics (b == 0), with
// the text of the recovered runtime error. Error texts are printed as they
// are: Go's time package escapes every byte below ' ' and every non-ASCII one,
// so they hold no tab or newline (main checks this).
//
// Standard library only, so `go run .` needs no network. Random cases come
// from math/rand with a fixed seed, whose sequence Go keeps stable.
package main

import (
	"bufio"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"time"
)

var out = bufio.NewWriter(os.Stdout)

func line(fields ...string) {
	for i, f := range fields {
		if strings.ContainsAny(f, "\t\n\r") {
			panic(fmt.Sprintf("field %q of a table line holds a tab or newline", f))
		}
		if i > 0 {
			out.WriteByte('\t')
		}
		out.WriteString(f)
	}
	out.WriteByte('\n')
}

func d64(d time.Duration) string { return strconv.FormatInt(int64(d), 10) }
func i64(n int64) string         { return strconv.FormatInt(n, 10) }
func f64(x float64) string       { return strconv.FormatFloat(x, 'g', -1, 64) }

// values returns the durations whose String, float and integer accessors
// are printed.
func values(r *rand.Rand) []time.Duration {
	const (
		ns  = time.Nanosecond
		us  = time.Microsecond
		ms  = time.Millisecond
		s   = time.Second
		min = time.Minute
		h   = time.Hour
	)
	v := []time.Duration{
		0, 1, -1, 2, 9, 99, 999, -999,
		1 * us, -1 * us, 1001, 1010, 1100, 1500, -1500, 1999, 1200 * ns,
		120500, 300 * us, 999999,
		1 * ms, -1 * ms, 1000001, 1500 * ms / 1000, 1999999, 10 * ms, 300 * ms,
		999999999, -999999999,
		1 * s, -1 * s, 1500 * ms, -1500 * ms, s + 1, s + 10*ms, s + 20*ms,
		s + 100*ms, s + 20*us, 59*s + 999999999, 60 * s, 61 * s, 90 * s, -90 * s,
		min - 1, h - 1, 2 * h, -2 * h, 24 * h, 8760 * h, 100*h + 1,
		72*h + 3*min + 500*ms, h + 1, h + 59*min + 59*s + 999999999,
		h + 1*min, h + 1*s, 52763797000,
		1<<53 + 1, 1 << 62, -(1 << 62), 3<<61 - 1,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
		math.MaxInt64 / 2, math.MinInt64 / 2,
	}
	// Powers of ten and their negatives: every unit boundary.
	p := time.Duration(1)
	for i := 0; i <= 18; i++ {
		v = append(v, p, -p)
		p *= 10
	}
	// Random values of every magnitude, either sign.
	for i := 0; i < 30; i++ {
		d := time.Duration(r.Int63n(int64(1) << uint(r.Intn(62)+1)))
		if r.Intn(2) == 0 {
			d = -d
		}
		v = append(v, d)
	}
	// Whole milliseconds, as Go's TestParseDurationRoundTrip uses.
	for i := 0; i < 10; i++ {
		v = append(v, time.Duration(r.Int31())*time.Millisecond)
	}
	return v
}

// roundPairs returns the (d, m) pairs for Truncate and Round.
func roundPairs(r *rand.Rand) [][2]time.Duration {
	const (
		us  = time.Microsecond
		ms  = time.Millisecond
		s   = time.Second
		min = time.Minute
		h   = time.Hour
		max = time.Duration(math.MaxInt64)
		mn  = time.Duration(math.MinInt64)
	)
	// The cases of Go's durationTruncateTests and durationRoundTests
	// (src/time/time_test.go), then halves, saturation and m <= 0.
	p := [][2]time.Duration{
		{0, s}, {min, -7 * s}, {min, -11 * s}, {min, 0}, {min, 1},
		{min + 10*s, 10 * s}, {2*min + 10*s, min}, {10*min + 10*s, 3 * min},
		{min + 10*s, min + 10*s + 1}, {min + 10*s, h}, {-min, s},
		{-10 * min, 3 * min}, {-10 * min, h}, {2 * min, min},
		{2*min + 30*s, min}, {2*min + 50*s, min}, {-min, 1}, {-2 * min, min},
		{-2*min - 10*s, min}, {-2*min - 30*s, min}, {-2*min - 50*s, min},
		{8e18, 3e18}, {9e18, 5e18}, {-8e18, 3e18}, {-9e18, 5e18},
		{3<<61 - 1, 3 << 61},
		{1500 * ms, s}, {-1500 * ms, s}, {2500 * ms, s}, {-2500 * ms, s},
		{1499 * ms, s}, {-1499 * ms, s}, {1500 * us, ms}, {3, 2}, {-3, 2},
		{5, 3}, {-5, 3}, {4, 3}, {-4, 3},
		{max, 2}, {mn, 2}, {max, max}, {mn, max}, {max, mn}, {mn, mn},
		{max, -1}, {mn, -1}, {max, 1}, {mn, 1}, {max, h}, {mn, h},
		{max, s}, {mn, s}, {max - 1, max}, {mn + 1, max}, {max / 2, max},
		{max/2 + 1, max}, {-max / 2, max}, {-max/2 - 1, max},
		{0, 0}, {0, -1}, {0, mn}, {7, 0}, {-7, mn},
		{72*h + 3*min + 500*ms, h}, {72*h + 3*min + 500*ms, s},
	}
	for i := 0; i < 20; i++ {
		d := time.Duration(r.Int63())
		if r.Intn(2) == 0 {
			d = -d
		}
		m := time.Duration(r.Int63n(int64(1) << uint(r.Intn(62)+1)))
		p = append(p, [2]time.Duration{d, m})
	}
	return p
}

// arithPairs returns the (a, b) pairs for + - * / %.
func arithPairs(r *rand.Rand) [][2]time.Duration {
	const (
		ms  = time.Millisecond
		s   = time.Second
		h   = time.Hour
		max = time.Duration(math.MaxInt64)
		mn  = time.Duration(math.MinInt64)
	)
	p := [][2]time.Duration{
		{100, ms}, {1500 * ms, 2}, {1500 * ms, ms}, {1500 * ms, s},
		{7, 2}, {-7, 2}, {7, -2}, {-7, -2}, {0, 5},
		{max, 1}, {mn, -1}, {mn, 1}, {max, -1}, {max, max}, {mn, mn},
		{max, mn}, {mn, max}, {1 << 62, 4}, {1 << 62, 2}, {-(1 << 62), 2},
		{h, h}, {max, 2}, {mn, 2}, {mn, 3},
		{0, 0}, {5, 0}, {mn, 0},
	}
	for i := 0; i < 10; i++ {
		a := time.Duration(r.Int63() - r.Int63())
		b := time.Duration(r.Int63n(int64(1)<<uint(r.Intn(62)+1)) - r.Int63n(1<<20))
		p = append(p, [2]time.Duration{a, b})
	}
	return p
}

// catch returns f's result, or "panic:" and the recovered value's text.
func catch(f func() time.Duration) (res string) {
	defer func() {
		if e := recover(); e != nil {
			res = "panic:" + fmt.Sprint(e)
		}
	}()
	return d64(f())
}

// parseInputs returns the inputs given to time.ParseDuration.
func parseInputs() []string {
	return []string{
		// The valid forms of Go's parseDurationTests (src/time/time_test.go).
		"0", "5s", "30s", "1478s", "-5s", "+5s", "-0", "+0",
		"5.0s", "5.6s", "5.s", ".5s", "1.0s", "1.00s", "1.004s", "1.0040s",
		"100.00100s", "10ns", "11us", "12µs", "12μs", "13ms", "14s", "15m",
		"16h", "3h30m", "10.5s4m", "-2m3.4s", "1h2m3s4ms5us6ns",
		"39h9m14.425s", "52763797000ns", "0.3333333333333333333h",
		"9007199254740993ns", "9223372036854775807ns", "9223372036854775.807us",
		"9223372036s854ms775us807ns", "-9223372036854775808ns",
		"-9223372036854775.808us", "-9223372036s854ms775us808ns",
		"-2562047h47m16.854775808s", "0.100000000000000000000h",
		"0.830103483285477580700h",
		// The invalid ones of Go's parseDurationErrorTests.
		"", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\x85\x85", "\xffff",
		"hello \xffff world", "\uFFFD", "\uFFFD hello \uFFFD world",
		"9223372036854775810ns", "9223372036854775808ns",
		"-9223372036854775809ns", "9223372036854776us", "3000000h",
		"9223372036854775.808us", "9223372036854ms775us808ns",
		// More.
		"2562047h47m16.854775807s", "2562047h47m16.854775808s",
		"-2562047h47m16.854775809s", "2562048h", "2562047h", "-2562048h",
		"1.0.0s", "1..0s", "1s.", "1s2", "1s 2s", " 1s", "1s ", "1 s", "1S",
		"1Ms", "1mS", "1µ", "1μ", "1u", "1µss", "1sec", "1hr", "1y", "1w",
		"++1s", "--1s", "+-1s", "-+1s", "-1s-1s", "1s-1s", "1e3s", "1_000s",
		"0x10s", "１s", "1\x00s", "1\ts", "1\"s", "1\\s", "1ß", "1\u00e9s",
		"1s\n", "0s", "0ns", "-0s", "00000000000000000000001s",
		"0.000000001s", "0.0000000009s", "0.0000000019s", "-0.0000000009s",
		".000000001s", "1.9999999999ns", "0.5ns", "1.5ns", "1.5us", "1.5ms",
		"1.5m", "1.5h", "1h1h", "1s1s1s", "1ms1s", "1m1h", "1.s", "1.",
		"99999999999999999999999999s", "0.99999999999999999999999999s",
		"1.00000000000000000000000001h", "9223372036.854775807s",
		"9223372036.854775808s", "-9223372036.854775808s",
		"-9223372036.854775809s", "153722867m", "153722868m",
		"153722867m16.854775807s", "106751d",
	}
}

func main() {
	r := rand.New(rand.NewSource(20240601))
	line("# Go's time.Duration answers, printed by test/go/duration_table (go run .).")
	line("# Do not edit: regenerate with that program. Format: see its main.go.")
	vals := values(r)
	for _, d := range vals {
		line("S", d64(d), d.String())
	}
	for _, d := range vals {
		line("F", d64(d), f64(d.Seconds()), f64(d.Minutes()), f64(d.Hours()))
	}
	for _, d := range vals {
		line("I", d64(d), i64(d.Milliseconds()), i64(d.Microseconds()), d64(d.Abs()))
	}
	for _, p := range roundPairs(r) {
		d, m := p[0], p[1]
		line("R", d64(d), d64(m), d64(d.Truncate(m)), d64(d.Round(m)))
	}
	for _, p := range arithPairs(r) {
		a, b := p[0], p[1]
		line("A", d64(a), d64(b), d64(a+b), d64(a-b), d64(a*b),
			catch(func() time.Duration { return a / b }),
			catch(func() time.Duration { return a % b }))
	}
	inputs := parseInputs()
	// Every String above, parsed back (Go's TestParseDurationRoundTrip).
	for _, d := range vals {
		inputs = append(inputs, d.String())
	}
	for _, in := range inputs {
		d, err := time.ParseDuration(in)
		if err != nil {
			line("P", strconv.Quote(in), "err", err.Error())
		} else {
			line("P", strconv.Quote(in), "ok", d64(d))
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
