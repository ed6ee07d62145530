// Package atomicfile writes output files so that a reader, or a user who
// pressed Ctrl-C, sees either the old file or the complete new one, never a
// partial one: write to a temporary file in the same directory, fsync it,
// then rename it over the target (rename is atomic within one file system
// on POSIX).
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile calls write with a temporary file in path's directory and, if
// write returns nil, syncs it and renames it to path. If write returns an
// error or panics, or syncing or renaming fails, the temporary file is
// removed and an existing file at path is left untouched; a panic is
// re-raised after the clean-up. The new file has mode 0644 (before umask),
// or the mode of the file it replaces.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: close: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		done = true
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	// Make the rename itself durable; best effort, as some file systems do
	// not support syncing a directory.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
