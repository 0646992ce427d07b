package steps

import (
	"bytes"
	"io/fs"
	"path"
	"slices"
)

// ruleFeatures is fsys with only the feature files whose text names tag:
// no other file can hold a scenario with that tag (a scenario's tags are
// its own and its feature's). godog parses every file it is given, once per
// rule run; its tag filter still decides which scenarios run.
func ruleFeatures(fsys fs.FS, tag string) fs.FS {
	keep := map[string]bool{}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".feature" {
			return nil
		}
		if b, err := fs.ReadFile(fsys, p); err != nil || bytes.Contains(b, []byte(tag)) {
			keep[p] = true // an unreadable file is godog's to report
		}
		return nil
	})
	return subsetFS{fsys, keep}
}

// subsetFS lists only the kept feature files; everything else reads through.
type subsetFS struct {
	fs.FS
	keep map[string]bool
}

func (s subsetFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool {
		return !e.IsDir() && path.Ext(e.Name()) == ".feature" && !s.keep[path.Join(name, e.Name())]
	}), err
}
