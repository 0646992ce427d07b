package profile

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestScenarioDeadlineFollowsThePace(t *testing.T) {
	p := &Profile{}
	p.applyDefaults()
	// 5000 requests at the default 150/s = 33 s, plus one 10 s timeout:
	// below the two-minute floor.
	assert.Equal(t, 2*time.Minute, p.ScenarioDeadline())

	p.Limits.RatePerSecond = 20
	assert.Equal(t, 260*time.Second, p.ScenarioDeadline(), "5000 requests at 20/s = 250 s, plus one 10 s timeout")

	p.Limits.RatePerSecond, p.Limits.MaxRequests = 1, 300
	assert.Equal(t, 310*time.Second, p.ScenarioDeadline(), "a polite 1 req/s run gets the time its budget needs")

	p.Limits.RatePerSecond, p.Limits.MaxRequests = 1000, 100
	assert.Equal(t, 2*time.Minute, p.ScenarioDeadline(), "never less than two minutes")

	p.Limits.ScenarioTimeout = Duration(7 * time.Minute)
	assert.Equal(t, 7*time.Minute, p.ScenarioDeadline(), "the profile's own choice wins")
}
