package scenario

import (
	"fmt"
	"os"
	"path/filepath"
)

// Load reads the scenario file at path, parses it, applies the --set
// overrides in order, decodes into out (a pointer to a struct filled with
// defaults) and validates. Relative paths inside the scenario resolve against
// the file's directory unless WithBaseDir says otherwise. The error is an
// ErrorList with every problem: the file's, then the overrides'.
func Load(path string, out any, sets []string, opts ...Option) error {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := "cannot read the scenario file"
		switch {
		case os.IsNotExist(err):
			msg += ": no such file"
		case os.IsPermission(err):
			msg += ": permission denied"
		default:
			msg += fmt.Sprintf(": %v", err)
		}
		return ErrorList{{File: path, Msg: msg}}
	}
	root, err := ParseNode(path, data)
	if err != nil {
		return err
	}
	var errs ErrorList
	for _, s := range sets {
		if err := ApplySet(root, s); err != nil {
			errs = append(errs, err.(*Error))
		}
	}
	opts = append([]Option{WithBaseDir(filepath.Dir(path))}, opts...)
	if err := DecodeNode(path, root, out, opts...); err != nil {
		l, ok := err.(ErrorList)
		if !ok {
			return err
		}
		errs = append(l, errs...)
	}
	return errs.err()
}
