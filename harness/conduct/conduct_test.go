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

// TestConnectionsPerHost: a host never has more than ConnectionsPerHost
// connections open through the guard; a closed one frees its slot, and
// another host has its own slots.
func TestConnectionsPerHost(t *testing.T) {
	a, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer a.Close()
	b, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	defer b.Close()
	g := NewGuard(Config{Hosts: []string{"127.0.0.1", "127.0.0.2"}, ConnectionsPerHost: 2, RatePerSecond: 1000})
	assert.Equal(t, 2, g.ConnectionsPerHost())
	ctx := context.Background()
	c1, err := g.DialContext(ctx, "tcp", a.Addr().String())
	require.NoError(t, err)
	c2, err := g.DialContext(ctx, "tcp", a.Addr().String())
	require.NoError(t, err)

	full, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = g.DialContext(full, "tcp", a.Addr().String())
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a third connection to the host must wait for a slot")

	other, err := g.DialContext(ctx, "tcp", b.Addr().String())
	require.NoError(t, err, "another host has its own slots")
	require.NoError(t, other.Close())

	require.NoError(t, c1.Close())
	_ = c1.Close() // a second Close must not free a second slot
	c3, err := g.DialContext(ctx, "tcp", a.Addr().String())
	require.NoError(t, err, "a closed connection frees its slot")
	full2, cancel2 := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel2()
	_, err = g.DialContext(full2, "tcp", a.Addr().String())
	assert.ErrorIs(t, err, context.DeadlineExceeded, "double Close must not free a second slot")
	c2.Close()
	c3.Close()
}

// TestRatePerHost: one host's exhausted rate does not hold back another.
func TestRatePerHost(t *testing.T) {
	g := NewGuard(Config{Hosts: []string{"a.test", "b.test"}, RatePerSecond: 1, Burst: 1})
	require.NoError(t, g.Admit(context.Background(), "a.test"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.Error(t, g.Admit(ctx, "A.test."), "the same host (any spelling) waits")
	assert.NoError(t, g.Admit(ctx, "b.test"), "another host has its own rate")
}

// TestHTTPRequestHoldsASlot: an HTTP request counts as in flight until its
// response headers arrive, then frees the slot.
func TestHTTPRequestHoldsASlot(t *testing.T) {
	started, unblock := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-unblock
		}
	}))
	defer srv.Close()
	g := NewGuard(Config{Hosts: []string{"127.0.0.1"}, ConnectionsPerHost: 1, RatePerSecond: 1000})
	hc := g.HTTPClient(nil)
	done := make(chan error, 1)
	go func() {
		resp, err := hc.Get(srv.URL + "/slow")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-started // the slow request holds the slot
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/fast", nil)
	_, err := hc.Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the only slot is taken by the slow request")
	close(unblock)
	require.NoError(t, <-done)
	resp, err := hc.Get(srv.URL + "/fast")
	require.NoError(t, err, "the slot is free once the response arrived")
	resp.Body.Close()
}
