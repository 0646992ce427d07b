package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteReplacesWholeAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "results.json")
	require.NoError(t, Write(p, []byte("first"), 0o644))
	require.NoError(t, Write(p, []byte("second"), 0o600))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "second", string(b))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
	assert.Error(t, Write(filepath.Join(dir, "missing", "x"), []byte("x"), 0o644))
}

func TestWriteAllWritesEveryFileOrReportsWhichFailed(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	var files []File
	for i := range 20 {
		files = append(files, File{Path: filepath.Join(dir, "sub", string(rune('a'+i))+".json"), Data: []byte{byte(i)}, Mode: 0o644})
	}
	files = append(files, File{Path: filepath.Join(dir, "missing", "x"), Data: []byte("x"), Mode: 0o644})
	err := WriteAll(files)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join("missing", "x"))
	entries, err := os.ReadDir(filepath.Join(dir, "sub"))
	require.NoError(t, err)
	assert.Len(t, entries, 20, "every other file written, no temporary file left")
	for i, f := range files[:20] {
		b, err := os.ReadFile(f.Path)
		require.NoError(t, err)
		assert.Equal(t, []byte{byte(i)}, b)
	}
}
