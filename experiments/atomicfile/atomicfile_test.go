package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// entries lists the directory, to prove no temporary file is left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileSuccess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new contents")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new contents" {
		t.Errorf("contents = %q, want %q", got, "new contents")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want the replaced file's 0600", st.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "out.json" {
		t.Errorf("directory holds %v, want only out.json", names)
	}
}

func TestWriteFileNewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.csv")
	if err := WriteFile(path, func(w io.Writer) error { _, err := fmt.Fprint(w, "a,b\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "a,b\n" {
		t.Errorf("contents = %q", got)
	}
}

func TestWriteFileErrorLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	os.WriteFile(path, []byte("old"), 0o644)
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the write function's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("contents = %q, want the old file untouched", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only out.json", names)
	}
}

func TestWriteFileErrorCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "never.json")
	if err := WriteFile(path, func(w io.Writer) error { return errors.New("no") }); err == nil {
		t.Fatal("want an error")
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v, want nothing", names)
	}
}

func TestWriteFilePanicLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	os.WriteFile(path, []byte("old"), 0o644)
	func() {
		defer func() {
			if r := recover(); r != "kaboom" {
				t.Errorf("recovered %v, want the panic re-raised", r)
			}
		}()
		WriteFile(path, func(w io.Writer) error {
			io.WriteString(w, "partial")
			panic("kaboom")
		})
	}()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("contents = %q, want the old file untouched", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only out.json", names)
	}
}

func TestWriteFileMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "out.json")
	err := WriteFile(path, func(w io.Writer) error { return nil })
	if err == nil {
		t.Fatal("want an error for a missing directory")
	}
}

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "result.json")
	err := WriteFile(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, `{"ok": true}`)
		return err
	})
	data, _ := os.ReadFile(path)
	fmt.Print(err, " ", string(data))
	// Output: <nil> {"ok": true}
}
