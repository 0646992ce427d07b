// Package features embeds the Gherkin feature files, one per rule, so the
// apisec binary carries its own suite.
package features

import "embed"

// FS holds every *.feature file of this folder.
//
//go:embed *.feature
var FS embed.FS
