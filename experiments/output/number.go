package output

import (
	"math"
	"strconv"
)

// Sig formats v with 3 significant digits in fixed notation (no exponent):
// 0.00123, 0.123, 12.3, 123, 12346; with an exponent below 1e-4 or from
// 1e9 on (4.56e-13).
func Sig(v float64) string { return SigN(v, 3) }

// SigN is Sig with n significant digits (n >= 1).
func SigN(v float64, n int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if a := math.Abs(v); a < 1e-4 || a >= 1e9 {
		return strconv.FormatFloat(v, 'g', n, 64)
	}
	prec := n - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', max(prec, 0), 64)
}

// Scale picks a display scale for a value of the given unit (a
// metric.Unit's text): seconds below 1 are shown in ms, fractions as
// percentages.
func Scale(v float64, unit string) (scale float64, suffix string) {
	switch unit {
	case "s":
		if math.Abs(v) < 1 {
			return 1e3, " ms"
		}
		return 1, " s"
	case "fraction":
		return 100, "%"
	case "USD":
		return 1, " USD"
	}
	return 1, ""
}

// Human formats a value of the given unit for a table.
func Human(v float64, unit string) string {
	scale, suffix := Scale(v, unit)
	return Sig(v*scale) + suffix
}

// HumanVs formats v like Human but, when v differs from limit and 3
// significant digits would print the two alike, with as many more digits
// as it takes to tell them apart (at most 9), so a verdict against the
// limit never reads as a contradiction: 1.5034 against 1.5 prints
// "1.503 s", not "1.50 s". Both are written in v's scale.
func HumanVs(v, limit float64, unit string) string {
	scale, suffix := Scale(v, unit)
	return sigVs(v, limit, scale) + suffix
}

// HumanCIVs is HumanCI with the upper end written as HumanVs writes a
// value against limit: for a verdict judged on that end (capacity's
// --strict).
func HumanCIVs[CI ~[2]float64](v float64, ci *CI, limit float64, unit string) string {
	if ci == nil {
		return ""
	}
	scale, suffix := Scale(v, unit)
	return "[" + Sig((*ci)[0]*scale) + ", " + sigVs((*ci)[1], limit, scale) + "]" + suffix
}

// sigVs is x*scale with 3 significant digits, or as many more (at most 9)
// as tell it from limit*scale.
func sigVs(x, limit, scale float64) string {
	// alike compares the roundings as numbers: 0.99996 to 4 digits is
	// "1.0000", which is 1.000 however it is spelled.
	alike := func(n int) bool {
		a, _ := strconv.ParseFloat(SigN(x*scale, n), 64)
		b, _ := strconv.ParseFloat(SigN(limit*scale, n), 64)
		return a == b
	}
	n := 3
	for n < 9 && x != limit && alike(n) {
		n++
	}
	return SigN(x*scale, n)
}

// HumanLimit formats a limit (an SLO bound) like Human but with all the
// digits it was given (at least 3 significant), so it is never shown
// rounded: 1.5 s prints "1.50 s", 1.2345 s "1.2345 s".
func HumanLimit(v float64, unit string) string {
	scale, suffix := Scale(v, unit)
	for n := 3; n < 17; n++ {
		if f, err := strconv.ParseFloat(SigN(v*scale, n), 64); err == nil && f == v*scale {
			return SigN(v*scale, n) + suffix
		}
	}
	return strconv.FormatFloat(v*scale, 'g', -1, 64) + suffix
}

// HumanCI formats a 95% interval in the scale of its estimate v; "" when
// there is none.
func HumanCI[CI ~[2]float64](v float64, ci *CI, unit string) string {
	if ci == nil {
		return ""
	}
	scale, suffix := Scale(v, unit)
	return "[" + Sig((*ci)[0]*scale) + ", " + Sig((*ci)[1]*scale) + "]" + suffix
}

// Signed prefixes a non-negative number's text with "+".
func Signed(s string) string {
	if len(s) > 0 && s[0] != '-' {
		return "+" + s
	}
	return s
}

// Float is the shortest text that reads back as v (CSV's full precision).
func Float(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
