package scenario

import (
	"strings"
	"testing"
)

func TestParseFraction(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    float64
		wantErr string // a fragment of the error; "" when it parses
	}{
		{"0.01", 0.01, ""},
		{"1%", 0.01, ""},
		{" 1.5 % ", 0.015, ""},
		{"0", 0, ""},
		{"0%", 0, ""},
		{"1", 1, ""},
		{"100%", 1, ""},
		{"1e-3", 0.001, ""},
		{"5", 0, "for 5 percent write 5%"},
		{"101%", 0, "out of range"},
		{"-0.1", 0, "out of range"},
		{"-1%", 0, "out of range"},
		{"abc", 0, "not a fraction"},
		{"%", 0, "not a fraction"},
		{"1%%", 0, "not a fraction"},
		{"NaN", 0, "not a fraction"},
		{"Inf%", 0, "not a fraction"},
		{"", 0, "not a fraction"},
	} {
		got, err := ParseFraction(c.in)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("ParseFraction(%q): %v", c.in, err)
		case c.wantErr == "" && abs(got-c.want) > 1e-15:
			t.Errorf("ParseFraction(%q) = %v, want %v", c.in, got, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("ParseFraction(%q) = %v, %v; want an error containing %q", c.in, got, err, c.wantErr)
		}
	}
}

func TestFractionFlagValue(t *testing.T) {
	var f Fraction
	if err := f.Set("2.5%"); err != nil || float64(f) != 0.025 || f.String() != "0.025" || f.Type() != "fraction" {
		t.Errorf("Set(2.5%%): %v, %v %q %q", err, float64(f), f.String(), f.Type())
	}
	if err := f.Set("x"); err == nil || float64(f) != 0.025 {
		t.Errorf("Set(x) = %v and changed the value to %v", err, float64(f))
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
