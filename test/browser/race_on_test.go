//go:build race

package browser

// raceEnabled: this test binary was built with -race.
const raceEnabled = true
