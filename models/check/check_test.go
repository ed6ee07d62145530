package check

import (
	"errors"
	"testing"
)

func TestPrefix(t *testing.T) {
	err := Join(Field("max_attempts", "must be >= 1, got %d", 0), Field("[2].rate", "bad"), Field("", "needs a point"), errors.New("plain"))
	got := Prefix("retry", err).Error()
	want := "retry.max_attempts: must be >= 1, got 0\nretry[2].rate: bad\nretry: needs a point\nretry: plain"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if Prefix("x", nil) != nil || Join() != nil {
		t.Fatal("no error must stay nil")
	}
	var fe interface{ Field() string }
	if !errors.As(Prefix("a", Field("b", "m")), &fe) || fe.Field() != "a.b" {
		t.Fatal("prefixed errors must keep their field for the loader")
	}
}

func TestFields(t *testing.T) {
	err := Join(Field("a", "x"), errors.New("no field"), Join(Field("b.c", "y")))
	got := Fields(err)
	if len(got) != 2 || got[0] != "a" || got[1] != "b.c" || Fields(nil) != nil {
		t.Fatalf("Fields: %q", got)
	}
}
