package profile

import (
	"time"

	"github.com/apisec/apisec/harness/conduct"
)

// ScenarioDeadline bounds one scenario. A scenario may run a batch shared
// by the rule (the OAuth plan, the TLS scan) whose length is set by the
// target's pace, so a fixed two minutes would end a polite 1 req/s run as
// incomplete: unless the profile sets limits.scenario_timeout, the deadline
// is the time the whole request budget takes at the profile's rate, plus
// one request timeout, and never less than two minutes.
func (p *Profile) ScenarioDeadline() time.Duration {
	if p.Limits.ScenarioTimeout > 0 {
		return time.Duration(p.Limits.ScenarioTimeout)
	}
	rate := p.Limits.RatePerSecond
	if rate <= 0 {
		rate = conduct.DefaultRatePerSecond
	}
	budget := time.Duration(float64(p.Limits.MaxRequests)/rate*float64(time.Second)) + p.Timeout()
	return max(2*time.Minute, budget)
}
