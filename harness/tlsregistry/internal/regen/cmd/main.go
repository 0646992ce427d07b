// Command regen writes harness/tlsregistry/tables_gen.go (run by go generate).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/apisec/apisec/harness/tlsregistry/internal/regen"
)

func main() {
	dir := flag.String("dir", "registry", "folder with the registry CSV files")
	out := flag.String("out", "tables_gen.go", "file to write")
	flag.Parse()
	src, err := regen.Generate(*dir)
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "regen:", err)
		os.Exit(1)
	}
}
