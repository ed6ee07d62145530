package experiments

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The notebooks under notebooks/ are committed without outputs, so diffs
// show only what a person wrote and CI's executed copies (written to a
// temporary directory) never leak into the repository. Every code cell must
// have outputs [] and execution_count null; the kernel must be python3 (the
// Debian ipykernel that .ci/run installs).
func TestNotebooksCommittedWithoutOutputs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d notebooks in ../notebooks, want at least 4: %v", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var nb struct {
			NBFormat int `json:"nbformat"`
			Metadata struct {
				Kernelspec struct {
					Name string `json:"name"`
				} `json:"kernelspec"`
			} `json:"metadata"`
			Cells []struct {
				CellType       string             `json:"cell_type"`
				ExecutionCount *int               `json:"execution_count"`
				Outputs        *[]json.RawMessage `json:"outputs"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(b, &nb); err != nil {
			t.Errorf("%s: not a notebook: %v", f, err)
			continue
		}
		if nb.NBFormat != 4 || nb.Metadata.Kernelspec.Name != "python3" {
			t.Errorf("%s: nbformat %d kernel %q, want 4 and python3", f, nb.NBFormat, nb.Metadata.Kernelspec.Name)
		}
		code := 0
		for i, c := range nb.Cells {
			if c.CellType != "code" {
				continue
			}
			code++
			if c.Outputs == nil || len(*c.Outputs) != 0 || c.ExecutionCount != nil {
				t.Errorf("%s: cell %d has outputs or an execution count; strip them (jupyter nbconvert --clear-output --inplace notebooks/%s)", f, i, filepath.Base(f))
			}
		}
		if code == 0 {
			t.Errorf("%s: no code cells", f)
		}
	}
}
