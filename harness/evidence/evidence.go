// Package evidence keeps what a probe sent and received, with secrets
// redacted before anything is written.
package evidence

// Item is one transcript of a scenario.
type Item struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"-"`
}
