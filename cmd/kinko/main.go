// Command kinko is the customer-data vault and leak guard for online shops.
// Everything lives in internal/cli; this file only hands over the process.
package main

import (
	"os"

	"github.com/kinko-jp/kinko/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
