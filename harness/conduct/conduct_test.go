package conduct

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGuardRefusesHostsOutsideTheProfile(t *testing.T) {
	g := NewGuard(Config{Hosts: []string{"127.0.0.1", "api.example.test"}})
	assert.True(t, g.Allowed("API.example.test."))
	assert.False(t, g.Allowed("10.0.0.1"))
	_, err := g.DialContext(context.Background(), "tcp", "10.0.0.1:443")
	assert.ErrorIs(t, err, ErrHostNotInProfile)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
	}))
	defer srv.Close()
	resp, err := g.HTTPClient(nil).Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode, "a redirect is an answer to judge, never followed")
	_, err = g.HTTPClient(nil).Get("http://localhost:1/")
	assert.ErrorIs(t, err, ErrHostNotInProfile)
}

func TestGuardBudget(t *testing.T) {
	g := NewGuard(Config{Hosts: []string{"127.0.0.1"}, MaxRequests: 3, RatePerSecond: 1000})
	for range 3 {
		require.NoError(t, g.Admit(context.Background(), "127.0.0.1"))
	}
	assert.ErrorIs(t, g.Admit(context.Background(), "127.0.0.1"), ErrBudgetExhausted)
	assert.EqualValues(t, 4, g.Used())
}

func TestGuardRateLimitHonoursTheContext(t *testing.T) {
	g := NewGuard(Config{Hosts: []string{"127.0.0.1"}, RatePerSecond: 1, Burst: 1})
	require.NoError(t, g.Admit(context.Background(), "127.0.0.1"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := g.Admit(ctx, "127.0.0.1")
	assert.Error(t, err, "the second admission within a second must wait past the deadline")
}

func TestReadBodyCaps(t *testing.T) {
	b, err := ReadBody(strings.NewReader(strings.Repeat("x", 100)), 10)
	assert.ErrorIs(t, err, ErrBodyTooLarge)
	assert.Len(t, b, 10)
	b, err = ReadBody(strings.NewReader("short"), 10)
	require.NoError(t, err)
	assert.Equal(t, "short", string(b))
}

func TestDialHasADeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	g := NewGuard(Config{Hosts: []string{"127.0.0.1"}, Timeout: 200 * time.Millisecond})
	c, err := g.DialContext(context.Background(), "tcp", ln.Addr().String())
	require.NoError(t, err)
	c.Close()
	var netErr net.Error
	_, err = NewGuard(Config{Hosts: []string{"127.0.0.1"}}).DialContext(context.Background(), "tcp", "127.0.0.1:1")
	assert.True(t, err != nil && (errors.As(err, &netErr) || strings.Contains(err.Error(), "refused")))
}
