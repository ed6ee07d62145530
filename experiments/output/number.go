package output

import (
	"math"
	"strconv"
)

// Sig formats v with 3 significant digits in fixed notation (no exponent):
// 0.00123, 0.123, 12.3, 123, 12346; with an exponent below 1e-4 or from
// 1e9 on (4.56e-13).
func Sig(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if a := math.Abs(v); a < 1e-4 || a >= 1e9 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	prec := 2 - int(math.Floor(math.Log10(math.Abs(v))))
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
