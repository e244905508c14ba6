// Oracle: golang.org/x/mod/semver (Debian package `golang-golang-x-mod-dev`, built
// with Debian's `golang-go` in GOPATH mode: GOPATH=/usr/share/gocode GO111MODULE=off).
// Reads "a<TAB>b" lines (OSV spelling, no leading "v"; a "v" is added), prints -1/0/1,
// or ERR when either side is not a valid Go module version.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		parts := strings.SplitN(in.Text(), "\t", 2)
		a, b := "v"+parts[0], "v"+parts[1]
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "ERR")
			continue
		}
		fmt.Fprintln(out, semver.Compare(a, b))
	}
}
