package purity

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// exempt lists the files allowed one kind of impurity, and why.
var exempt = map[string]map[string]string{
	"sim/queueing/run.go": {"goroutine": "runs independent replications in parallel, each on its own engine; results are stored by index, so the output does not depend on scheduling"},
}

// orderFree marks a range over a map whose order cannot matter; it must
// sit on the line of the for statement or the line above, with a reason.
const orderFree = "order-free:"

// randFuncs are math/rand/v2's functions that do not draw: the rest use the
// global generator.
var randFuncs = map[string]bool{"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
	"Rand": true, "PCG": true, "ChaCha8": true, "Source": true, "Zipf": true}

// wallClock are the time functions that read or wait on the wall clock.
var wallClock = map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true}

// TestSimAndModelsArePure type-checks every package under sim/ and models/
// and fails on a read of the wall clock, a go statement, an import of sync,
// math/rand (v1) or crypto/rand, a draw from math/rand/v2's global
// generator, and a range over a map not marked order-free.
func TestSimAndModelsArePure(t *testing.T) {
	root := filepath.Join("..", "..")
	dirs := map[string][]string{}
	for _, top := range []string{"sim", "models"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fset := token.NewFileSet()
	checked := 0
	for dir, names := range dirs {
		var files []*ast.File
		for _, name := range names {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		// Type-check the package alone (imports unresolved, errors
		// ignored) to know which expressions are maps: fast, and it sees
		// every map the package declares itself.
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		conf := types.Config{Importer: noImports{}, Error: func(error) {}}
		conf.Check(dir, fset, files, info)
		for i, f := range files {
			checked++
			rel, _ := filepath.Rel(root, names[i])
			rel = filepath.ToSlash(rel)
			report := func(kind string, pos token.Pos, format string, args ...any) {
				if _, ok := exempt[rel][kind]; ok {
					return
				}
				t.Errorf("%s: "+format, append([]any{fset.Position(pos)}, args...)...)
			}
			local := map[string]string{} // local name -> import path
			for _, is := range f.Imports {
				p, _ := strconv.Unquote(is.Path.Value)
				name := p[strings.LastIndex(p, "/")+1:]
				if p == "math/rand/v2" {
					name = "rand"
				}
				if is.Name != nil {
					name = is.Name.Name
				}
				local[name] = p
				switch p {
				case "math/rand", "crypto/rand":
					report("rand", is.Pos(), "imports %s: draw from a named stream (sim/rng) instead", p)
				case "sync", "sync/atomic":
					report("goroutine", is.Pos(), "imports %s: a simulation is single-threaded", p)
				}
			}
			marked := map[int]bool{}
			for _, cg := range f.Comments {
				if strings.Contains(cg.Text(), orderFree) {
					marked[fset.Position(cg.End()).Line] = true
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.GoStmt:
					report("goroutine", n.Pos(), "go statement: a simulation is single-threaded")
				case *ast.SelectorExpr:
					id, ok := n.X.(*ast.Ident)
					if !ok || id.Obj != nil { // a local variable, not a package
						break
					}
					switch local[id.Name] {
					case "time":
						if wallClock[n.Sel.Name] {
							report("clock", n.Pos(), "time.%s reads or waits on the wall clock", n.Sel.Name)
						}
					case "math/rand/v2":
						if !randFuncs[n.Sel.Name] {
							report("rand", n.Pos(), "rand.%s draws from the global generator", n.Sel.Name)
						}
					}
				case *ast.RangeStmt:
					if tv, ok := info.Types[n.X]; ok && tv.Type != nil && isMap(tv.Type) {
						line := fset.Position(n.Pos()).Line
						if !marked[line] && !marked[line-1] {
							report("map", n.Pos(), "range over a map: its order is random; sort the keys, or mark it %q with why order cannot matter", "// "+orderFree)
						}
					}
				}
				return true
			})
		}
	}
	if checked < 50 {
		t.Fatalf("only %d files checked", checked)
	}
}

func isMap(t types.Type) bool {
	_, ok := t.Underlying().(*types.Map)
	return ok
}

// noImports resolves no import: the guard type-checks each package alone.
type noImports struct{}

func (noImports) Import(path string) (*types.Package, error) {
	return nil, fmt.Errorf("not resolved: %s", path)
}
