// Package atomicfile writes files so that a crash never leaves a half-written
// one: write a temporary file in the same folder, fsync, rename over.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Write replaces path with data in one rename.
func Write(path string, data []byte, mode os.FileMode) error {
	return WriteAll([]File{{Path: path, Data: data, Mode: mode}})
}

// File is one file of a WriteAll batch.
type File struct {
	Path string
	Data []byte
	Mode os.FileMode
}

// writers bounds the files of a batch written at once: enough for their
// fsyncs to share the file system's journal commits, few enough for a
// result folder of thousands of evidence files.
const writers = 16

// WriteAll replaces every file of the batch, each in one rename, with the
// files written side by side and each folder's entry list made durable
// once at the end rather than after every file. Each file is whole or
// absent after a crash; the first error is returned after every started
// write has finished, and no temporary file is left behind.
func WriteAll(files []File) error {
	errs := make([]error, len(files))
	sem := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for i, f := range files {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = replace(f)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Make the renames durable: once per folder.
	var dirs []string
	for _, f := range files {
		dirs = append(dirs, filepath.Dir(f.Path))
	}
	slices.Sort(dirs)
	for _, dir := range slices.Compact(dirs) {
		if d, err := os.Open(dir); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	return nil
}

// replace writes f to a temporary file beside it, fsyncs and renames it.
func replace(f File) error {
	dir := filepath.Dir(f.Path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(f.Path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	if _, err := tmp.Write(f.Data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Chmod(f.Mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := os.Rename(name, f.Path); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}
