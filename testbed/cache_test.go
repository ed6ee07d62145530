package testbed

import (
	"strings"
	"testing"
	"time"
)

// A Redis value carries the entry's version, expiry and last refill time
// (XFetch's inputs) and reads back exactly; anything else is refused, so
// a read takes it for a miss.
func TestEntryValueRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 17, 30, 0, 123456789, time.UTC)
	for _, v := range []entryValue{
		{expiry: time.Unix(0, 0)},
		{version: 3, expiry: at, delta: 1500 * time.Microsecond},
		{version: 1<<31 - 1, expiry: time.Unix(0, 1<<62), delta: time.Duration(1<<63 - 1)},
		{version: 0, expiry: time.Unix(0, -5), delta: 0}, // before 1970: still a time
	} {
		s := v.encode()
		got, err := decodeEntry(s)
		if err != nil {
			t.Fatalf("decode(%q): %v", s, err)
		}
		if got.version != v.version || !got.expiry.Equal(v.expiry) || got.delta != v.delta {
			t.Fatalf("decode(%q) = %+v, want %+v", s, got, v)
		}
	}
	if s := (entryValue{version: 2, expiry: time.Unix(0, 1700000000123456789), delta: 2 * time.Millisecond}).encode(); s != "2 1700000000123456789 2000000" {
		t.Fatalf("encoded %q, want version, Unix nanoseconds and nanoseconds", s)
	}
	for _, bad := range []string{
		"", "0", "1 2", "1 2 3 4", "-1 2 3", "1 2 -3", "a 2 3", "1 b 3", "1 2 c",
		" 1 2 3", "1  2 3", "1 2 3 ", "2147483648 1 1", "1 99999999999999999999 1",
	} {
		if v, err := decodeEntry(bad); err == nil {
			t.Errorf("decode(%q) = %+v, want an error", bad, v)
		}
	}
}

// The decoder never panics, accepts only what it can read back, and what
// it accepts survives an encode and a decode unchanged.
func FuzzDecodeEntry(f *testing.F) {
	for _, s := range []string{"0 0 0", "3 1700000000123456789 1500000", "1 2", "+1 -2 +3", "01 002 0003", "", "1 2 3 4", strings.Repeat("9", 30) + " 1 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := decodeEntry(s)
		if err != nil {
			return
		}
		if v.version < 0 || v.delta < 0 {
			t.Fatalf("decode(%q) accepted %+v: negative version or delta", s, v)
		}
		again, err := decodeEntry(v.encode())
		if err != nil || again.version != v.version || !again.expiry.Equal(v.expiry) || again.delta != v.delta {
			t.Fatalf("decode(%q) = %+v; encoded %q decodes to %+v, %v", s, v, v.encode(), again, err)
		}
	})
}
