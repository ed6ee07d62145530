package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseFraction reads a fraction in [0, 1] written either as a number
// ("0.01") or as a percentage ("1%", "1.5 %"). It is the one parser of every
// flag and bound that takes a fraction (capacity's and ablation's
// --max-error-rate, testbed's, tune's constraint bounds), so "1%" and "0.01"
// mean the same everywhere. A bare number above 1 is refused rather than
// read as a percentage: "5" could mean 5% or 500%.
func ParseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	num, scale := t, 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		num, scale = strings.TrimSpace(p), 0.01
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || num != strings.TrimSpace(num) {
		return 0, fmt.Errorf("%q is not a fraction: write a number in [0, 1] such as 0.01, or a percentage such as 1%%", s)
	}
	v := f * scale
	if !(v >= 0 && v <= 1) {
		if scale == 1 && f > 1 && f <= 100 {
			return 0, fmt.Errorf("%q is not a fraction in [0, 1]: for %s percent write %s%%", s, num, num)
		}
		return 0, fmt.Errorf("%q is out of range: want a fraction in [0, 1] (0%% to 100%%)", s)
	}
	return v, nil
}

// Fraction is a command-line flag value (a pflag.Value) that reads its
// text with ParseFraction.
type Fraction float64

// Set parses s with ParseFraction.
func (f *Fraction) Set(s string) error {
	v, err := ParseFraction(s)
	if err != nil {
		return err
	}
	*f = Fraction(v)
	return nil
}

// String is the shortest decimal that reads back as the fraction.
func (f *Fraction) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }

// Type names the value in --help: "fraction".
func (f *Fraction) Type() string { return "fraction" }
