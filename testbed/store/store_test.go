package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestAddrHidesCredentials(t *testing.T) {
	cases := []struct{ dsn, want string }{
		{"postgres://alice:s3cret@db.example:6543/shop", "db.example:6543"},
		{"host=10.0.0.5 port=5433 user=bob password=hunter2 dbname=x", "10.0.0.5:5433"},
	}
	for _, c := range cases {
		got := Addr(c.dsn)
		if got != c.want {
			t.Errorf("Addr(%q) = %q, want %q", c.dsn, got, c.want)
		}
		for _, secret := range []string{"s3cret", "hunter2", "alice", "bob"} {
			if strings.Contains(got, secret) {
				t.Errorf("Addr leaks %q: %q", secret, got)
			}
		}
	}
}

// An unreachable server is one line naming its address and how to start
// it, never the DSN's password.
func TestUnreachable(t *testing.T) {
	_, err := OpenPG(context.Background(), PGConfig{DSN: "postgres://alice:s3cret@127.0.0.1:1/shop?connect_timeout=2", PoolSize: 1})
	var un *Unreachable
	if !errors.As(err, &un) {
		t.Fatalf("want *Unreachable, got %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") || !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "pg_ctlcluster") {
		t.Fatalf("message %q: want one line naming 127.0.0.1:1 and pg_ctlcluster, without the password", msg)
	}
	_, err = OpenRedis(context.Background(), "127.0.0.1:1", 1)
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "redis-server --daemonize yes") {
		t.Fatalf("redis: want *Unreachable naming how to start it, got %v", err)
	}
}

// DropKeys touches nothing outside the testbed's prefix (checked before
// any server is contacted: the client is nil).
func TestDropKeysRefusesForeignPrefix(t *testing.T) {
	for _, p := range []string{"", "session:", KeyPrefix, "x" + KeyPrefix + "run:"} {
		if _, err := DropKeys(context.Background(), nil, p); err == nil {
			t.Errorf("DropKeys(%q) accepted a prefix outside %s<run>:", p, KeyPrefix)
		}
	}
}
