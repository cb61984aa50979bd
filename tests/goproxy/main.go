// Command goproxy-server is the test suite's stand-in for proxy.golang.org
// and sum.golang.org, built from Go's reference code (golang.org/x/mod's
// sumdb, tlog, note and dirhash) so that what it serves is what the real
// services serve, and the real go command can be pointed at it.
//
//	goproxy-server zip GOROOT PROXYDIR   write GOROOT's toolchain module into PROXYDIR
//	goproxy-server h1 ZIPFILE            print the h1: hash of a module zip
//	goproxy-server serve [flags]         serve a checksum database (and a GOPROXY)
//
// Built with Debian's Go 1.19 and golang-golang-x-mod-dev, offline:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o target/goproxy-server ./tests/goproxy
package main

import (
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/dirhash"
)

func usage() {
	fmt.Fprintf(os.Stderr, "usage:\n"+
		"  goproxy-server zip GOROOT PROXYDIR\n"+
		"  goproxy-server h1 ZIPFILE\n"+
		"  goproxy-server serve [flags]   (goproxy-server serve -h lists them)\n")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "zip":
		if len(args) != 2 {
			usage()
		}
		if err := writeToolchainModule(args[0], args[1]); err != nil {
			fatal(err)
		}
	case "h1":
		if len(args) != 1 {
			usage()
		}
		h, err := dirhash.HashZip(args[0], dirhash.Hash1)
		if err != nil {
			fatal(err)
		}
		fmt.Println(h)
	case "serve":
		if err := serve(args); err != nil {
			fatal(err)
		}
	default:
		usage()
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "goproxy-server: %v\n", err)
	os.Exit(1)
}
