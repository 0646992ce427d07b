// Command apisec is the conformance suite for the API security rules of the
// Nictiz API requirements. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/apisec/apisec/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
