package pki

import (
	"crypto"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type equaler interface{ Equal(crypto.PublicKey) bool }

func TestSecondClientKeyIsPrivateStableAndDistinct(t *testing.T) {
	dir := t.TempDir()
	set, err := Init(dir)
	require.NoError(t, err)
	// Concurrent first calls must agree on one key (parallel reference targets).
	keys := make([]crypto.Signer, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := set.SecondClientKey()
			assert.NoError(t, err)
			keys[i] = k
		}()
	}
	wg.Wait()
	require.NotNil(t, keys[0])
	for _, k := range keys[1:] {
		require.NotNil(t, k)
		assert.True(t, keys[0].Public().(equaler).Equal(k.Public()), "one second key per certs folder")
	}
	assert.False(t, set.ClientKey.Public().(equaler).Equal(keys[0].Public()), "the second client's key differs from the first's")
	st, err := os.Stat(filepath.Join(dir, SecondClientKeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	again, err := Init(dir)
	require.NoError(t, err)
	k, err := again.SecondClientKey()
	require.NoError(t, err)
	assert.True(t, keys[0].Public().(equaler).Equal(k.Public()), "loaded, not regenerated")
}
