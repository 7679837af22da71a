// deploy-check decodes the project's deployment files strictly against the types their platforms
// define, offline: a field the platform does not know, a value of the wrong type or an object of an
// unknown kind fails, where a YAML parser would accept it.
//
//	deploy-check kubernetes [FILE]   objects of a multi-document YAML (kubectl kustomize output), or stdin
//	deploy-check compose FILE        a Compose file, against the Compose Specification (compose-go)
package main

import (
	"fmt"
	"os"
)

const usage = `Usage:
  deploy-check kubernetes [FILE]   decode every object of FILE (or stdin) strictly against k8s.io/api
  deploy-check compose FILE        load FILE as the Compose Specification's reference loader does
Exit status: 0 all valid, 1 something invalid, 2 bad command line.`

func main() {
	if len(os.Args) < 2 || os.Args[1] == "--help" || os.Args[1] == "-h" {
		fmt.Println(usage)
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "kubernetes":
		if len(args) > 1 {
			err = badUsage("kubernetes takes at most one FILE")
		} else {
			err = checkKubernetes(args)
		}
	case "compose":
		if len(args) != 1 {
			err = badUsage("compose takes one FILE")
		} else {
			err = checkCompose(args[0])
		}
	default:
		err = badUsage(fmt.Sprintf("unknown check %q", os.Args[1]))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "deploy-check: %v\n", err)
		if _, ok := err.(usageError); ok {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) + " (try --help)" }

func badUsage(message string) error { return usageError(message) }
