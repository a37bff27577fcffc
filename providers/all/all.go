// Package all registers every built-in provider. It is the one list of provider imports.
package all

import (
	_ "github.com/shadowscan/shadowscan/providers/inventory" // JSON/NDJSON record files
)
